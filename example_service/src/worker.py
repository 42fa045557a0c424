"""A headless worker process: the background services without the HTTP API.

Run several (`python -m src.worker`) against PostgreSQL to scale out: `SKIP LOCKED` claims
keep them from ever processing the same row. SIGTERM stops it gracefully.
"""

import asyncio
import logging
import signal

from src.config.settings import settings
from src.main import LOG_FORMAT, background_services
from src.session.async_session import dispose_database


async def run_worker() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with background_services():
            await stop.wait()
    finally:
        await dispose_database()


if __name__ == "__main__":
    logging.basicConfig(level=settings.LOG_LEVEL, format=LOG_FORMAT)
    asyncio.run(run_worker())
