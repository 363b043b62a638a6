import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI

import app.main

PROJECT = Path(__file__).resolve().parent.parent


def test_importing_the_app_reads_no_settings(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PORT=80800\nLOG_LEVEL=LOUD\nLOG_FORMAT=xml\n")
    hostile = {"PORT": "80800", "LOG_LEVEL": "LOUD", "LOG_FORMAT": "xml"}
    result = subprocess.run(
        [sys.executable, "-c", "import app.main, tests.conftest"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(PROJECT), **hostile},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert (result.returncode, result.stderr) == (0, "")


def test_the_served_app_is_built_once_with_logging_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configured: list[tuple[str, str]] = []

    def configure_logging(level: str, log_format: str) -> None:
        configured.append((level, log_format))

    monkeypatch.setattr(app.main, "configure_logging", configure_logging)
    monkeypatch.setenv("APP_NAME", "served")
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    app.main.served_app.cache_clear()
    try:
        served = app.main.app
        again = app.main.app
    finally:
        app.main.served_app.cache_clear()

    assert isinstance(served, FastAPI)
    assert served is again
    assert served.title == "served"
    assert configured == [("debug", "text")]


def test_bad_settings_stop_the_served_app_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "80800")
    app.main.served_app.cache_clear()

    with pytest.raises(SystemExit, match="PORT='80800'"):
        _ = app.main.app


def test_other_names_are_still_missing() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = app.main.nothing
