import runpy
from pathlib import Path
from typing import Any

import pytest

from app.core.config import get_settings
from app.core.cpus import cpu_count
from app.core.logs import log_config

CONFIG = str(Path(__file__).resolve().parent.parent / "gunicorn_config.py")


def load() -> dict[str, Any]:
    return runpy.run_path(CONFIG)


def test_runs_uvicorn_workers_on_the_configured_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "9100")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")

    config = load()

    assert config["bind"] == "0.0.0.0:9100"
    assert config["workers"] == 3
    assert config["worker_class"] == "uvicorn_worker.UvicornWorker"


def test_trace_log_level_maps_to_gunicorn_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "TRACE")

    assert load()["loglevel"] == "debug"


def test_logs_in_the_configured_format(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_FORMAT", "Json")

    assert load()["logconfig_dict"] == log_config("info", "json")


def test_stops_inside_docker_stops_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load()["graceful_timeout"] == 5
    monkeypatch.setenv("GRACEFUL_TIMEOUT", "7")
    get_settings.cache_clear()
    assert load()["graceful_timeout"] == 7


def test_opens_no_control_socket() -> None:
    assert load()["control_socket_disable"] is True


def test_workers_default_to_the_cpus_the_container_may_use() -> None:
    assert load()["workers"] == cpu_count(Path("/sys/fs/cgroup"))


def test_reads_the_settings_with_their_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", "0")

    with pytest.raises(SystemExit, match="WEB_CONCURRENCY='0'"):
        load()
