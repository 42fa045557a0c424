"""Test fixtures of the host application.

`database` runs a test on SQLite and again on PostgreSQL (the only place `SKIP LOCKED`,
native enums and concurrent claims are real). Each test gets empty tables; the application's
engine (`src.session.async_session`) is pointed at the test database for its duration.

PostgreSQL comes from `TEST_POSTGRES_URL` (default: the local server, database `test`); each
test session works in a database of its own, created here and dropped at the end. When the
server is unreachable its tests are skipped, except under `CI=true`, where they fail.
"""

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy.engine import URL, make_url
from src.schema import create_schema, drop_schema
from src.session import async_session

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
    engine = async_session.configure_database(url)
    await drop_schema(engine)
    await create_schema(engine)
    try:
        yield request.param
    finally:
        await async_session.dispose_database()


@pytest.fixture
async def postgres_database(postgres_url: str) -> AsyncIterator[str]:
    """Empty tables on PostgreSQL only; yields the database URL."""
    engine = async_session.configure_database(postgres_url)
    await drop_schema(engine)
    await create_schema(engine)
    try:
        yield postgres_url
    finally:
        await async_session.dispose_database()
