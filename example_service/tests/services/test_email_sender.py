"""The email_sender job: its logic and error paths, on SQLite and on PostgreSQL."""

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Row, select, update
from src.models.email_message import EmailMessage, EmailStatus
from src.services import email_sender_scheduler as service
from src.session.async_session import get_background_session
from src.status_queue import utcnow


@pytest.fixture
def handled(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Replace the real delivery with a recorder; returns the ids it saw, in order."""
    seen: list[int] = []

    async def record(message: Row[Any]) -> None:
        seen.append(message.id)

    monkeypatch.setattr(service, "send_email_message", record)
    return seen


@pytest.fixture
def policy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Set fields of the queue's policy for one test: `policy(max_attempts=2)`."""

    def set_policy(**changes: Any) -> None:
        monkeypatch.setattr(
            service.EMAIL_QUEUE, "policy", replace(service.EMAIL_QUEUE.policy, **changes)
        )

    return set_policy


async def queue_emails(count: int, **values: Any) -> list[int]:
    async with get_background_session() as session:
        messages = [
            EmailMessage(recipient=f"user{n}@example.com", subject=f"hello {n}", **values)
            for n in range(count)
        ]
        session.add_all(messages)
        await session.flush()
        return [message.id for message in messages]


async def rows() -> dict[int, EmailMessage]:
    async with get_background_session() as session:
        return {m.id: m for m in (await session.scalars(select(EmailMessage))).all()}


async def make_due() -> None:
    """Time travel: every retry is due now."""
    async with get_background_session() as session:
        await session.execute(update(EmailMessage).values(available_at=utcnow()))


async def test_sends_every_queued_message_and_completes_it(
    database: str, handled: list[int]
) -> None:
    ids = await queue_emails(3)

    summary = await service.process_pending_email_messages()

    assert sorted(handled) == ids
    assert (summary.claimed, summary.completed, summary.failed) == (3, 3, 0)
    for message in (await rows()).values():
        assert message.status is EmailStatus.Completed
        assert message.attempts == 1
        assert message.claim_token is None
        assert message.completed_at is not None
        assert message.last_error is None


async def test_only_due_queued_rows_are_claimed(database: str, handled: list[int]) -> None:
    (due,) = await queue_emails(1)
    await queue_emails(1, available_at=utcnow() + timedelta(hours=1))
    await queue_emails(1, status=EmailStatus.Completed)
    await queue_emails(1, status=EmailStatus.Error)

    await service.process_pending_email_messages()

    assert handled == [due]


async def test_claims_at_most_limit_rows_per_run(database: str, handled: list[int]) -> None:
    await queue_emails(7)

    summary = await service.process_pending_email_messages(limit=5)

    assert (len(handled), summary.batches) == (5, 1)
    statuses = [m.status for m in (await rows()).values()]
    assert statuses.count(EmailStatus.Queued) == 2


async def test_drain_budget_keeps_claiming_until_the_queue_is_empty(
    database: str, handled: list[int], policy: Any
) -> None:
    policy(drain_s=60.0)
    await queue_emails(12)

    summary = await service.process_pending_email_messages(limit=5)

    assert len(handled) == 12
    assert summary.batches == 3


async def test_a_failure_is_retried_with_backoff_then_ends_in_error(
    database: str, policy: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    policy(max_attempts=2, backoff_base_s=60.0, backoff_max_s=600.0)

    async def broken(message: Row[Any]) -> None:
        raise ConnectionError("smtp relay refused")

    monkeypatch.setattr(service, "send_email_message", broken)
    (message_id,) = await queue_emails(1)

    before = utcnow()
    first = await service.process_pending_email_messages()
    message = (await rows())[message_id]
    assert (first.retried, first.failed) == (1, 0)
    assert message.status is EmailStatus.Queued
    assert message.attempts == 1
    assert message.last_error == "ConnectionError: smtp relay refused"
    # Equal jitter: between half and all of the first backoff step (60 s).
    assert (
        before + timedelta(seconds=30) <= message.available_at <= utcnow() + timedelta(seconds=60)
    )

    not_due = await service.process_pending_email_messages()
    assert not_due.claimed == 0

    await make_due()
    second = await service.process_pending_email_messages()
    message = (await rows())[message_id]
    assert (second.retried, second.failed) == (0, 1)
    assert message.status is EmailStatus.Error
    assert message.attempts == 2
    assert message.last_error == "ConnectionError: smtp relay refused"
    failures = [r for r in caplog.records if "failed on attempt" in r.getMessage()]
    assert len(failures) == 2
    assert all(r.exc_info and r.exc_info[0] is ConnectionError for r in failures)


async def test_one_failing_item_does_not_fail_the_batch(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await queue_emails(3)

    async def fail_second(message: Row[Any]) -> None:
        if message.id == ids[1]:
            raise ValueError("bad template")

    monkeypatch.setattr(service, "send_email_message", fail_second)
    summary = await service.process_pending_email_messages()

    assert (summary.completed, summary.retried) == (2, 1)
    statuses = {i: m.status for i, m in (await rows()).items()}
    assert statuses == {
        ids[0]: EmailStatus.Completed,
        ids[1]: EmailStatus.Queued,
        ids[2]: EmailStatus.Completed,
    }


async def test_an_item_that_hangs_times_out_and_is_retried(
    database: str, policy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy(item_timeout_s=0.05)

    async def hang(message: Row[Any]) -> None:
        await asyncio.sleep(10)

    monkeypatch.setattr(service, "send_email_message", hang)
    await queue_emails(1)

    summary = await service.process_pending_email_messages()

    assert summary.retried == 1
    (message,) = (await rows()).values()
    assert message.status is EmailStatus.Queued
    assert message.last_error is not None
    assert message.last_error.startswith("TimeoutError")


async def test_the_item_timeout_is_per_row_not_per_batch(
    database: str, policy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One worker takes the rows one after the other: together they outlast the timeout,
    # each alone does not.
    policy(concurrency=1, item_timeout_s=0.5)

    async def steady(message: Row[Any]) -> None:
        await asyncio.sleep(0.2)

    monkeypatch.setattr(service, "send_email_message", steady)
    await queue_emails(4)

    summary = await service.process_pending_email_messages()

    assert (summary.completed, summary.retried) == (4, 0)


async def test_a_row_that_hangs_times_out_alone_and_its_worker_goes_on(
    database: str, policy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy(concurrency=1, item_timeout_s=0.1)
    ids = await queue_emails(5)
    hanging = {ids[1], ids[3]}

    async def hang_on_some(message: Row[Any]) -> None:
        await asyncio.sleep(10 if message.id in hanging else 0)

    monkeypatch.setattr(service, "send_email_message", hang_on_some)

    summary = await service.process_pending_email_messages()

    assert (summary.completed, summary.retried) == (3, 2)
    for message in (await rows()).values():
        if message.id in hanging:
            assert message.status is EmailStatus.Queued
            assert message.last_error is not None
            assert message.last_error.startswith("TimeoutError")
        else:
            assert message.status is EmailStatus.Completed


async def test_a_handler_that_swallows_its_timeout_does_not_disarm_the_next_rows(
    database: str, policy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy(concurrency=1, item_timeout_s=0.1)
    ids = await queue_emails(3)
    calls: list[int] = []

    async def stubborn_first(message: Row[Any]) -> None:
        calls.append(message.id)
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            if len(calls) > 1:
                raise
            # Swallowed: this row counts as handled, and the worker must still time out
            # the rows after it.

    monkeypatch.setattr(service, "send_email_message", stubborn_first)

    summary = await service.process_pending_email_messages()

    assert sorted(calls) == ids
    assert (summary.completed, summary.retried) == (1, 2)


async def test_a_handler_that_never_waits_handles_the_whole_batch(
    database: str, policy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy(concurrency=3)
    seen: list[int] = []

    async def instant(message: Row[Any]) -> None:
        seen.append(message.id)

    monkeypatch.setattr(service, "send_email_message", instant)
    ids = await queue_emails(10)

    summary = await service.process_pending_email_messages()

    assert sorted(seen) == ids
    assert summary.completed == 10


async def test_the_heartbeat_keeps_a_batch_longer_than_its_lease(
    database: str, policy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy(lease_s=0.6)  # a beat every 0.2 s
    rescued: list[int] = []

    async def outlast_the_lease(message: Row[Any]) -> None:
        await asyncio.sleep(0.9)
        # Another worker's run starts now: this row's claim must still look alive.
        rescued.append(await service.EMAIL_QUEUE.rescue_stale())

    monkeypatch.setattr(service, "send_email_message", outlast_the_lease)
    await queue_emails(1)

    summary = await service.process_pending_email_messages()

    assert rescued == [0]
    assert (summary.completed, summary.lost) == (1, 0)
    (message,) = (await rows()).values()
    assert (message.status, message.attempts) == (EmailStatus.Completed, 1)


async def test_handlers_run_at_most_concurrency_at_once(
    database: str, policy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy(concurrency=3)
    running, peak = 0, 0

    async def slow(message: Row[Any]) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)
        running -= 1

    monkeypatch.setattr(service, "send_email_message", slow)
    await queue_emails(10)

    summary = await service.process_pending_email_messages()

    assert summary.completed == 10
    assert peak == 3


async def test_values_returned_by_the_handler_are_stored_with_completion(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def with_result(message: Row[Any]) -> dict[str, Any]:
        return {"body": f"sent to {message.recipient}"}

    monkeypatch.setattr(service, "send_email_message", with_result)
    (message_id,) = await queue_emails(1)

    await service.process_pending_email_messages()

    message = (await rows())[message_id]
    assert message.status is EmailStatus.Completed
    assert message.body == "sent to user0@example.com"


async def test_a_row_stuck_in_processing_past_the_lease_is_rescued_and_processed(
    database: str, handled: list[int], policy: Any, caplog: pytest.LogCaptureFixture
) -> None:
    policy(lease_s=60.0)
    (stale,) = await queue_emails(
        1, status=EmailStatus.Processing, claimed_at=utcnow() - timedelta(minutes=5), attempts=1
    )
    (fresh,) = await queue_emails(
        1, status=EmailStatus.Processing, claimed_at=utcnow() - timedelta(seconds=5), attempts=1
    )

    summary = await service.process_pending_email_messages()

    assert summary.rescued == 1
    assert handled == [stale]
    current = await rows()
    assert current[stale].status is EmailStatus.Completed
    assert current[stale].attempts == 2
    # A row within its lease belongs to a live worker: untouched.
    assert current[fresh].status is EmailStatus.Processing
    assert any(f"rescued row {stale}" in r.getMessage() for r in caplog.records)


async def test_a_rescued_row_whose_attempts_are_spent_ends_in_error(
    database: str, handled: list[int], policy: Any
) -> None:
    policy(lease_s=60.0, max_attempts=3)
    (poison,) = await queue_emails(
        1, status=EmailStatus.Processing, claimed_at=utcnow() - timedelta(minutes=5), attempts=3
    )

    summary = await service.process_pending_email_messages()

    assert (summary.rescued, handled) == (1, [])
    message = (await rows())[poison]
    assert message.status is EmailStatus.Error
    assert message.last_error is not None
    assert "lease" in message.last_error


async def test_a_late_finisher_cannot_overwrite_a_row_rescued_and_reclaimed(
    database: str, policy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A worker stalls (a long GC pause, a suspended VM) past its lease without heartbeating.
    policy(lease_s=3600.0)
    (message_id,) = await queue_emails(1)
    stalled, release = asyncio.Event(), asyncio.Event()

    async def first_worker(message: Row[Any]) -> dict[str, Any]:
        stalled.set()
        await release.wait()
        return {"body": "written by the late worker"}

    async def second_worker(message: Row[Any]) -> dict[str, Any]:
        return {"body": "written by the rescuer"}

    monkeypatch.setattr(service, "send_email_message", first_worker)
    late_run = asyncio.create_task(service.process_pending_email_messages())
    await stalled.wait()
    async with get_background_session() as session:
        await session.execute(update(EmailMessage).values(claimed_at=utcnow() - timedelta(hours=2)))
    monkeypatch.setattr(service, "send_email_message", second_worker)
    rescue_run = await service.process_pending_email_messages()
    release.set()
    late = await late_run

    assert (rescue_run.rescued, rescue_run.completed) == (1, 1)
    assert (late.completed, late.lost) == (0, 1)
    message = (await rows())[message_id]
    assert message.status is EmailStatus.Completed
    assert message.body == "written by the rescuer"


async def test_every_run_logs_its_start_and_its_counts(
    database: str, handled: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="src.status_queue")
    await queue_emails(2)

    await service.process_pending_email_messages()

    messages = [r.getMessage() for r in caplog.records if r.name == "src.status_queue"]
    assert messages[0] == f"{service.JOB_ID}: run started"
    assert messages[-1].startswith(f"{service.JOB_ID}: run finished: claimed=2 completed=2 ")


@pytest.mark.postgres
async def test_concurrent_runs_never_process_the_same_row(
    postgres_database: str, policy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy(drain_s=60.0)
    calls: list[int] = []

    async def slow(message: Row[Any]) -> None:
        calls.append(message.id)
        await asyncio.sleep(0.01)

    monkeypatch.setattr(service, "send_email_message", slow)
    ids = await queue_emails(60)

    results = await asyncio.gather(
        *(service.process_pending_email_messages(limit=5) for _ in range(4))
    )

    assert sorted(calls) == ids  # every row, each exactly once
    assert sum(r.claimed for r in results) == 60
    assert sum(1 for r in results if r.claimed) > 1  # the runs really did share the queue
    assert all(m.status is EmailStatus.Completed for m in (await rows()).values())
