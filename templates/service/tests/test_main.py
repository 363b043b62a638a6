import signal
from typing import Any

import pytest
import uvicorn

import app.__main__ as entry
from app.core.config import get_settings
from app.core.logs import log_config


def test_serves_the_app_with_the_configured_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    def fake_run(target: str, **options: Any) -> None:
        calls.append({"target": target, **options})

    monkeypatch.setenv("PORT", "9200")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    monkeypatch.setenv("LOG_FORMAT", "json")
    monkeypatch.setenv("TIMEOUT_GRACEFUL_SHUTDOWN", "3")
    monkeypatch.setattr(uvicorn, "run", fake_run)
    previous = signal.getsignal(signal.SIGTERM)
    try:
        entry.main()
        handler = signal.getsignal(signal.SIGTERM)
    finally:
        signal.signal(signal.SIGTERM, previous)
    settings = get_settings()

    assert calls == [
        {
            "target": "app.main:app",
            "host": settings.host,
            "port": 9200,
            "log_level": "warning",
            "log_config": log_config("warning", "json"),
            "proxy_headers": True,
            "forwarded_allow_ips": settings.forwarded_allow_ips,
            "timeout_graceful_shutdown": 3,
        }
    ]
    assert handler is entry.stopped


def test_sigterm_after_the_graceful_shutdown_exits_0() -> None:
    with pytest.raises(SystemExit) as stopped:
        entry.stopped(signal.SIGTERM, None)

    assert stopped.value.code == 0


def test_bad_settings_stop_before_serving(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_run(target: str, **options: Any) -> None:
        pytest.fail(f"served {target}")

    monkeypatch.setenv("LOG_FORMAT", "xml")
    monkeypatch.setattr(uvicorn, "run", fake_run)

    with pytest.raises(SystemExit, match="LOG_FORMAT='xml'"):
        entry.main()
