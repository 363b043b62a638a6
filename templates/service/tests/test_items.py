import httpx
import pytest

from app.schemas.items import ItemCreate
from app.services.items import ItemNotFoundError, ItemService


@pytest.mark.anyio
async def test_create_then_read_an_item(client: httpx.AsyncClient) -> None:
    created = await client.post("/items", json={"name": "Widget", "price": 9.5})

    assert created.status_code == 201
    item = created.json()
    assert item == {"id": 1, "name": "Widget", "price": 9.5, "description": None}
    assert (await client.get(f"/items/{item['id']}")).json() == item
    assert (await client.get("/items")).json() == [item]


@pytest.mark.anyio
async def test_delete_an_item(client: httpx.AsyncClient) -> None:
    item_id = (await client.post("/items", json={"name": "Gadget", "price": 1})).json()["id"]

    assert (await client.delete(f"/items/{item_id}")).status_code == 204
    assert (await client.get(f"/items/{item_id}")).status_code == 404
    assert (await client.delete(f"/items/{item_id}")).status_code == 404


@pytest.mark.anyio
async def test_unknown_item_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/items/999")

    assert response.status_code == 404
    assert response.json() == {"detail": "item 999 not found"}


@pytest.mark.anyio
@pytest.mark.parametrize(
    "payload",
    [{"name": "", "price": 1}, {"name": "Widget", "price": -1}, {"price": 1}],
)
async def test_invalid_items_are_rejected(
    client: httpx.AsyncClient, payload: dict[str, object]
) -> None:
    assert (await client.post("/items", json=payload)).status_code == 422


def test_service_ids_increase_and_missing_ids_raise() -> None:
    service = ItemService()
    first = service.create(ItemCreate(name="a", price=1))
    second = service.create(ItemCreate(name="b", price=2))

    assert (first.id, second.id) == (1, 2)
    assert service.list_all() == [first, second]
    with pytest.raises(ItemNotFoundError):
        service.get(3)
