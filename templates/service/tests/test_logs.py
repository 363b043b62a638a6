import json
import logging
import subprocess
import sys

import httpx
import pytest

from app.core.config import Settings
from app.core.logs import (
    JsonFormatter,
    Message,
    Receive,
    RequestIdMiddleware,
    Scope,
    Send,
    TextFormatter,
    request_id,
)
from app.main import create_app

pytestmark = pytest.mark.anyio


async def test_a_generated_request_id_is_returned(client: httpx.AsyncClient) -> None:
    first = (await client.get("/health")).headers["x-request-id"]
    second = (await client.get("/health")).headers["x-request-id"]

    assert len(first) == 32
    int(first, 16)
    assert first != second


async def test_the_clients_request_id_is_kept(client: httpx.AsyncClient) -> None:
    response = await client.get("/items/999", headers={"X-Request-ID": "abc-123 checkout"})

    assert response.status_code == 404
    assert response.headers.get_list("x-request-id") == ["abc-123 checkout"]


@pytest.mark.parametrize("sent", ["x" * 129, "caf\u00e9", "tab\there", ""])
async def test_an_unusable_request_id_is_replaced(client: httpx.AsyncClient, sent: str) -> None:
    response = await client.get("/health", headers=[(b"X-Request-ID", sent.encode("utf-8"))])

    returned = response.headers["x-request-id"]
    assert returned != sent
    assert len(returned) == 32


async def test_the_id_is_in_the_context_while_the_request_runs() -> None:
    seen: list[str | None] = []
    sent: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(request_id.get())
        await send(
            {"type": "http.response.start", "status": 204, "headers": [(b"x-request-id", b"old")]}
        )
        await send({"type": "http.response.body", "body": b""})

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "http.request"}

    scope = {"type": "http", "headers": [(b"X-Request-ID", b"req-1")]}
    await RequestIdMiddleware(app)(scope, receive, send)

    assert seen == ["req-1"]
    assert sent[0]["headers"] == [(b"x-request-id", b"req-1")]
    assert request_id.get() is None


async def test_an_unhandled_error_still_returns_the_id(settings: Settings) -> None:
    app = create_app(settings)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/boom", headers={"X-Request-ID": "failing-1"})

    assert response.status_code == 500
    assert response.headers["x-request-id"] == "failing-1"


def record(name: str, message: str, args: tuple[object, ...] = ()) -> logging.LogRecord:
    return logging.LogRecord(name, logging.INFO, __file__, 1, message, args, None)


def test_json_lines_carry_the_request_id_and_the_access_fields() -> None:
    access = record(
        "uvicorn.access", '%s - "%s %s HTTP/%s" %d', ("1.2.3.4:5", "GET", "/items?x=1", "1.1", 200)
    )
    token = request_id.set("req-2")
    try:
        line = JsonFormatter().format(access)
    finally:
        request_id.reset(token)

    entry = json.loads(line)
    assert entry["time"].endswith("+00:00")
    assert entry["level"] == "info"
    assert entry["logger"] == "uvicorn.access"
    assert entry["message"] == '1.2.3.4:5 - "GET /items?x=1 HTTP/1.1" 200'
    assert entry["request_id"] == "req-2"
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/items?x=1", 200)


def test_outside_a_request_the_id_is_null_and_errors_stay_on_one_line() -> None:
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        failed = logging.LogRecord("app", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())

    line = JsonFormatter().format(failed)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["request_id"] is None
    assert "ValueError: bad" in entry["exception"]


def test_text_lines_show_the_request_id() -> None:
    token = request_id.set("req-3")
    try:
        line = TextFormatter().format(record("app", "hello %s", ("there",)))
    finally:
        request_id.reset(token)

    assert line.endswith(" INFO    app [req-3] hello there")


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_log_config_configures_every_logger(log_format: str) -> None:
    script = (
        "import logging; from app.core.logs import configure_logging; "
        f"configure_logging('INFO', {log_format!r}); "
        "[logging.getLogger(n).info('from %s', n) for n in ('app', 'uvicorn.error', 'gunicorn.error')]; "
        "logging.getLogger('app').debug('hidden')"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )

    lines = result.stderr.splitlines()
    assert len(lines) == 3
    if log_format == "json":
        assert [json.loads(line)["message"] for line in lines] == [
            "from app",
            "from uvicorn.error",
            "from gunicorn.error",
        ]
    else:
        assert all(" [-] from " in line for line in lines)
