"""Logs an operator can use: one JSON object per line, or readable text; a request id on each.

LOG_FORMAT=json (what the image sets) writes one JSON object per line with at least
`time` (ISO 8601, UTC), `level`, `logger`, `message` and `request_id` (JSON's empty
value outside a request); uvicorn's access lines add `method`, `path`, `status` and
`client`. The default, LOG_FORMAT=text, is meant for people (`make run`). Everything
goes to standard error.

RequestIdMiddleware gives every HTTP request an id: the client's X-Request-ID when it is
1-128 printable ASCII characters, else a new uuid4 (hex). It is returned in the
X-Request-ID response header and kept in the `request_id` context variable while the
request runs, so every line logged for it carries the id - uvicorn's access line
included, as uvicorn writes it when the response starts.

Standard library only: `python -m app` passes `log_config(...)` to uvicorn, gunicorn_config.py
to gunicorn (logconfig_dict), and the served `app.main:app` installs it too (`make run`).
"""

import json
import logging
import logging.config
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

LogFormat = Literal["json", "text"]

# The ASGI interface, as Starlette spells it (starlette.types), without importing Starlette.
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

HEADER = b"x-request-id"
MAX_REQUEST_ID_LENGTH = 128
TRACE = 5  # uvicorn's "trace" level, below logging.DEBUG
# Loggers of the servers, each with our handler (and not also the root's).
SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "gunicorn.error", "gunicorn.access")

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def client_request_id(value: bytes) -> str | None:
    """The client's X-Request-ID when it is usable (1-128 printable ASCII characters), else None."""
    if not 0 < len(value) <= MAX_REQUEST_ID_LENGTH or not all(
        0x20 <= byte <= 0x7E for byte in value
    ):
        return None
    return value.decode("ascii")


class RequestIdMiddleware:
    """Pure ASGI middleware: a request id per HTTP request, in the context and the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = next((value for name, value in scope["headers"] if name.lower() == HEADER), b"")
        current = client_request_id(sent) or uuid.uuid4().hex

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() != HEADER
                ]
                message = {**message, "headers": [*headers, (HEADER, current.encode("ascii"))]}
            await send(message)

        token = request_id.set(current)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)


def _access_fields(record: logging.LogRecord) -> dict[str, object]:
    """method, path, status and client of a uvicorn access line ('%s - "%s %s HTTP/%s" %d')."""
    args = record.args
    if record.name != "uvicorn.access" or not isinstance(args, tuple) or len(args) != 5:
        return {}
    client, method, path, _version, status = args
    return {"method": method, "path": path, "status": status, "client": client}


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": logging.getLevelName(record.levelno).lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id.get(),
        }
        entry.update(_access_fields(record))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    """Readable lines: time, level, logger, [request id or -], message."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.__dict__["request_id"] = request_id.get() or "-"
        return super().format(record)


def log_config(level: str, log_format: LogFormat) -> dict[str, Any]:
    """A logging.config.dictConfig configuration: the app's and the servers' loggers, one format."""
    threshold: int | str = TRACE if level.lower() == "trace" else level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": {"()": JsonFormatter if log_format == "json" else TextFormatter}},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": threshold, "handlers": ["default"]},
        "loggers": {
            name: {"level": threshold, "handlers": ["default"], "propagate": False}
            for name in SERVER_LOGGERS
        },
    }


def configure_logging(level: str, log_format: LogFormat) -> None:
    """Install log_config(level, log_format) for this process."""
    logging.config.dictConfig(log_config(level, log_format))
