"""The example service behind the `items` routes, on the database (table `items`).

It works in the caller's session (one per request, app/db/session.py): the routes
do not know about the database, and tests run it inside a rolled-back transaction.
"""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import ItemRecord
from app.schemas.items import Item, ItemCreate


class ItemNotFoundError(LookupError):
    """Raised when an item id does not exist."""

    def __init__(self, item_id: int) -> None:
        super().__init__(f"item {item_id} not found")
        self.item_id = item_id


class ItemService:
    """Create, list, read and delete items stored in the database."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def list_all(self) -> list[Item]:
        """Return every item, oldest first."""
        records = await self._session.scalars(select(ItemRecord).order_by(ItemRecord.id))
        return [_item(record) for record in records]

    async def get(self, item_id: int) -> Item:
        """Return one item or raise ItemNotFoundError."""
        return _item(await self._record(item_id))

    async def create(self, data: ItemCreate) -> Item:
        """Store a new item and return it with its id."""
        record = ItemRecord(name=data.name, price=data.price, description=data.description)
        self._session.add(record)
        await self._session.commit()
        return _item(record)

    async def delete(self, item_id: int) -> None:
        """Remove an item or raise ItemNotFoundError."""
        await self._session.delete(await self._record(item_id))
        await self._session.commit()

    async def _record(self, item_id: int) -> ItemRecord:
        record = await self._session.get(ItemRecord, item_id)
        if record is None:
            raise ItemNotFoundError(item_id)
        return record


def _item(record: ItemRecord) -> Item:
    return Item.model_validate(record, from_attributes=True)
