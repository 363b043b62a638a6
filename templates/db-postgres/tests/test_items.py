import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from app.schemas.items import ItemCreate
from app.services.items import ItemNotFoundError, ItemService
from tests.conftest import session_on

pytestmark = pytest.mark.anyio


async def test_create_then_read_an_item(client: httpx.AsyncClient) -> None:
    created = await client.post("/items", json={"name": "Widget", "price": 9.5})

    assert created.status_code == 201
    item = created.json()
    assert item == {"id": item["id"], "name": "Widget", "price": 9.5, "description": None}
    assert isinstance(item["id"], int)
    assert (await client.get(f"/items/{item['id']}")).json() == item
    assert item in (await client.get("/items")).json()


async def test_delete_an_item(client: httpx.AsyncClient) -> None:
    item_id = (await client.post("/items", json={"name": "Gadget", "price": 1})).json()["id"]

    assert (await client.delete(f"/items/{item_id}")).status_code == 204
    assert (await client.get(f"/items/{item_id}")).status_code == 404
    assert (await client.delete(f"/items/{item_id}")).status_code == 404


async def test_unknown_item_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/items/0")

    assert response.status_code == 404
    assert response.json() == {"detail": "item 0 not found"}


@pytest.mark.parametrize(
    "payload",
    [{"name": "", "price": 1}, {"name": "Widget", "price": -1}, {"price": 1}],
)
async def test_invalid_items_are_rejected(
    client: httpx.AsyncClient, payload: dict[str, object]
) -> None:
    assert (await client.post("/items", json=payload)).status_code == 422


async def test_service_ids_increase_and_missing_ids_raise(connection: AsyncConnection) -> None:
    async with session_on(connection) as session:
        service = ItemService(session)
        first = await service.create(ItemCreate(name="a", price=1))
        second = await service.create(ItemCreate(name="b", price=2, description="two"))

        assert second.id > first.id
        assert (await service.list_all())[-2:] == [first, second]
        assert await service.get(second.id) == second
        with pytest.raises(ItemNotFoundError):
            await service.get(0)


async def test_what_a_test_writes_is_rolled_back(connection: AsyncConnection) -> None:
    async with session_on(connection) as session:
        names = [item.name for item in await ItemService(session).list_all()]

    assert "Widget" not in names
    assert "Gadget" not in names
