"""Create the tables (development, demos and tests; production runs migrations)."""

from sqlalchemy.ext.asyncio import AsyncEngine

from src.models import Base
from src.session.async_session import get_engine


async def create_schema(engine: AsyncEngine | None = None) -> None:
    async with (engine or get_engine()).begin() as connection:
        await connection.run_sync(Base.metadata.create_all)


async def drop_schema(engine: AsyncEngine | None = None) -> None:
    async with (engine or get_engine()).begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
