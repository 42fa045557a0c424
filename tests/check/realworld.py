"""A host written the way REAL_WORLD.md's teams write services, compliant in substance:
jobs under `src/services/background/`, one claim delegated to a shared `run_job_loop` helper
and one written by hand with `import sqlalchemy as sa`, the shared scheduler imported under
another name, `IntervalTrigger(...)`, settings through a cached `get_settings()` and imported
inside functions, `session.scalars(stmt)`."""

SETTINGS = """\
from functools import lru_cache

from pydantic import PositiveInt
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    DATABASE_URL: str = "sqlite+aiosqlite:///./app.db"
    CONTACT_SYNC_INTERVAL_MINUTES: PositiveInt = 5
    CONTACT_SYNC_BATCH_SIZE: PositiveInt = 25
    CONTACT_SYNC_MAX_INSTANCES: PositiveInt = 1
    CONTACT_SYNC_MISFIRE_GRACE_SECONDS: PositiveInt = 600
    PAGE_SCRAPE_INTERVAL_SECONDS: PositiveInt = 120
    PAGE_SCRAPE_BATCH_SIZE: PositiveInt = 10
    PAGE_SCRAPE_MAX_INSTANCES: PositiveInt = 1
    PAGE_SCRAPE_MISFIRE_GRACE_SECONDS: PositiveInt = 300
    JOB_LEASE_MINUTES: PositiveInt = 15

    @property
    def async_url(self) -> str:
        return self.DATABASE_URL


@lru_cache
def get_settings() -> Settings:
    return Settings()


settings = get_settings()
"""

SCHEDULER = """\
from apscheduler.schedulers.asyncio import AsyncIOScheduler

scheduler = AsyncIOScheduler()
"""

SESSION = """\
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from src.config.settings import settings

engine = create_async_engine(settings.DATABASE_URL)
sessions = async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def get_background_session() -> AsyncIterator[AsyncSession]:
    async with sessions() as session, session.begin():
        yield session
"""

MODELS = """\
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class ContactStatus(str, enum.Enum):
    queued = "queued"
    processing = "processing"
    completed = "completed"
    failed = "failed"


class PageStatus(enum.Enum):
    Queued = "Queued"
    Processing = "Processing"
    Complete = "Complete"
    Error = "Error"


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(320))
    sync_status: Mapped[ContactStatus] = mapped_column(
        sa.Enum(
            ContactStatus,
            name="contact_sync_status",
            values_callable=lambda members: [m.value for m in members],
        )
    )
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class Page(Base):
    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[PageStatus] = mapped_column(sa.Enum(PageStatus, name="page_status"))
    claimed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
"""

JOB_LOOP = '''\
"""The claim every delegating job shares: quick DB, release, slow work, quick DB."""

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from src.session.async_session import get_background_session

logger = logging.getLogger(__name__)


async def run_job_loop(
    *,
    model: Any,
    queued_status: Any,
    processing_status: Any,
    completed_status: Any,
    error_status: Any,
    batch_size: int,
    lease_minutes: int,
    process_item: Callable[[Any], Awaitable[None]],
) -> int:
    logger.info("%s: run started", model.__tablename__)
    cutoff = datetime.now(UTC) - timedelta(minutes=lease_minutes)
    async with get_background_session() as session:
        await session.execute(
            update(model)
            .where(model.sync_status == processing_status, model.updated_at < cutoff)
            .values(sync_status=queued_status)
        )
    async with get_background_session() as session:
        stmt = (
            select(model)
            .where(model.sync_status == queued_status)
            .limit(batch_size)
            .with_for_update(skip_locked=True)
        )
        items = (await session.scalars(stmt)).all()
        for item in items:
            item.sync_status = processing_status
            item.updated_at = datetime.now(UTC)
    done = 0
    for item in items:
        try:
            await process_item(item)
        except Exception:
            logger.exception("%s %s failed", model.__tablename__, item.id)
            new_status = error_status
        else:
            new_status = completed_status
            done += 1
        async with get_background_session() as session:
            await session.execute(
                update(model).where(model.id == item.id).values(sync_status=new_status)
            )
    logger.info("%s: run finished, %d of %d done", model.__tablename__, done, len(items))
    return done
'''

CONTACT_SYNC = '''\
"""contact_sync: pushes queued contacts to the CRM."""

from apscheduler.triggers.interval import IntervalTrigger

from src.config.settings import get_settings
from src.integrations.crm import push_contact
from src.models.models import Contact, ContactStatus
from src.scheduler_instance import scheduler as shared
from src.services.job_loop import run_job_loop


async def process_pending_contacts() -> int:
    from src.config.settings import settings

    return await run_job_loop(
        model=Contact,
        queued_status=ContactStatus.queued,
        processing_status=ContactStatus.processing,
        completed_status=ContactStatus.completed,
        error_status=ContactStatus.failed,
        batch_size=settings.CONTACT_SYNC_BATCH_SIZE,
        lease_minutes=settings.JOB_LEASE_MINUTES,
        process_item=push_contact,
    )


def setup_contact_sync_scheduler() -> None:
    config = get_settings()
    shared.add_job(
        process_pending_contacts,
        IntervalTrigger(minutes=config.CONTACT_SYNC_INTERVAL_MINUTES),
        id="process_pending_contacts",
        max_instances=config.CONTACT_SYNC_MAX_INSTANCES,
        misfire_grace_time=get_settings().CONTACT_SYNC_MISFIRE_GRACE_SECONDS,
        replace_existing=True,
    )
'''

PAGE_SCRAPE = '''\
"""page_scrape: fetches queued pages."""

import logging
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from src.integrations.http import fetch
from src.models.models import Page, PageStatus
from src.scheduler_instance import scheduler
from src.session.async_session import get_background_session

logger = logging.getLogger(__name__)


def _settings():
    from src.config.settings import settings

    return settings


async def process_pending_pages(limit: int = _settings().PAGE_SCRAPE_BATCH_SIZE) -> None:
    logger.info("page_scrape: run started")
    async with get_background_session() as session:
        stale = datetime.now(UTC) - timedelta(minutes=_settings().JOB_LEASE_MINUTES)
        await session.execute(
            sa.update(Page)
            .where(Page.status == PageStatus.Processing, Page.claimed_at < stale)
            .values(status=PageStatus.Queued)
        )
        stmt = (
            sa.select(Page)
            .where(Page.status == PageStatus.Queued)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        pages = (await session.scalars(stmt)).all()
        for page in pages:
            page.status = PageStatus.Processing
            page.claimed_at = datetime.now(UTC)
    for page in pages:
        try:
            await fetch(page.url)
        except Exception:
            logger.exception("page %s failed", page.id)
            status = PageStatus.Error
        else:
            status = PageStatus.Complete
        async with get_background_session() as session:
            await session.execute(
                sa.update(Page).where(Page.id == page.id).values(status=status)
            )
    logger.info("page_scrape: run finished (%d pages)", len(pages))


def setup_page_scrape_scheduler() -> None:
    from src.config.settings import settings

    scheduler.add_job(
        process_pending_pages,
        "interval",
        seconds=settings.PAGE_SCRAPE_INTERVAL_SECONDS,
        id="process_pending_pages",
        max_instances=settings.PAGE_SCRAPE_MAX_INSTANCES,
        misfire_grace_time=settings.PAGE_SCRAPE_MISFIRE_GRACE_SECONDS,
        replace_existing=True,
    )
'''

MAIN = """\
from src.scheduler_instance import scheduler
from src.services.background.contact_sync_scheduler import setup_contact_sync_scheduler
from src.services.background.page_scrape_scheduler import setup_page_scrape_scheduler


def start() -> None:
    setup_contact_sync_scheduler()
    setup_page_scrape_scheduler()
    scheduler.start()
"""

COMPOSE = """\
services:
  app:
    build: .
    environment:
      - DATABASE_URL=postgresql+asyncpg://app@db/app
      - CONTACT_SYNC_INTERVAL_MINUTES=5
      - CONTACT_SYNC_BATCH_SIZE=25
      - CONTACT_SYNC_MAX_INSTANCES=1
      - CONTACT_SYNC_MISFIRE_GRACE_SECONDS=600
      - JOB_LEASE_MINUTES=15
    env_file: .env.scrape
  db:
    image: postgres:16
"""

ENV_SCRAPE = """\
# page_scrape
PAGE_SCRAPE_INTERVAL_SECONDS=120
PAGE_SCRAPE_BATCH_SIZE=10
export PAGE_SCRAPE_MAX_INSTANCES=1
PAGE_SCRAPE_MISFIRE_GRACE_SECONDS=300
"""

DOC = """\
# Background services

## Authoritative ENUMs

### ContactStatus

- `queued`: waiting
- `processing`: claimed
- `completed`: pushed
- `failed`: gave up

### PageStatus

| Value | Meaning |
| --- | --- |
| `Queued` | waiting |
| `Processing` | claimed |
| `Complete` | fetched |
| `Error` | failed |

## Jobs

### contact_sync

`process_pending_contacts` pushes `contacts` rows in `queued` through `run_job_loop`.
Env: `CONTACT_SYNC_INTERVAL_MINUTES`, `CONTACT_SYNC_BATCH_SIZE`, `CONTACT_SYNC_MAX_INSTANCES`,
`CONTACT_SYNC_MISFIRE_GRACE_SECONDS`, `JOB_LEASE_MINUTES`.

### page_scrape

`process_pending_pages` fetches `Page` rows in `Queued`. Env: `PAGE_SCRAPE_INTERVAL_SECONDS`,
`PAGE_SCRAPE_BATCH_SIZE`, `PAGE_SCRAPE_MAX_INSTANCES`, `PAGE_SCRAPE_MISFIRE_GRACE_SECONDS`,
`JOB_LEASE_MINUTES`.
"""

TESTS = """\
import pytest

from src.services.background import contact_sync_scheduler, page_scrape_scheduler
from src.services.background.page_scrape_scheduler import process_pending_pages


async def test_pushes_queued_contacts(database):
    assert await contact_sync_scheduler.process_pending_contacts() == 0


async def test_a_crm_failure_marks_the_contact_failed(database, monkeypatch):
    async def broken(item):
        raise ConnectionError("crm down")

    monkeypatch.setattr("src.integrations.crm.push_contact", broken)
    await contact_sync_scheduler.process_pending_contacts()


async def test_fetches_queued_pages(database):
    await process_pending_pages()


async def test_fetch_errors_end_in_error(database):
    with pytest.raises(ConnectionError):
        await page_scrape_scheduler.process_pending_pages(limit=1)
"""

FILES = {
    "pyproject.toml": '[project]\nname = "crm"\nversion = "1"\n',
    "src/__init__.py": "",
    "src/config/__init__.py": "",
    "src/config/settings.py": SETTINGS,
    "src/scheduler_instance.py": SCHEDULER,
    "src/session/__init__.py": "",
    "src/session/async_session.py": SESSION,
    "src/models/__init__.py": "",
    "src/models/models.py": MODELS,
    "src/integrations/__init__.py": "",
    "src/integrations/crm.py": "async def push_contact(contact):\n    return None\n",
    "src/integrations/http.py": "async def fetch(url):\n    return url\n",
    "src/services/__init__.py": "",
    "src/services/job_loop.py": JOB_LOOP,
    "src/services/background/__init__.py": "",
    "src/services/background/contact_sync_scheduler.py": CONTACT_SYNC,
    "src/services/background/page_scrape_scheduler.py": PAGE_SCRAPE,
    "src/main.py": MAIN,
    "docker-compose.yml": COMPOSE,
    ".env.scrape": ENV_SCRAPE,
    "Docs/Docs_6_Architecture_and_Status/BACKGROUND_SERVICES_ARCHITECTURE.md": DOC,
    "tests/test_jobs.py": TESTS,
}
