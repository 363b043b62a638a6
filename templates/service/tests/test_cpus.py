import os
from pathlib import Path

from app.core.cpus import cpu_count


def available_cpus() -> int:
    return len(os.sched_getaffinity(0))


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
