"""Liveness and readiness: `/health` never touches the database, `/health/ready` checks it."""

import asyncio

import httpx
import pytest
from pydantic import SecretStr

from app.core.config import Settings
from app.main import create_app

pytestmark = pytest.mark.anyio

# Port 1 on this machine: nothing listens there, so connecting is refused at once.
UNREACHABLE = "postgresql+asyncpg://postgres@127.0.0.1:1/unreachable"


async def test_ready_when_the_database_answers(settings: Settings) -> None:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        ready = await client.get("/health/ready")
        # The app's own engine and sessions, as in production (no test transaction).
        listed = await client.get("/items")

    assert (ready.status_code, ready.json()) == (200, {"status": "ready", "detail": None})
    assert listed.status_code == 200


async def test_not_ready_while_the_database_is_unreachable(settings: Settings) -> None:
    unreachable = settings.model_copy(update={"database_url": SecretStr(UNREACHABLE)})
    app = create_app(unreachable)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        ready = await client.get("/health/ready")
        alive = await client.get("/health")

    assert ready.status_code == 503
    assert ready.json()["status"] == "unavailable"
    assert ready.json()["detail"].startswith("database unreachable: ")
    assert "127.0.0.1" not in ready.text
    assert (alive.status_code, alive.json()) == (200, {"status": "ok"})


async def test_readiness_gives_up_after_its_timeout(settings: Settings) -> None:
    # A server that accepts connections and never answers: the check stops at DB_READY_TIMEOUT.
    accepted: list[asyncio.StreamWriter] = []

    async def never_answer(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    silent = settings.model_copy(
        update={
            "database_url": SecretStr(f"postgresql+asyncpg://postgres@127.0.0.1:{port}/silent"),
            "db_ready_timeout": 0.5,
        }
    )
    app = create_app(silent)
    transport = httpx.ASGITransport(app=app)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
        ):
            ready = await client.get("/health/ready")
    finally:
        for writer in accepted:
            writer.close()
        server.close()
        await server.wait_closed()

    assert ready.status_code == 503
    assert ready.json()["detail"] == "database unreachable: timed out"
