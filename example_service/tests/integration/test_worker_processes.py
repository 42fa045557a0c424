"""Several worker processes on one PostgreSQL database: exactly-once draining, a worker killed
mid-batch, a handler that always fails, and a frozen worker that comes back after its lease.

Each worker is a real process (`worker_driver.py`) running the real job; its handler records
every call in `handler_calls` before doing its work, so the database itself says which rows
were handled, how often, by whom and when.
"""

import itertools
import signal
from collections import defaultdict
from datetime import timedelta

import asyncpg
import pytest
from integration_support import (
    WorkerPool,
    bulk_queue,
    create_calls_table,
    status_counts,
    wait_for,
)

pytestmark = pytest.mark.postgres

LEASE_S = 2.0


async def calls_by_message(admin: asyncpg.Connection) -> dict[int, list[asyncpg.Record]]:
    calls: dict[int, list[asyncpg.Record]] = defaultdict(list)
    for call in await admin.fetch("SELECT * FROM handler_calls ORDER BY started_at"):
        calls[call["message_id"]].append(call)
    return calls


async def call_count(admin: asyncpg.Connection, worker: str) -> int:
    count: int = await admin.fetchval(
        "SELECT count(*) FROM handler_calls WHERE worker = $1", worker
    )
    return count


async def test_worker_processes_drain_a_backlog_handling_every_row_exactly_once(
    workers: WorkerPool, admin: asyncpg.Connection
) -> None:
    rows = 3000
    # A second call of any message violates the constraint: the database enforces "once".
    await create_calls_table(admin, "CONSTRAINT one_call_per_message UNIQUE (message_id)")
    # Headless workers (`src.worker`): the shared scheduler, the interval job, the wake-up
    # listener, graceful stop on SIGTERM; several batches per run thanks to the drain budget.
    started = [
        workers.start(
            f"worker{n}",
            DRIVER_MODE="worker",
            DRIVER_HANDLER_DELAY_S=0.002,
            EMAIL_SENDER_INTERVAL_SECONDS=1,
            EMAIL_SENDER_BATCH_SIZE=50,
            EMAIL_SENDER_CONCURRENCY=4,
            EMAIL_SENDER_DRAIN_SECONDS=30,
            EMAIL_SENDER_WAKEUP_ENABLED="true",
        )
        for n in range(4)
    ]

    async def all_listening() -> bool:
        return all("wake-up listener on" in worker.log for worker in started)

    # Queue the backlog once every worker is up, so that they all compete for it.
    await wait_for(all_listening, 30, "every worker's wake-up listener")
    ids = await bulk_queue(admin, rows)

    async def drained() -> bool:
        return (await status_counts(admin))["Completed"] == rows

    await wait_for(drained, 60, f"{rows} Completed rows", every_s=0.2)
    for worker in started:
        worker.signal(signal.SIGTERM)
    for worker in started:
        assert await worker.wait(20) == 0, worker.log

    calls = await admin.fetch("SELECT message_id, attempt, worker FROM handler_calls")
    assert sorted(call["message_id"] for call in calls) == sorted(ids)
    assert {call["attempt"] for call in calls} == {1}
    assert len({call["worker"] for call in calls}) >= 2, "the processes did not share the work"
    assert await status_counts(admin) == {
        "Queued": 0,
        "Processing": 0,
        "Completed": rows,
        "Error": 0,
    }
    leftovers = await admin.fetchval(
        "SELECT count(*) FROM email_messages"
        " WHERE attempts <> 1 OR claim_token IS NOT NULL OR completed_at IS NULL"
    )
    assert leftovers == 0
    for worker in started:
        assert "failed on attempt" not in worker.log
        assert "no longer ours" not in worker.log


async def test_rows_of_a_worker_killed_mid_batch_are_rescued_after_the_lease(
    workers: WorkerPool, admin: asyncpg.Connection
) -> None:
    await create_calls_table(admin, "UNIQUE (message_id, attempt)")
    ids = await bulk_queue(admin, 100)
    settings: dict[str, str | float | int] = {
        "DRIVER_MODE": "loop",
        "EMAIL_SENDER_LEASE_SECONDS": LEASE_S,
        "EMAIL_SENDER_BATCH_SIZE": 10,
        "EMAIL_SENDER_CONCURRENCY": 10,
    }
    # The victim's handlers take 1 s, so it is killed while its second batch is in flight.
    victim = workers.start("victim", DRIVER_HANDLER_DELAY_S=1.0, **settings)

    async def second_batch_started() -> bool:
        return await call_count(admin, "victim") >= 15

    await wait_for(second_batch_started, 30, "the victim's second batch")
    victim.signal(signal.SIGKILL)
    assert await victim.wait(10) == -signal.SIGKILL
    stranded = {
        row["id"]
        for row in await admin.fetch("SELECT id FROM email_messages WHERE status = 'Processing'")
    }
    assert stranded, "the kill left no batch behind"

    rescuers = [
        workers.start(f"rescuer{n}", DRIVER_HANDLER_DELAY_S=0.01, **settings) for n in range(2)
    ]
    # A loop driver exits once no row is Queued or Processing: the rescue must happen.
    for rescuer in rescuers:
        assert await rescuer.wait(30) == 0, rescuer.log

    assert await status_counts(admin) == {
        "Queued": 0,
        "Processing": 0,
        "Completed": len(ids),
        "Error": 0,
    }
    calls = await calls_by_message(admin)
    assert set(calls) == set(ids), "some rows were never handled"
    handled_twice = {message for message, made in calls.items() if len(made) > 1}
    assert all(len(made) <= 2 for made in calls.values())
    assert handled_twice <= stranded, "a row the victim did not hold was handled twice"
    for message in handled_twice:
        first, second = calls[message]
        assert first["worker"] == "victim"
        assert second["worker"].startswith("rescuer")
        # Nobody else may start on a row within a lease of its claim (the heartbeat only
        # pushes that later): the strict form of "never handled twice within a lease".
        assert second["started_at"] >= first["claimed_at"] + timedelta(seconds=LEASE_S)
    attempts = dict(await admin.fetch("SELECT id, attempts FROM email_messages"))
    assert {message for message, attempt in attempts.items() if attempt == 2} == stranded
    rescue_lines = "".join(rescuer.log for rescuer in rescuers)
    for message in stranded:
        assert f"rescued row {message} stuck in Processing" in rescue_lines


async def test_a_handler_that_always_fails_ends_in_error_after_backing_off(
    workers: WorkerPool, admin: asyncpg.Connection
) -> None:
    max_attempts, backoff_base_s = 4, 0.3
    await create_calls_table(admin, "UNIQUE (message_id, attempt)")
    (message_id,) = await bulk_queue(admin, 1)

    worker = workers.start(
        "failing",
        DRIVER_MODE="loop",
        DRIVER_FAIL=1,
        EMAIL_SENDER_MAX_ATTEMPTS=max_attempts,
        EMAIL_SENDER_BACKOFF_BASE_SECONDS=backoff_base_s,
        EMAIL_SENDER_BACKOFF_MAX_SECONDS=10,
    )
    # It exits once nothing is Queued or Processing: the row is in Error by then.
    assert await worker.wait(30) == 0, worker.log

    row = await admin.fetchrow("SELECT * FROM email_messages WHERE id = $1", message_id)
    assert row["status"] == "Error"
    assert row["attempts"] == max_attempts
    assert row["claim_token"] is None
    assert row["last_error"] == "HandlerFailedError: failing always fails"
    calls = (await calls_by_message(admin))[message_id]
    assert [call["attempt"] for call in calls] == list(range(1, max_attempts + 1))
    for previous, call in itertools.pairwise(calls):
        retry = previous["attempt"]
        # Equal jitter: retry n waits at least half of base * 2^(n-1), so the minimum wait
        # doubles from one attempt to the next.
        minimum = timedelta(seconds=backoff_base_s * 2 ** (retry - 1) / 2)
        # The failure pushed `available_at` out by the backoff, and the claim waited for it.
        assert call["available_at"] >= previous["started_at"] + minimum
        assert call["started_at"] >= call["available_at"]
    assert worker.log.count("failed on attempt") == max_attempts
    assert f"failed on attempt {max_attempts}/{max_attempts}" in worker.log
    assert worker.log.count("Traceback") == max_attempts


@pytest.mark.parametrize("rescuer_state", ["done", "holding"])
async def test_a_frozen_worker_resumed_after_its_lease_cannot_overwrite_the_rescuer(
    workers: WorkerPool, admin: asyncpg.Connection, rescuer_state: str
) -> None:
    """The late worker comes back after the rescuer finished the rows ("done"), or while the
    rescuer has them in Processing under its own claim ("holding": only the claim token tells
    the two workers apart)."""
    await create_calls_table(admin, "UNIQUE (message_id, attempt)")
    ids = await bulk_queue(admin, 10)
    settings: dict[str, str | float | int] = {
        "DRIVER_MODE": "loop",
        "DRIVER_RESULT": 1,  # even ids store "sent by <worker>" in `body`
        "EMAIL_SENDER_LEASE_SECONDS": LEASE_S,
        "EMAIL_SENDER_BATCH_SIZE": 10,
        "EMAIL_SENDER_CONCURRENCY": 10,
    }
    late = workers.start("late", DRIVER_HANDLER_DELAY_S=1.0, **settings)

    async def late_started() -> bool:
        return await call_count(admin, "late") == len(ids)

    await wait_for(late_started, 30, "the late worker's handlers")
    # Frozen mid-batch (a GC pause, a suspended VM): its heartbeat stops with it.
    late.signal(signal.SIGSTOP)
    rescuer_delay_s = 4.0 if rescuer_state == "holding" else 0.0
    rescuer = workers.start("rescuer", DRIVER_HANDLER_DELAY_S=rescuer_delay_s, **settings)

    if rescuer_state == "done":
        assert await rescuer.wait(30) == 0, rescuer.log
        assert (await status_counts(admin))["Completed"] == len(ids)
    else:

        async def rescuer_started() -> bool:
            return await call_count(admin, "rescuer") == len(ids)

        await wait_for(rescuer_started, 30, "the rescuer's handlers")
    held = await admin.fetch("SELECT * FROM email_messages ORDER BY id")

    late.signal(signal.SIGCONT)

    async def late_finished() -> bool:
        return f"run finished: claimed={len(ids)}" in late.log

    await wait_for(late_finished, 20, "the late worker's finish")
    # The late finish changed nothing: the rows are exactly as the rescuer left or holds them.
    assert [dict(row) for row in await admin.fetch("SELECT * FROM email_messages ORDER BY id")] == [
        dict(row) for row in held
    ]
    assert f"{len(ids)} finished rows were no longer ours" in late.log
    assert await late.wait(30) == 0, late.log
    assert await rescuer.wait(30) == 0, rescuer.log

    final = await admin.fetch("SELECT * FROM email_messages ORDER BY id")
    for row in final:
        assert row["status"] == "Completed"
        assert row["attempts"] == 2
        assert row["body"] == ("sent by rescuer" if row["id"] % 2 == 0 else "")
    assert f"completed=0 retried=0 failed=0 rescued=0 lost={len(ids)}" in late.log
    assert f"completed={len(ids)} retried=0 failed=0 rescued={len(ids)} lost=0" in rescuer.log
