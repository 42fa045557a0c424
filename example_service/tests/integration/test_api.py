"""The HTTP API around the reference service, on SQLite and on PostgreSQL: the dev-tools
trigger (denied by default, then only with the token, and then really running the job through
the shared scheduler), the queue status endpoint, and the requeue endpoint's refusal to
requeue a row that is still being processed.

The ASGI test transport does not run the app's lifespan, so the tests start the shared
scheduler themselves when they need it.
"""

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from integration_support import queue_emails, wait_for
from pydantic import SecretStr
from sqlalchemy import Row, func, select
from src.config.settings import settings
from src.main import app
from src.models.email_message import EmailMessage, EmailStatus
from src.services import email_sender_scheduler as service
from src.session.async_session import get_background_session
from src.status_queue import utcnow

JOB = service.JOB_ID
TRIGGER = f"/dev/jobs/{JOB}/run"
TOKEN = "s3cret-dev-token"


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.fixture
def handled(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    seen: list[int] = []

    async def record(message: Row[Any]) -> None:
        seen.append(message.id)

    monkeypatch.setattr(service, "send_email_message", record)
    return seen


def dev_tools(monkeypatch: pytest.MonkeyPatch, enabled: bool, token: str | None) -> None:
    monkeypatch.setattr(settings, "DEV_TOOLS_ENABLED", enabled)
    monkeypatch.setattr(settings, "DEV_TOOLS_TOKEN", SecretStr(token) if token else None)


async def statuses() -> dict[EmailStatus, int]:
    async with get_background_session() as session:
        rows = await session.execute(
            select(EmailMessage.status, func.count()).group_by(EmailMessage.status)
        )
        return {status: count for status, count in rows}


async def test_the_trigger_is_denied_by_default_and_without_the_right_token(
    database: str,
    client: httpx.AsyncClient,
    handled: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await queue_emails(2)

    dev_tools(monkeypatch, enabled=False, token=TOKEN)
    # Disabled, it looks like a missing route, token or not.
    assert (await client.post(TRIGGER)).status_code == 404
    assert (await client.post(TRIGGER, headers={"X-Dev-Token": TOKEN})).status_code == 404
    assert (await client.get("/dev/jobs", headers={"X-Dev-Token": TOKEN})).status_code == 404

    # Enabled without a configured token: nothing can match it.
    dev_tools(monkeypatch, enabled=True, token=None)
    assert (await client.post(TRIGGER, headers={"X-Dev-Token": ""})).status_code == 403
    assert (await client.post(TRIGGER, headers={"X-Dev-Token": "None"})).status_code == 403

    dev_tools(monkeypatch, enabled=True, token=TOKEN)
    assert (await client.post(TRIGGER)).status_code == 403
    assert (await client.post(TRIGGER, headers={"X-Dev-Token": "wrong"})).status_code == 403
    assert (await client.post(TRIGGER, headers={"X-Dev-Token": TOKEN + "x"})).status_code == 403

    assert handled == []
    assert await statuses() == {EmailStatus.Queued: 2}


async def test_the_trigger_with_the_token_runs_the_job_through_the_scheduler(
    database: str,
    client: httpx.AsyncClient,
    handled: list[int],
    shared_scheduler: AsyncIOScheduler,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dev_tools(monkeypatch, enabled=True, token=TOKEN)
    # An interval far beyond the test: only the trigger can make the job run.
    monkeypatch.setattr(settings, "EMAIL_SENDER_INTERVAL_SECONDS", 3600)
    service.setup_email_sender_scheduler()
    shared_scheduler.start()
    ids = await queue_emails(3)
    headers = {"X-Dev-Token": TOKEN}

    response = await client.post(TRIGGER, headers=headers)

    assert response.status_code == 202
    assert response.json()["job_id"] == JOB

    async def completed() -> bool:
        return await statuses() == {EmailStatus.Completed: 3}

    await wait_for(completed, 10, "the triggered run")
    assert sorted(handled) == ids
    jobs = (await client.get("/dev/jobs", headers=headers)).json()
    assert [job["id"] for job in jobs] == [JOB]
    assert (await client.post("/dev/jobs/no_such_job/run", headers=headers)).status_code == 404


async def test_the_status_endpoint_reports_depth_oldest_age_and_stuck_rows(
    database: str, client: httpx.AsyncClient
) -> None:
    now = utcnow()
    lease = timedelta(seconds=service.EMAIL_QUEUE.policy.lease_s)
    await queue_emails(1, available_at=now - timedelta(seconds=120))
    await queue_emails(1, available_at=now - timedelta(seconds=10))
    await queue_emails(1, available_at=now + timedelta(hours=1))  # a retry, not yet due
    await queue_emails(2, status=EmailStatus.Completed)
    await queue_emails(1, status=EmailStatus.Error)
    stuck = {"status": EmailStatus.Processing, "claim_token": uuid.uuid4(), "attempts": 1}
    await queue_emails(1, **stuck, claimed_at=now - 2 * lease)
    await queue_emails(1, **stuck, claimed_at=now)  # held by a live worker

    response = await client.get(f"/background/queues/{JOB}")

    assert response.status_code == 200
    body = response.json()
    assert body["job_id"] == JOB
    assert body["counts"] == {"Queued": 3, "Processing": 2, "Completed": 2, "Error": 1}
    assert 120 <= body["oldest_queued_age_s"] < 120 + 60
    assert body["stuck_processing"] == 1
    every_queue = (await client.get("/background/queues")).json()
    assert body["counts"] == next(q for q in every_queue if q["job_id"] == JOB)["counts"]
    assert (await client.get("/background/queues/no_such_job")).status_code == 404


async def test_the_status_endpoint_on_an_empty_queue(
    database: str, client: httpx.AsyncClient
) -> None:
    body = (await client.get(f"/background/queues/{JOB}")).json()

    assert body["counts"] == {"Queued": 0, "Processing": 0, "Completed": 0, "Error": 0}
    assert body["oldest_queued_age_s"] is None
    assert body["stuck_processing"] == 0


async def test_requeue_refuses_a_processing_row_and_requeues_an_error_row(
    database: str, client: httpx.AsyncClient, handled: list[int]
) -> None:
    token = uuid.uuid4()
    (processing,) = await queue_emails(
        1, status=EmailStatus.Processing, claim_token=token, claimed_at=utcnow(), attempts=1
    )
    (failed,) = await queue_emails(
        1, status=EmailStatus.Error, attempts=5, last_error="ConnectionError: refused"
    )

    refused = await client.post(f"/emails/{processing}/requeue")
    requeued = await client.post(f"/emails/{failed}/requeue")

    assert refused.status_code == 409
    assert "Processing" in refused.json()["detail"]
    assert requeued.status_code == 200
    assert requeued.json()["status"] == "Queued"
    assert requeued.json()["attempts"] == 0
    assert requeued.json()["last_error"] is None
    assert (await client.post("/emails/999999/requeue")).status_code == 404
    async with get_background_session() as session:
        still_held = await session.get(EmailMessage, processing)
    assert still_held is not None
    assert (still_held.status, still_held.claim_token) == (EmailStatus.Processing, token)

    # The next run sends the requeued message, and never the one another worker holds.
    summary = await service.process_pending_email_messages()
    assert (summary.claimed, handled) == (1, [failed])


async def test_a_message_queued_through_the_api_is_sent_by_the_next_run(
    database: str, client: httpx.AsyncClient, handled: list[int]
) -> None:
    created = await client.post(
        "/emails", json={"recipient": "ada@example.com", "subject": "hi", "body": "hello"}
    )
    assert created.status_code == 201
    message_id = created.json()["id"]
    assert created.json()["status"] == "Queued"

    await service.process_pending_email_messages()

    assert handled == [message_id]
    assert (await client.get(f"/emails/{message_id}")).json()["status"] == "Completed"
