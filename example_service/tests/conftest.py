"""Test fixtures of the host application (added by `skf init`; the services' tests use them).

`database` runs a test on SQLite and again on PostgreSQL (the only place `SKIP LOCKED`,
native enums and concurrent claims are real). Each test gets empty tables; the application's
engine (`src.session.async_session`) is pointed at the test database for its duration.
`insert_rows` adds rows of any model, filling the columns a test does not care about.

PostgreSQL comes from `TEST_POSTGRES_URL` (default: the local server, database `test`); each
test session works in a database of its own, created here and dropped at the end. When the
server is unreachable its tests are skipped, except under `CI=true`, where they fail.
"""

import asyncio
import itertools
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import Column, Enum, Integer, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from src.models import Base
from src.session.async_session import configure_database, dispose_database, get_background_session

T = TypeVar("T")
POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


def run_in_thread(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` to completion on a private event loop (usable from inside a test's loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _reachable(url: URL) -> bool:
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=2):
            return True
    except OSError:
        return False


def _asyncpg_dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(url: URL, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def _empty_tables(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
        await connection.run_sync(Base.metadata.create_all)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database of this test session's own (dropped at the end)."""
    base = make_url(POSTGRES_URL)
    if not _reachable(base):
        message = f"PostgreSQL is unreachable at {base.render_as_string()}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message} (CI=true: PostgreSQL tests must run)", pytrace=False)
        pytest.skip(message)
    name = f"{base.database}_{uuid.uuid4().hex[:10]}"
    run_in_thread(_admin(base, f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        run_in_thread(_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Empty tables on the parametrized backend; yields the backend's name."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    await _empty_tables(configure_database(url))
    try:
        yield request.param
    finally:
        await dispose_database()


@pytest.fixture
async def postgres_database(postgres_url: str) -> AsyncIterator[str]:
    """Empty tables on PostgreSQL only; yields the database URL."""
    await _empty_tables(configure_database(postgres_url))
    try:
        yield postgres_url
    finally:
        await dispose_database()


def _placeholder(column: Column[Any], n: int) -> Any:
    """A value of `column`'s type, distinct for every `n`."""
    if isinstance(column.type, Enum) and column.type.enum_class is not None:
        return next(iter(column.type.enum_class))
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        python_type = object
    impl = getattr(column.type, "impl", column.type)
    now = datetime.now(UTC) if getattr(impl, "timezone", False) else datetime.now()
    if issubclass(python_type, str):
        return f"{column.name}-{n}"[-(getattr(impl, "length", None) or 64) :]
    values: dict[type, Any] = {
        bool: False,
        int: n,
        float: float(n),
        Decimal: Decimal(n),
        datetime: now,
        date: now.date(),
        time: now.time(),
        timedelta: timedelta(seconds=n),
        uuid.UUID: uuid.uuid4(),
        bytes: f"{n}".encode(),
        dict: {},
        list: [],
    }
    for kind, value in values.items():
        if issubclass(python_type, kind):
            return value
    raise TypeError(f"no placeholder for {column}: pass it to insert_rows")


def _required_values(model: type[Any], n: int) -> dict[str, Any]:
    """Placeholders for the columns the database needs and nothing else provides."""
    values: dict[str, Any] = {}
    for attribute in inspect(model).column_attrs:
        column = attribute.columns[0]
        if column.nullable or column.default is not None or column.server_default is not None:
            continue
        if column.primary_key and isinstance(column.type, Integer):
            continue  # the database numbers it
        if column.foreign_keys:
            raise TypeError(f"{column} references another table: pass it to insert_rows")
        values[attribute.key] = _placeholder(column, n)
    return values


@pytest.fixture
def insert_rows() -> Callable[..., Awaitable[list[Any]]]:
    """`await insert_rows(Model, count, **values)`: add `count` rows, return their keys.

    Columns the test does not set and the database requires get a placeholder of their type,
    distinct per row, so that unique constraints hold.
    """
    numbers = itertools.count(1)

    async def insert(model: type[Any], count: int, **values: Any) -> list[Any]:
        async with get_background_session() as session:
            rows = [
                model(**{**_required_values(model, next(numbers)), **values}) for _ in range(count)
            ]
            session.add_all(rows)
            await session.flush()
            return [inspect(row).identity[0] for row in rows]

    return insert
