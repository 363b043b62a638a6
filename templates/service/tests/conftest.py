"""Shared fixtures: an HTTP client talking to the real app, with test settings.

The client is httpx's own: requests go straight to the ASGI app in process
(no server, no sockets), and the app's lifespan runs around each test.
Tests that use it are async and run on anyio's pytest plugin.
"""

from collections.abc import AsyncIterator

import httpx
import pytest

from app.core.config import Settings
from app.main import create_app
from tests.settings import IsolatedSettings


@pytest.fixture
def anyio_backend() -> str:
    """Run the async tests on asyncio, the loop the service runs on."""
    return "asyncio"


@pytest.fixture
def settings() -> Settings:
    """Settings for tests, independent of a local `.env` file."""
    return IsolatedSettings(log_level="debug")


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
