import runpy
from pathlib import Path

import pytest

CONFIG = str(Path(__file__).resolve().parent.parent / "gunicorn_config.py")


def test_runs_uvicorn_workers_on_the_configured_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "9100")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")

    config = runpy.run_path(CONFIG)

    assert config["bind"] == "0.0.0.0:9100"
    assert config["workers"] == 3
    assert config["worker_class"] == "uvicorn_worker.UvicornWorker"


def test_trace_log_level_maps_to_gunicorn_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "trace")

    assert runpy.run_path(CONFIG)["loglevel"] == "debug"


def test_worker_count_defaults_to_available_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)

    assert runpy.run_path(CONFIG)["workers"] >= 1
