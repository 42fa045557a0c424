"""sitemap_scanner: works on each Queued domain.

Monitors `domains.sitemap_status` (`SitemapStatus`) for `Queued`. Every run first rescues rows
left in `Processing` past their lease, then claims due `Queued` rows (`Processing` while
`handle_domain` works on each, with no database session held) and finishes each in `Completed`,
or back in `Queued` for a retry with backoff, or in `Error` once `SITEMAP_SCANNER_MAX_ATTEMPTS`
attempts have failed. The mechanics live in `src/status_queue.py`.
"""

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Row, select

from src.config.settings import settings
from src.models.domain import Domain, SitemapStatus
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

JOB_ID = "process_pending_sitemap_domains"

SITEMAP_SCANNER_QUEUE = StatusQueue(
    job_id=JOB_ID,
    status=Domain.sitemap_status,
    queued=SitemapStatus.Queued,
    processing=SitemapStatus.Processing,
    completed=SitemapStatus.Completed,
    error=SitemapStatus.Error,
    column_prefix="sitemap_",
    policy=QueuePolicy(
        concurrency=settings.SITEMAP_SCANNER_CONCURRENCY,
        item_timeout_s=settings.SITEMAP_SCANNER_ITEM_TIMEOUT_SECONDS,
        lease_s=settings.SITEMAP_SCANNER_LEASE_SECONDS,
        max_attempts=settings.SITEMAP_SCANNER_MAX_ATTEMPTS,
        backoff_base_s=settings.SITEMAP_SCANNER_BACKOFF_BASE_SECONDS,
        backoff_max_s=settings.SITEMAP_SCANNER_BACKOFF_MAX_SECONDS,
        drain_s=settings.SITEMAP_SCANNER_DRAIN_SECONDS,
    ),
    session_factory=get_background_session,
)


# skf:begin handler -- everything down to `skf:end handler` is yours: skf wrote it once as a
# stub and never rewrites it.
async def handle_domain(row: Row[Any]) -> Mapping[str, Any] | None:
    """Work on one claimed domain, with no database session and no lock held.

    `row` is a read-only snapshot of the claimed `Domain` row. Return column values to store
    with `Completed`, or None. Raise to fail the attempt: it is retried with backoff, and ends
    in `Error` once its attempts are spent. Until you write it, every claimed domain completes
    unchanged.
    """
    return None


# skf:end handler


async def process_pending_sitemap_domains(
    limit: int = settings.SITEMAP_SCANNER_BATCH_SIZE,
) -> RunSummary:
    """Claim up to `limit` due `Queued` rows per batch and hand each to the handler."""

    async def claim_due() -> Claim:
        async with get_background_session() as session:
            due = (
                select(Domain.id)
                .where(
                    Domain.sitemap_status == SitemapStatus.Queued,
                    Domain.sitemap_available_at <= utcnow(),
                )
                .order_by(Domain.sitemap_available_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            return await SITEMAP_SCANNER_QUEUE.claim(session, due)

    return await SITEMAP_SCANNER_QUEUE.run(claim_due, handle_domain)


def setup_sitemap_scanner_scheduler() -> None:
    """Register the sitemap_scanner job on the shared scheduler."""
    scheduler.add_job(
        process_pending_sitemap_domains,
        trigger="interval",
        seconds=settings.SITEMAP_SCANNER_INTERVAL_SECONDS,
        id=JOB_ID,
        max_instances=settings.SITEMAP_SCANNER_MAX_INSTANCES,
        misfire_grace_time=settings.SITEMAP_SCANNER_MISFIRE_GRACE_SECONDS,
        coalesce=settings.SITEMAP_SCANNER_COALESCE,
        replace_existing=True,
    )
    if settings.SITEMAP_SCANNER_WAKEUP_ENABLED:
        wakeup_listener.register(SITEMAP_SCANNER_QUEUE, scheduler)
