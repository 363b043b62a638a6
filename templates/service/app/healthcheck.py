"""Container health probe: `python -m app.healthcheck` exits 0 when /health answers.

Docker's HEALTHCHECK runs it; it needs only the standard library and the
settings, so the image needs no curl or wget.
"""

import sys
import urllib.error
import urllib.request

from app.core.config import get_settings


def probe(url: str, timeout: float = 2.0) -> bool:
    """Return True when `url` answers with a 2xx status."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - fixed local URL
            status: int = response.status
    except urllib.error.HTTPError as error:
        # A non-2xx answer: the error is also the response, holding the connection.
        error.close()
        return False
    except OSError:
        return False
    return 200 <= status < 300


def main() -> int:
    """Probe this container's own /health endpoint."""
    settings = get_settings()
    return 0 if probe(f"http://127.0.0.1:{settings.port}/health") else 1


if __name__ == "__main__":
    sys.exit(main())
