"""A worker process for the integration tests: the real email_sender job in a process of its own.

The tests start several of these against one PostgreSQL database to get what coroutines in
one process cannot show: separate pools, separate event loops, and processes that can be
killed (SIGKILL) or frozen (SIGSTOP). Everything is configured through the environment, and
the application reads its settings at import, exactly as in production:

- `DATABASE_URL`, `EMAIL_SENDER_*`, `DB_POOL_SIZE`, ...: the application's own settings;
- `DRIVER_NAME`: this worker's name, recorded with each handler call;
- `DRIVER_MODE`: `loop` calls the job function until no row is Queued or Processing;
  `worker` runs the headless worker (`src.worker.run_worker`: the shared scheduler, its
  interval job and the wake-up listener) until SIGTERM;
- `DRIVER_HANDLER_DELAY_S`: how long each handler call takes (default 0);
- `DRIVER_FAIL=1`: every handler call raises;
- `DRIVER_RESULT=1`: handler calls of even ids return `{"body": "sent by <name>"}` (stored by
  the finish), odd ids return None (finished by the batch statement);
- `DRIVER_MAX_S`: a safety net so that no driver outlives a broken test (exit code 3).

The handler replaces `send_email_message` and records each call in the table
`handler_calls` before doing its work; the test creates that table with the unique constraint
it wants to enforce (one call per message, or one per attempt).
"""

import asyncio
import logging
import os
import sys
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import asyncpg
from sqlalchemy import Row, func, select
from sqlalchemy.engine import make_url
from src.config.settings import settings
from src.main import LOG_FORMAT
from src.models.email_message import EmailMessage, EmailStatus
from src.services import email_sender_scheduler as service
from src.session.async_session import dispose_database, get_background_session
from src.status_queue import Handler

NAME = os.environ.get("DRIVER_NAME", f"worker-{os.getpid()}")
MODE = os.environ.get("DRIVER_MODE", "loop")
DELAY_S = float(os.environ.get("DRIVER_HANDLER_DELAY_S", "0"))
FAIL = os.environ.get("DRIVER_FAIL") == "1"
RESULT = os.environ.get("DRIVER_RESULT") == "1"
MAX_S = float(os.environ.get("DRIVER_MAX_S", "60"))
POLL_S = 0.05

logger = logging.getLogger("worker_driver")


class HandlerFailedError(RuntimeError):
    pass


def make_handler(recorder: asyncpg.Pool) -> Handler:
    async def record_and_send(message: Row[Any]) -> Mapping[str, Any] | None:
        # Python's clock, like `claimed_at` and `available_at` (set by the application), so the
        # tests compare times taken from one clock.
        started_at = datetime.now(UTC)
        await recorder.execute(
            "INSERT INTO handler_calls (message_id, attempt, worker, claimed_at, available_at,"
            " started_at) VALUES ($1, $2, $3, $4, $5, $6)",
            message.id,
            message.attempts,
            NAME,
            message.claimed_at,
            message.available_at,
            started_at,
        )
        if DELAY_S:
            await asyncio.sleep(DELAY_S)
        if FAIL:
            raise HandlerFailedError(f"{NAME} always fails")
        if RESULT and message.id % 2 == 0:
            return {"body": f"sent by {NAME}"}
        return None

    return record_and_send


async def unfinished() -> int:
    async with get_background_session() as session:
        count = await session.scalar(
            select(func.count()).where(
                EmailMessage.status.in_([EmailStatus.Queued, EmailStatus.Processing])
            )
        )
    return count or 0


async def drain_loop() -> None:
    """Run the job back to back until nothing is Queued or Processing (rows that another
    worker holds keep this one polling, so it rescues them if their worker dies)."""
    while True:
        summary = await service.process_pending_email_messages()
        if summary.claimed == 0 and summary.rescued == 0:
            if await unfinished() == 0:
                return
            await asyncio.sleep(POLL_S)


async def main() -> int:
    dsn = make_url(settings.DATABASE_URL).set(drivername="postgresql")
    recorder = await asyncpg.create_pool(
        dsn.render_as_string(hide_password=False),
        min_size=1,
        max_size=settings.EMAIL_SENDER_CONCURRENCY,
    )
    # The job looks its handler up on the module at call time, as the unit tests rely on.
    service.send_email_message = make_handler(recorder)
    started = time.monotonic()
    logger.info("%s: started (pid %d, mode %s)", NAME, os.getpid(), MODE)
    try:
        if MODE == "worker":
            from src.worker import run_worker

            work = run_worker()
        else:
            work = drain_loop()
        await asyncio.wait_for(work, MAX_S)
    except TimeoutError:
        logger.error("%s: still running after %.0fs, giving up", NAME, MAX_S)
        return 3
    finally:
        await recorder.close()
        await dispose_database()
    logger.info("%s: done after %.2fs", NAME, time.monotonic() - started)
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, stream=sys.stderr)
    sys.exit(asyncio.run(main()))
