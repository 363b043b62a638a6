"""HTTP routes of the example `items` resource."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status

from app.db.session import Session
from app.schemas.items import Item, ItemCreate
from app.services.items import ItemNotFoundError, ItemService

router = APIRouter(prefix="/items", tags=["items"])


def get_item_service(session: Session) -> ItemService:
    """The service on the request's database session."""
    return ItemService(session)


Service = Annotated[ItemService, Depends(get_item_service)]


@router.get("")
async def list_items(service: Service) -> list[Item]:
    """List every item."""
    return await service.list_all()


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_item(data: ItemCreate, service: Service) -> Item:
    """Create an item."""
    return await service.create(data)


@router.get("/{item_id}")
async def get_item(item_id: int, service: Service) -> Item:
    """Read one item."""
    try:
        return await service.get(item_id)
    except ItemNotFoundError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error


@router.delete("/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_item(item_id: int, service: Service) -> None:
    """Delete one item."""
    try:
        await service.delete(item_id)
    except ItemNotFoundError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error
