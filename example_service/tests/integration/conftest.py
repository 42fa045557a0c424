"""Fixtures of the PostgreSQL integration tests: worker processes and an admin connection.

The helpers live in `integration_support.py`; this directory is put on `sys.path` so that
test modules import them by name (the suite runs with `--import-mode=importlib`, which does
not do it for us).
"""

import asyncio
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from src.scheduler_instance import scheduler

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from integration_support import WorkerPool, asyncpg_dsn  # noqa: E402  (needs the path above)


@pytest.fixture
def workers(postgres_database: str, tmp_path: Path) -> Iterator[WorkerPool]:
    """Starts worker processes on the test database; every one is killed at the end."""
    pool = WorkerPool(postgres_database, tmp_path)
    try:
        yield pool
    finally:
        pool.kill_all()
        print(pool.logs())  # shown by pytest when the test failed


@pytest.fixture
async def admin(postgres_database: str) -> AsyncIterator[asyncpg.Connection]:
    """A plain asyncpg connection to the test database, outside the application's pool."""
    connection = await asyncpg.connect(asyncpg_dsn(postgres_database))
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture
async def shared_scheduler() -> AsyncIterator[AsyncIOScheduler]:
    """The application's shared scheduler, for a test that starts it (directly, or through
    `background_services()`; the ASGI test transport does not run the app's lifespan).
    Afterwards it is stopped and emptied, so no job leaks into the next test."""
    assert not scheduler.running, "a previous test left the shared scheduler running"
    try:
        yield scheduler
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        # AsyncIOScheduler stops through a callback on the loop: let it run.
        for _ in range(100):
            if not scheduler.running:
                break
            await asyncio.sleep(0.01)
        scheduler.remove_all_jobs()
