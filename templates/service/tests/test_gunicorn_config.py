import os
import runpy
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest

CONFIG = str(Path(__file__).resolve().parent.parent / "gunicorn_config.py")


def load() -> dict[str, Any]:
    return runpy.run_path(CONFIG)


def cpu_count(cgroup_root: Path) -> int:
    function = cast("Callable[[Path], int]", load()["cpu_count"])
    return function(cgroup_root)


def available_cpus() -> int:
    return len(os.sched_getaffinity(0))


def test_runs_uvicorn_workers_on_the_configured_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "9100")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")

    config = load()

    assert config["bind"] == "0.0.0.0:9100"
    assert config["workers"] == 3
    assert config["worker_class"] == "uvicorn_worker.UvicornWorker"


def test_trace_log_level_maps_to_gunicorn_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "trace")

    assert load()["loglevel"] == "debug"


def test_workers_default_to_the_cpus_the_container_may_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)

    assert load()["workers"] == cpu_count(Path("/sys/fs/cgroup"))


def test_cgroup_v2_cpu_limit_caps_the_workers(tmp_path: Path) -> None:
    (tmp_path / "cpu.max").write_text("100000 100000\n")  # docker run --cpus 1

    assert cpu_count(tmp_path) == 1


def test_cgroup_v2_fractional_limit_rounds_up(tmp_path: Path) -> None:
    (tmp_path / "cpu.max").write_text("150000 100000\n")  # --cpus 1.5

    assert cpu_count(tmp_path) == min(2, available_cpus())


def test_cgroup_v2_without_a_limit_uses_every_available_cpu(tmp_path: Path) -> None:
    (tmp_path / "cpu.max").write_text("max 100000\n")

    assert cpu_count(tmp_path) == available_cpus()


def test_cgroup_v1_cfs_quota_caps_the_workers(tmp_path: Path) -> None:
    v1 = tmp_path / "cpu,cpuacct"
    v1.mkdir()
    (v1 / "cpu.cfs_quota_us").write_text("50000\n")  # half a CPU
    (v1 / "cpu.cfs_period_us").write_text("100000\n")

    assert cpu_count(tmp_path) == 1


def test_cgroup_v1_without_a_quota_uses_every_available_cpu(tmp_path: Path) -> None:
    v1 = tmp_path / "cpu"
    v1.mkdir()
    (v1 / "cpu.cfs_quota_us").write_text("-1\n")
    (v1 / "cpu.cfs_period_us").write_text("100000\n")

    assert cpu_count(tmp_path) == available_cpus()


def test_no_cgroup_files_uses_every_available_cpu(tmp_path: Path) -> None:
    assert cpu_count(tmp_path) == available_cpus()


def test_web_concurrency_wins_over_the_cpu_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", "5")

    assert load()["workers"] == 5
