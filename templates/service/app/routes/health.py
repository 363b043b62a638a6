"""Liveness endpoint used by the container HEALTHCHECK and orchestrators."""

from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """Health endpoint response."""

    status: str


@router.get("/health")
async def health() -> Health:
    """Report that the process is up and serving requests."""
    return Health(status="ok")
