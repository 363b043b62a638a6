"""HTTP routes of the example `items` resource."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status

from app.schemas.items import Item, ItemCreate
from app.services.items import ItemNotFoundError, ItemService

router = APIRouter(prefix="/items", tags=["items"])


def get_item_service(request: Request) -> ItemService:
    """The service created by the app's lifespan."""
    service: ItemService = request.app.state.item_service
    return service


Service = Annotated[ItemService, Depends(get_item_service)]


@router.get("")
async def list_items(service: Service) -> list[Item]:
    """List every item."""
    return service.list_all()


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_item(data: ItemCreate, service: Service) -> Item:
    """Create an item."""
    return service.create(data)


@router.get("/{item_id}")
async def get_item(item_id: int, service: Service) -> Item:
    """Read one item."""
    try:
        return service.get(item_id)
    except ItemNotFoundError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error


@router.delete("/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_item(item_id: int, service: Service) -> None:
    """Delete one item."""
    try:
        service.delete(item_id)
    except ItemNotFoundError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error
