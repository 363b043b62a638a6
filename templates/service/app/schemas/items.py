"""Models of the example `items` resource."""

from pydantic import BaseModel, Field


class ItemCreate(BaseModel):
    """What a client sends to create an item."""

    name: str = Field(min_length=1, max_length=100)
    price: float = Field(ge=0)
    description: str | None = Field(default=None, max_length=1000)


class Item(ItemCreate):
    """An item as stored and returned."""

    id: int
