"""CPUs this process may use: its CPU set, capped by the container's CPU limit (cgroup).

gunicorn_config.py starts one worker per CPU from here. Standard library only.
"""

import math
import os
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def cpu_quota(cgroup_root: Path = CGROUP_ROOT) -> int | None:
    """CPUs the container's CPU limit allows (rounded up), or None without a limit.

    cgroup v2 writes the limit to `cpu.max` ("QUOTA PERIOD", or "max PERIOD");
    cgroup v1 to `cpu.cfs_quota_us` (-1 for none) and `cpu.cfs_period_us`.
    """
    v2 = _read(cgroup_root / "cpu.max")
    if v2 is not None:
        quota, _, period = v2.partition(" ")
        if quota == "max":
            return None
        return max(1, math.ceil(int(quota) / int(period or "100000")))
    for v1 in (cgroup_root / "cpu", cgroup_root / "cpu,cpuacct"):
        quota_us = _read(v1 / "cpu.cfs_quota_us")
        period_us = _read(v1 / "cpu.cfs_period_us")
        if quota_us is not None and period_us is not None:
            return None if int(quota_us) <= 0 else max(1, math.ceil(int(quota_us) / int(period_us)))
    return None


def cpu_count(cgroup_root: Path = CGROUP_ROOT) -> int:
    """CPUs this process may use: its CPU set, capped by the container's CPU limit."""
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        available = os.cpu_count() or 1
    quota = cpu_quota(cgroup_root)
    return available if quota is None else min(available, quota)
