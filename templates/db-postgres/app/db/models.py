"""Database tables as SQLAlchemy 2 typed declarative models.

Alembic compares these with the database: `make revision m="..."` writes a migration
from the difference, and `alembic check` fails while one is missing.
"""

from sqlalchemy import Double, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# One naming convention for constraints and indexes, so migrations can name (and drop) them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every table; its metadata is what Alembic migrates."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ItemRecord(Base):
    """A row of the `items` table (the API's schemas are app/schemas/items.py)."""

    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    price: Mapped[float] = mapped_column(Double)
    description: Mapped[str | None] = mapped_column(String(1000))
