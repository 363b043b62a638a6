import pytest
from fastapi.testclient import TestClient

from app.schemas.items import ItemCreate
from app.services.items import ItemNotFoundError, ItemService


def test_create_then_read_an_item(client: TestClient) -> None:
    created = client.post("/items", json={"name": "Widget", "price": 9.5})

    assert created.status_code == 201
    item = created.json()
    assert item == {"id": 1, "name": "Widget", "price": 9.5, "description": None}
    assert client.get(f"/items/{item['id']}").json() == item
    assert client.get("/items").json() == [item]


def test_delete_an_item(client: TestClient) -> None:
    item_id = client.post("/items", json={"name": "Gadget", "price": 1}).json()["id"]

    assert client.delete(f"/items/{item_id}").status_code == 204
    assert client.get(f"/items/{item_id}").status_code == 404
    assert client.delete(f"/items/{item_id}").status_code == 404


def test_unknown_item_is_404(client: TestClient) -> None:
    response = client.get("/items/999")

    assert response.status_code == 404
    assert response.json() == {"detail": "item 999 not found"}


@pytest.mark.parametrize(
    "payload",
    [{"name": "", "price": 1}, {"name": "Widget", "price": -1}, {"price": 1}],
)
def test_invalid_items_are_rejected(client: TestClient, payload: dict[str, object]) -> None:
    assert client.post("/items", json=payload).status_code == 422


def test_service_ids_increase_and_missing_ids_raise() -> None:
    service = ItemService()
    first = service.create(ItemCreate(name="a", price=1))
    second = service.create(ItemCreate(name="b", price=2))

    assert (first.id, second.id) == (1, 2)
    assert service.list_all() == [first, second]
    with pytest.raises(ItemNotFoundError):
        service.get(3)
