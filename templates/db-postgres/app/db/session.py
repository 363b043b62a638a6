"""The async engine (asyncpg) and the sessions: one engine per process, one session per request.

The app's lifespan (app/main.py) creates the engine at startup and disposes of it at shutdown;
routes get a session through the `Session` dependency, closed when the request ends.
"""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from app.core.config import Settings


def create_engine(settings: Settings) -> AsyncEngine:
    """The process's engine, its pool sized by the settings. It connects on first use."""
    return create_async_engine(
        settings.database_url.get_secret_value(),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_recycle=settings.db_pool_recycle,
        # A pooled connection the server closed (restart, failover) is replaced, not handed out.
        pool_pre_ping=True,
    )


def create_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions on `engine`; objects stay readable after commit (no lazy reload in async code)."""
    return async_sessionmaker(engine, expire_on_commit=False)


def get_engine(request: Request) -> AsyncEngine:
    """The engine created by the app's lifespan."""
    engine: AsyncEngine = request.app.state.engine
    return engine


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session for one request, closed (and any open transaction rolled back) at its end."""
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    async with sessions() as session:
        yield session


Engine = Annotated[AsyncEngine, Depends(get_engine)]
Session = Annotated[AsyncSession, Depends(get_session)]
