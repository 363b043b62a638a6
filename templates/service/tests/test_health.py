import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_health_reports_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_openapi_lists_the_routes(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]

    assert "/health" in paths
    assert "/items" in paths
    assert "/items/{item_id}" in paths
