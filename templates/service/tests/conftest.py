"""Shared fixtures: a test client running the real app with test settings."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from tests.settings import IsolatedSettings


@pytest.fixture
def settings() -> Settings:
    """Settings for tests, independent of a local `.env` file."""
    return IsolatedSettings(log_level="debug")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client whose app has run its startup (lifespan) code."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client
