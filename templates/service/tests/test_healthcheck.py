import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from app.healthcheck import main, probe

PROJECT = Path(__file__).resolve().parent.parent
# Every spelling of the proxy variables, pointing at a port where nothing listens.
PROXIES = {
    name: "http://127.0.0.1:9"
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/health" else 503)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture
def server_port() -> Iterator[int]:
    server = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()


def run_probe(cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m app.healthcheck` as the HEALTHCHECK runs it (from a directory without `.env`)."""
    environment = {**os.environ, "PYTHONPATH": str(PROJECT), **env}
    return subprocess.run(
        [sys.executable, "-m", "app.healthcheck"],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_probe_succeeds_on_2xx(server_port: int) -> None:
    assert probe(server_port) is None


def test_probe_fails_on_error_status(server_port: int) -> None:
    assert probe(server_port, "/other") == f"GET http://127.0.0.1:{server_port}/other answered 503"


def test_probe_fails_when_nothing_listens() -> None:
    problem = probe(9, timeout=0.5)

    assert problem is not None
    assert problem.startswith("GET http://127.0.0.1:9/health failed: ")


def test_a_healthy_app_probes_ok_behind_a_proxy(server_port: int, tmp_path: Path) -> None:
    result = run_probe(tmp_path, PORT=str(server_port), NO_PROXY="", no_proxy="", **PROXIES)

    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_an_unhealthy_app_fails_with_one_line(tmp_path: Path) -> None:
    result = run_probe(tmp_path, PORT="9")

    assert result.returncode == 1
    assert result.stderr.startswith("app.healthcheck: GET http://127.0.0.1:9/health failed: ")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("port", ["http", "0", "70000", " 1 2"])
def test_a_bad_port_fails_with_one_line(tmp_path: Path, port: str) -> None:
    result = run_probe(tmp_path, PORT=port)

    assert result.returncode == 1
    assert result.stderr == (
        f"app.healthcheck: PORT={port!r} is not a port number (1-65535);"
        " set PORT to the port the app listens on\n"
    )


def test_the_probe_imports_nothing_of_the_app(tmp_path: Path) -> None:
    script = "import sys, app.healthcheck; print(sorted(m for m in sys.modules if m.split('.')[0] in {'app', 'pydantic', 'pydantic_settings', 'fastapi', 'starlette'}))"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert result.stdout == "['app', 'app.healthcheck']\n"


def test_main_exit_status(
    server_port: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORT", str(server_port))
    assert main() == 0
    monkeypatch.setenv("PORT", "http")
    assert main() == 1

    assert capsys.readouterr().err.startswith("app.healthcheck: PORT='http' is not a port number")
