"""The wake-up listener: a row turning Queued runs the job at once instead of at the next
interval, and a lost listener connection is re-established (and logged).

Runs the application's own `background_services()` (the shared scheduler, the job registered
by `setup_email_sender_scheduler()`, the listener) with an interval of 60 s, so any pickup
within a few seconds can only come from the NOTIFY.
"""

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from integration_support import queue_emails, status_counts, terminate_backend, wait_for
from sqlalchemy import Row
from src import main
from src.config.settings import settings
from src.services import email_sender_scheduler as service
from src.status_queue import WakeupListener

pytestmark = pytest.mark.postgres

INTERVAL_S = 60
PICKUP_BOUND_S = 5.0  # generous for a loaded machine, and still far below the interval


def finished_runs(caplog: pytest.LogCaptureFixture) -> int:
    return sum(
        1 for r in caplog.records if r.getMessage().startswith(f"{service.JOB_ID}: run finished")
    )


async def test_a_queued_row_wakes_the_job_and_the_listener_survives_a_dropped_connection(
    postgres_database: str,
    admin: asyncpg.Connection,
    shared_scheduler: AsyncIOScheduler,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    monkeypatch.setattr(settings, "DATABASE_URL", postgres_database)
    monkeypatch.setattr(settings, "EMAIL_SENDER_INTERVAL_SECONDS", INTERVAL_S)
    monkeypatch.setattr(settings, "EMAIL_SENDER_WAKEUP_ENABLED", True)
    # A listener of this test's own, and the queue's waker put back afterwards.
    listener = WakeupListener(reconnect_max_s=1.0)
    monkeypatch.setattr(main, "wakeup_listener", listener)
    monkeypatch.setattr(service, "wakeup_listener", listener)
    monkeypatch.setattr(service.EMAIL_QUEUE, "_waker", None)
    handled: dict[int, float] = {}

    async def record(message: Row[Any]) -> None:
        handled[message.id] = time.monotonic()

    monkeypatch.setattr(service, "send_email_message", record)

    async def pickup_latency_s() -> float:
        """Queue a row once no run is going on, and time until its handler starts."""

        async def idle() -> bool:
            return not service.EMAIL_QUEUE.running

        await wait_for(idle, 10, "the job to be idle")
        queued_at = time.monotonic()
        (message_id,) = await queue_emails(1)

        async def picked_up() -> bool:
            return message_id in handled

        await wait_for(picked_up, 2 * PICKUP_BOUND_S, f"message {message_id} to be handled")
        return handled[message_id] - queued_at

    def runs_at_least(count: int) -> Callable[[], Awaitable[bool]]:
        async def condition() -> bool:
            return finished_runs(caplog) >= count

        return condition

    async def connected() -> bool:
        return listener.connected.is_set()

    async with main.background_services():
        await wait_for(connected, 10, "the listener to connect")
        # Connecting wakes the job once to catch up on rows queued while nobody listened.
        await wait_for(runs_at_least(1), 10, "the catch-up run")

        assert await pickup_latency_s() < PICKUP_BOUND_S

        pid = await admin.fetchval(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND query LIKE 'LISTEN %'"
        )
        assert pid is not None, "no listening connection"
        runs_before = finished_runs(caplog)
        await terminate_backend(admin, pid)

        async def reconnected() -> bool:
            return listener.connections == 2 and listener.connected.is_set()

        await wait_for(reconnected, 15, "the listener to reconnect")
        await wait_for(runs_at_least(runs_before + 1), 10, "the catch-up run")

        assert await pickup_latency_s() < PICKUP_BOUND_S

    assert (await status_counts(admin))["Completed"] == 2
    messages = [r.getMessage() for r in caplog.records if r.name == "src.status_queue"]
    assert "wake-up listener lost its connection" in messages
    assert sum(m.startswith("wake-up listener on ") for m in messages) == 2
