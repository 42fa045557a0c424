# ruff: noqa: E501 - the doc block is markdown as skf renders it, table rows unwrapped
"""The reference service, as the rules' examples show it.

Examples are small host trees overlaid on the reference host (example_service: the pattern's
layout with the email_sender service). VALID examples are the reference service's own code
(its docstrings trimmed); INVALID ones are that code with one defect, made by `variant`.
"""

SERVICE = "src/services/email_sender_scheduler.py"
SETTINGS = "src/config/settings.py"
COMPOSE = "docker-compose.yml"
DOC = "Docs/Docs_6_Architecture_and_Status/BACKGROUND_SERVICES_ARCHITECTURE.md"
TESTS = "tests/services/test_email_sender.py"
MODEL = "src/models/email_message.py"
EMAILS_API = "src/api/emails.py"
DEV_TOOLS_API = "src/api/dev_tools.py"

REFERENCE_SERVICE = '''\
"""email_sender: sends Queued email messages and records Completed or Error."""

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Row, select

from src.config.settings import settings
from src.models.email_message import EmailMessage, EmailStatus
from src.scheduler_instance import scheduler
from src.session.async_session import get_background_session
from src.status_queue import Claim, QueuePolicy, RunSummary, StatusQueue, utcnow, wakeup_listener

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


async def send_email_message(message: Row[Any]) -> Mapping[str, Any] | None:
    """Deliver one claimed message. Runs with no database session held."""
    from src.integrations.email_client import deliver

    await deliver(message.id, message.recipient, message.subject, message.body)
    return None


async def process_pending_email_messages(
    limit: int = settings.EMAIL_SENDER_BATCH_SIZE,
) -> RunSummary:
    """Claim up to `limit` due Queued messages per batch and send each one."""

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
    """Register the email sender job on the shared scheduler."""
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
'''


def variant(text: str, *replacements: tuple[str, str]) -> str:
    """`text` with each (old, new) replaced; every `old` must occur exactly once."""
    for old, new in replacements:
        count = text.count(old)
        if count != 1:
            raise ValueError(f"{old!r} occurs {count} times in the example text")
        text = text.replace(old, new)
    return text


def line_of(text: str, snippet: str, occurrence: int = 1) -> int:
    """The 1-based line where the `occurrence`-th `snippet` starts in `text`."""
    index = -1
    for _ in range(occurrence):
        index = text.index(snippet, index + 1)
    return text.count("\n", 0, index) + 1


def service_variant(*replacements: tuple[str, str]) -> str:
    return variant(REFERENCE_SERVICE, *replacements)


_SERVICE_BLOCK = """\
<!-- skf:begin service email_sender -->
### email_sender

{summary}

- Module: `src/services/email_sender_scheduler.py`
- Job: `process_pending_email_messages` (job id `process_pending_email_messages`)
- Registration: `setup_email_sender_scheduler()`
- Model / table: `EmailMessage` / `email_messages`
- Status column: `status` (`EmailStatus`)
- Monitors: `Queued`
- Sets: `Processing` while working, `Completed` on success, `Queued` again for a retry, `Error` once attempts are spent

| Environment variable | Default | Meaning |
| --- | --- | --- |
| `EMAIL_SENDER_INTERVAL_SECONDS` | 60 | seconds between runs |
| `EMAIL_SENDER_BATCH_SIZE` | 50 | rows claimed per batch |
| `EMAIL_SENDER_MAX_INSTANCES` | 1 | runs of the job allowed at once in one process |
| `EMAIL_SENDER_MISFIRE_GRACE_SECONDS` | 300 | how late a run may start and still run |
| `EMAIL_SENDER_COALESCE` | true | collapse missed runs into one |
| `EMAIL_SENDER_CONCURRENCY` | 10 | rows worked on at once |
| `EMAIL_SENDER_ITEM_TIMEOUT_SECONDS` | 30.0 | time limit for one row |
| `EMAIL_SENDER_LEASE_SECONDS` | 300.0 | after this long without a heartbeat a Processing row is rescued |
| `EMAIL_SENDER_MAX_ATTEMPTS` | 5 | attempts before a row ends in Error |
| `EMAIL_SENDER_BACKOFF_BASE_SECONDS` | 30.0 | first retry delay (doubles per attempt, with jitter) |
| `EMAIL_SENDER_BACKOFF_MAX_SECONDS` | 3600.0 | longest retry delay |
| `EMAIL_SENDER_DRAIN_SECONDS` | 0.0 | keep claiming batches for up to this long per run (0: one batch) |
| `EMAIL_SENDER_WAKEUP_ENABLED` | false | on PostgreSQL, run as soon as a row becomes due |
<!-- skf:end service email_sender -->
"""


def service_block(summary: str) -> str:
    """The email_sender section of the architecture doc as skf renders it."""
    return _SERVICE_BLOCK.replace("{summary}", summary)
