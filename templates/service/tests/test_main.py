from typing import Any

import pytest
import uvicorn

import app.__main__ as entry
from app.core.config import get_settings


def test_serves_the_app_with_the_configured_port(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    def fake_run(target: str, **options: Any) -> None:
        calls.append({"target": target, **options})

    monkeypatch.setenv("PORT", "9200")
    monkeypatch.setenv("LOG_LEVEL", "warning")
    monkeypatch.setattr(uvicorn, "run", fake_run)
    get_settings.cache_clear()
    try:
        entry.main()
        settings = get_settings()
    finally:
        get_settings.cache_clear()

    assert calls == [
        {
            "target": "app.main:app",
            "host": settings.host,
            "port": 9200,
            "log_level": "warning",
            "proxy_headers": True,
            "forwarded_allow_ips": settings.forwarded_allow_ips,
        }
    ]
