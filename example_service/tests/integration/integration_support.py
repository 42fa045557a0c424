"""Helpers of the PostgreSQL integration tests: worker processes, polling, table helpers.

Worker processes run `worker_driver.py` (the real job, with a handler that records each call
in `handler_calls`). The `workers` fixture kills every process a test started whatever
happened, and prints their logs (pytest shows them when the test fails).
"""

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from src.models.email_message import EmailMessage, EmailStatus
from src.session.async_session import get_background_session

HERE = Path(__file__).resolve().parent
APP_ROOT = HERE.parents[1]  # example_service/, where `src` lives
DRIVER = HERE / "worker_driver.py"


def asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def wait_for(
    condition: Callable[[], Awaitable[bool]], timeout_s: float, what: str, every_s: float = 0.05
) -> None:
    """Poll `condition` until it holds; fail the test after `timeout_s` (never a fixed sleep)."""
    deadline = time.monotonic() + timeout_s
    while not await condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s:g}s waiting for {what}")
        await asyncio.sleep(every_s)


async def terminate_backend(admin: asyncpg.Connection, pid: int) -> None:
    """Terminate `pid` and wait until the server has ended it (termination is asynchronous)."""
    await admin.execute("SELECT pg_terminate_backend($1)", pid)

    async def gone() -> bool:
        return not await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid)

    await wait_for(gone, 10, f"backend {pid} to end", every_s=0.01)


@dataclass
class Worker:
    """One worker process and its log file."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def signal(self, signum: signal.Signals) -> None:
        self.process.send_signal(signum)

    async def wait(self, timeout_s: float) -> int:
        """The exit code, waited for without blocking the event loop."""
        deadline = time.monotonic() + timeout_s
        while (code := self.process.poll()) is None:
            if time.monotonic() > deadline:
                pytest.fail(f"worker {self.name} still running after {timeout_s:g}s:\n{self.log}")
            await asyncio.sleep(0.05)
        return code


@dataclass
class WorkerPool:
    """Starts worker processes against the test database; kills them all at the end."""

    database_url: str
    directory: Path
    workers: list[Worker] = field(default_factory=list)

    def start(self, name: str, **env: str | float | int) -> Worker:
        environment = {
            **os.environ,
            "PYTHONPATH": str(APP_ROOT),
            "DATABASE_URL": self.database_url,
            "DRIVER_NAME": name,
            # A small pool per process: several workers share one server with other tests.
            "DB_POOL_SIZE": "2",
            "DB_MAX_OVERFLOW": "2",
            **{key: str(value) for key, value in env.items()},
        }
        log_path = self.directory / f"{name}.log"
        with log_path.open("wb") as log:
            # The working directory is a scratch directory: no `.env` file is picked up, and
            # nothing is written into the repository.
            process = subprocess.Popen(
                [sys.executable, str(DRIVER)],
                cwd=self.directory,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        worker = Worker(name, process, log_path)
        self.workers.append(worker)
        return worker

    def kill_all(self) -> None:
        for worker in self.workers:
            if worker.process.poll() is None:
                # A frozen (SIGSTOPped) process only dies of SIGKILL; SIGCONT is harmless.
                worker.process.send_signal(signal.SIGCONT)
                worker.process.kill()
            worker.process.wait(timeout=10)

    def logs(self) -> str:
        return "\n".join(f"--- {w.name} ---\n{w.log}" for w in self.workers)


CALLS_TABLE = """
    DROP TABLE IF EXISTS handler_calls;
    CREATE TABLE handler_calls (
        message_id integer NOT NULL,
        attempt integer NOT NULL,
        worker text NOT NULL,
        claimed_at timestamptz NOT NULL,
        available_at timestamptz NOT NULL,
        started_at timestamptz NOT NULL,
        {unique}
    )
"""


async def create_calls_table(admin: asyncpg.Connection, unique: str) -> None:
    """The table worker handlers record their calls in; `unique` is the constraint the test
    wants the database itself to enforce (a second call violates it and fails loudly)."""
    await admin.execute(CALLS_TABLE.format(unique=unique))


async def queue_emails(count: int, **values: Any) -> list[int]:
    """Queue `count` messages through the application's models and session."""
    async with get_background_session() as session:
        messages = [
            EmailMessage(recipient=f"user{n}@example.com", subject=f"hello {n}", **values)
            for n in range(count)
        ]
        session.add_all(messages)
        await session.flush()
        return [message.id for message in messages]


async def bulk_queue(admin: asyncpg.Connection, count: int, status: str = "Queued") -> list[int]:
    """Insert `count` due messages in one statement (fast enough for thousands of rows)."""
    rows = await admin.fetch(
        "INSERT INTO email_messages"
        " (recipient, subject, body, status, created_at, available_at, attempts)"
        " SELECT 'user' || n || '@example.com', 'hello ' || n, '', $2::email_status,"
        "        now(), now(), 0"
        " FROM generate_series(1, $1::integer) AS n RETURNING id",
        count,
        status,
    )
    return [row["id"] for row in rows]


async def status_counts(admin: asyncpg.Connection) -> dict[str, int]:
    rows = await admin.fetch("SELECT status::text, count(*) FROM email_messages GROUP BY 1")
    counts = {member.value: 0 for member in EmailStatus}
    counts.update({row[0]: row[1] for row in rows})
    return counts
