"""The FastAPI application: HTTP API plus the background services on the shared scheduler."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from src.api import background, dev_tools, emails
from src.config.settings import settings
from src.scheduler_instance import scheduler
from src.schema import create_schema
from src.services.email_sender_scheduler import setup_email_sender_scheduler
from src.services.sitemap_scanner_scheduler import setup_sitemap_scanner_scheduler
from src.session.async_session import dispose_database
from src.status_queue import wait_until_idle, wakeup_listener

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@asynccontextmanager
async def background_services() -> AsyncIterator[None]:
    """Run every background service on the shared scheduler for the life of the block."""
    setup_email_sender_scheduler()
    setup_sitemap_scanner_scheduler()
    scheduler.start()
    await wakeup_listener.start(settings.DATABASE_URL)
    try:
        yield
    finally:
        # Start no new runs, let running ones finish their batch, then stop.
        scheduler.pause()
        await wakeup_listener.stop()
        await wait_until_idle(settings.SHUTDOWN_GRACE_SECONDS)
        scheduler.shutdown(wait=False)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    logging.basicConfig(level=settings.LOG_LEVEL, format=LOG_FORMAT)
    await create_schema()
    try:
        async with background_services():
            yield
    finally:
        await dispose_database()


app = FastAPI(title="example_service", lifespan=lifespan)
app.include_router(emails.router)
app.include_router(background.router)
app.include_router(dev_tools.router)
