import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from app.healthcheck import probe


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/health" else 503)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture
def server_url() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_probe_succeeds_on_2xx(server_url: str) -> None:
    assert probe(f"{server_url}/health") is True


def test_probe_fails_on_error_status(server_url: str) -> None:
    assert probe(f"{server_url}/other") is False


def test_probe_fails_when_nothing_listens() -> None:
    assert probe("http://127.0.0.1:9/health", timeout=0.5) is False
