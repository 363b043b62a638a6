"""Readiness: can the service reach its database?

`/health` stays the liveness probe and never touches the database (a database outage must
not get the container restarted); `/health/ready` runs `SELECT 1` with a short timeout and
answers 503 while the database is unreachable, so a load balancer stops sending traffic.
"""

import asyncio
import logging
from typing import Literal

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel
from sqlalchemy import text

from app.core.config import Settings
from app.db.session import Engine

router = APIRouter(tags=["health"])
logger = logging.getLogger(__name__)


class Readiness(BaseModel):
    """Readiness endpoint response: why not, when not ready."""

    status: Literal["ready", "unavailable"]
    detail: str | None = None


@router.get(
    "/health/ready",
    responses={503: {"model": Readiness, "description": "The database is unreachable"}},
)
async def ready(engine: Engine, request: Request, response: Response) -> Readiness:
    """Report whether the database answers `SELECT 1` within DB_READY_TIMEOUT seconds."""
    settings: Settings = request.app.state.settings
    try:
        async with asyncio.timeout(settings.db_ready_timeout), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure to answer means not ready
        reason = "timed out" if isinstance(error, TimeoutError) else type(error).__name__
        logger.warning("not ready: the database is unreachable (%s)", reason)
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return Readiness(status="unavailable", detail=f"database unreachable: {reason}")
    return Readiness(status="ready")
