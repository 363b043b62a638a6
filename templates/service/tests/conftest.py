"""Shared fixtures: an HTTP client talking to the real app, with test settings.

The client is httpx's own: requests go straight to the ASGI app in process
(no server, no sockets), and the app's lifespan runs around each test.
Tests that use it are async and run on anyio's pytest plugin.

No test reads the developer's `.env` or environment: before each test the
settings' variables are removed (in any case: pydantic-settings ignores case)
and `.env` is turned off; a test sets what it needs itself.
"""

import os
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from app.core.config import Settings, get_settings
from app.main import create_app


@pytest.fixture(autouse=True)
def isolated_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings from their defaults and what the test sets, never from `.env` or the shell."""
    fields = set(Settings.model_fields)
    for name in list(os.environ):
        if name.lower() in fields:
            monkeypatch.delenv(name)
    monkeypatch.setitem(Settings.model_config, "env_file", None)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def anyio_backend() -> str:
    """Run the async tests on asyncio, the loop the service runs on."""
    return "asyncio"


@pytest.fixture
def settings() -> Settings:
    """Settings for tests, independent of a local `.env` file."""
    return Settings(log_level="debug")


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose app has run its startup (lifespan) code."""
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as test_client,
    ):
        yield test_client
