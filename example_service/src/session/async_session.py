"""The process's one database engine and the session factory background jobs use.

One engine means one pool budget (`DB_POOL_SIZE` + `DB_MAX_OVERFLOW`) for the API and every
background service together, instead of one pool per module.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from src.config.settings import settings

_engine: AsyncEngine | None = None
_sessions: async_sessionmaker[AsyncSession] | None = None


def _pings_on_checkout(url: str) -> bool:
    """Whether `_ping_on_checkout` replaces SQLAlchemy's pre-ping (asyncpg, no PgBouncer)."""
    parsed = make_url(url)
    return (
        parsed.get_backend_name() == "postgresql"
        and parsed.get_driver_name() == "asyncpg"
        and not settings.DB_PGBOUNCER_TRANSACTION_MODE
    )


def _engine_options(url: str) -> dict[str, Any]:
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        # SQLite has no server: waiting for its file lock is the only pool tuning it needs.
        return {"connect_args": {"timeout": settings.DB_POOL_TIMEOUT_SECONDS}}
    options: dict[str, Any] = {
        "pool_size": settings.DB_POOL_SIZE,
        "max_overflow": settings.DB_MAX_OVERFLOW,
        "pool_timeout": settings.DB_POOL_TIMEOUT_SECONDS,
        "pool_pre_ping": True,
    }
    if backend == "postgresql" and settings.DB_PGBOUNCER_TRANSACTION_MODE:
        # Transaction-mode PgBouncer hands each transaction to any server connection, so
        # named prepared statements from an earlier transaction may not exist there.
        options["connect_args"] = {"statement_cache_size": 0, "prepared_statement_cache_size": 0}
        options["pool_pre_ping"] = False
    elif _pings_on_checkout(url):
        options["pool_pre_ping"] = False  # `_ping_on_checkout` does it, for a third the cost
    return options


def _ping_on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Check a pooled connection before handing it out: one round trip.

    SQLAlchemy's pre-ping on asyncpg wraps its ping in BEGIN ... ROLLBACK for PgBouncer's
    transaction mode: three round trips on every checkout, and a background job checks a
    connection out at least twice per batch. Behind PgBouncer the ping is off anyway.
    """
    try:
        dbapi_connection.run_async(lambda connection: connection.fetchrow(";"))
    except Exception as error:
        # As SQLAlchemy's pre-ping does: a dead connection means the server restarted or
        # failed over, so every pooled connection is replaced, this one at once.
        raise InvalidatePoolError(f"pooled connection failed its ping: {error!r}") from error


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the API read while a job writes; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def configure_database(url: str | None = None) -> AsyncEngine:
    """(Re)create the engine for `url` (default: `settings.DATABASE_URL`).

    Called lazily on first use; tests call it to point the application at their database.
    """
    global _engine, _sessions
    url = url or settings.DATABASE_URL
    engine = create_async_engine(url, **_engine_options(url))
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _on_sqlite_connect)
    elif _pings_on_checkout(url):
        event.listen(engine.sync_engine, "checkout", _ping_on_checkout)
    _engine = engine
    _sessions = async_sessionmaker(engine, expire_on_commit=False)
    return engine


def get_engine() -> AsyncEngine:
    return _engine if _engine is not None else configure_database()


async def dispose_database() -> None:
    global _engine, _sessions
    if _engine is not None:
        await _engine.dispose()
    _engine = None
    _sessions = None


@asynccontextmanager
async def get_background_session() -> AsyncIterator[AsyncSession]:
    """A session for one short unit of work: committed on success, rolled back on error.

    Background jobs keep these blocks short and never await slow non-database work inside
    them, so no connection or row lock is held while a handler talks to the outside world.
    """
    if _sessions is None:
        configure_database()
    assert _sessions is not None
    async with _sessions() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


async def get_db_session() -> AsyncIterator[AsyncSession]:
    """FastAPI dependency: one session per request, committed when the handler succeeds."""
    async with get_background_session() as session:
        yield session
