"""In-memory item store: the example service behind the `items` routes.

Swap it for a database-backed class with the same methods when you need
persistence; the routes do not change.
"""

from app.schemas.items import Item, ItemCreate


class ItemNotFoundError(LookupError):
    """Raised when an item id does not exist."""

    def __init__(self, item_id: int) -> None:
        super().__init__(f"item {item_id} not found")
        self.item_id = item_id


class ItemService:
    """Create, list, read and delete items kept in process memory."""

    def __init__(self) -> None:
        self._items: dict[int, Item] = {}
        self._next_id = 1

    def list_all(self) -> list[Item]:
        """Return every item, oldest first."""
        return list(self._items.values())

    def get(self, item_id: int) -> Item:
        """Return one item or raise ItemNotFoundError."""
        try:
            return self._items[item_id]
        except KeyError:
            raise ItemNotFoundError(item_id) from None

    def create(self, data: ItemCreate) -> Item:
        """Store a new item and return it with its id."""
        item = Item(id=self._next_id, **data.model_dump())
        self._items[item.id] = item
        self._next_id += 1
        return item

    def delete(self, item_id: int) -> None:
        """Remove an item or raise ItemNotFoundError."""
        if self._items.pop(item_id, None) is None:
            raise ItemNotFoundError(item_id)

    def clear(self) -> None:
        """Forget every item."""
        self._items.clear()
