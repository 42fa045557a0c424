"""email_sender: sends queued outgoing email messages.

Monitors `email_messages.status` (`EmailStatus`) for `Queued`. Every run first rescues rows left
in `Processing` past their lease, then claims due `Queued` rows (`Processing` while
`send_email_message` works on each, with no database session held) and finishes each in
`Completed`, or back in `Queued` for a retry with backoff, or in `Error` once
`EMAIL_SENDER_MAX_ATTEMPTS` attempts have failed. The mechanics live in `src/status_queue.py`.
"""

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Row, select

from src.config.settings import settings
from src.models.email_message import EmailMessage, EmailStatus
from src.scheduler_instance import scheduler
from src.session.async_session import get_background_session
from src.status_queue import (
    Claim,
    QueuePolicy,
    RunSummary,
    StatusQueue,
    utcnow,
    wakeup_listener,
)

logger = logging.getLogger(__name__)

JOB_ID = "process_pending_email_messages"

EMAIL_QUEUE = StatusQueue(
    job_id=JOB_ID,
    status=EmailMessage.status,
    queued=EmailStatus.Queued,
    processing=EmailStatus.Processing,
    completed=EmailStatus.Completed,
    error=EmailStatus.Error,
    policy=QueuePolicy(
        concurrency=settings.EMAIL_SENDER_CONCURRENCY,
        item_timeout_s=settings.EMAIL_SENDER_ITEM_TIMEOUT_SECONDS,
        lease_s=settings.EMAIL_SENDER_LEASE_SECONDS,
        max_attempts=settings.EMAIL_SENDER_MAX_ATTEMPTS,
        backoff_base_s=settings.EMAIL_SENDER_BACKOFF_BASE_SECONDS,
        backoff_max_s=settings.EMAIL_SENDER_BACKOFF_MAX_SECONDS,
        drain_s=settings.EMAIL_SENDER_DRAIN_SECONDS,
    ),
    session_factory=get_background_session,
)


# skf:begin handler -- everything down to `skf:end handler` is yours: skf wrote it once as a
# stub and never rewrites it.
async def send_email_message(message: Row[Any]) -> Mapping[str, Any] | None:
    """Deliver one claimed message, with no database session and no lock held.

    Raise to fail the attempt: it is retried with backoff, and ends in Error once the
    attempts are spent.
    """
    # Imported here, inside the region the application owns, so that everything outside it
    # stays exactly what the template renders.
    from src.integrations.email_client import deliver

    await deliver(message.id, message.recipient, message.subject, message.body)
    return None


# skf:end handler


async def process_pending_email_messages(
    limit: int = settings.EMAIL_SENDER_BATCH_SIZE,
) -> RunSummary:
    """Claim up to `limit` due `Queued` rows per batch and hand each to the handler."""

    async def claim_due() -> Claim:
        async with get_background_session() as session:
            due = (
                select(EmailMessage.id)
                .where(
                    EmailMessage.status == EmailStatus.Queued,
                    EmailMessage.available_at <= utcnow(),
                )
                .order_by(EmailMessage.available_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            return await EMAIL_QUEUE.claim(session, due)

    return await EMAIL_QUEUE.run(claim_due, send_email_message)


def setup_email_sender_scheduler() -> None:
    """Register the email_sender job on the shared scheduler."""
    scheduler.add_job(
        process_pending_email_messages,
        trigger="interval",
        seconds=settings.EMAIL_SENDER_INTERVAL_SECONDS,
        id=JOB_ID,
        max_instances=settings.EMAIL_SENDER_MAX_INSTANCES,
        misfire_grace_time=settings.EMAIL_SENDER_MISFIRE_GRACE_SECONDS,
        coalesce=settings.EMAIL_SENDER_COALESCE,
        replace_existing=True,
    )
    if settings.EMAIL_SENDER_WAKEUP_ENABLED:
        wakeup_listener.register(EMAIL_QUEUE, scheduler)
