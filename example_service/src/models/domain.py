"""Domains the application tracks; each one's sitemap is fetched in the background."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from src.models.base import Base
from src.status_queue import UtcDateTime, status_enum, utcnow


class SitemapStatus(enum.Enum):
    """Authoritative: documented under `## Authoritative ENUMs` in the architecture doc."""

    Queued = "Queued"
    Processing = "Processing"
    Completed = "Completed"
    Error = "Error"


class Domain(Base):
    __tablename__ = "domains"
    __table_args__ = (
        # The claim and the rescue of sitemap_scanner only look at due and stale rows; partial
        # indexes keep their cost flat however many finished rows the table keeps.
        Index(
            "ix_domains_sitemap_queued_due",
            "sitemap_available_at",
            postgresql_where=text("sitemap_status = 'Queued'"),
            sqlite_where=text("sitemap_status = 'Queued'"),
        ),
        Index(
            "ix_domains_sitemap_processing_claimed",
            "sitemap_claimed_at",
            postgresql_where=text("sitemap_status = 'Processing'"),
            sqlite_where=text("sitemap_status = 'Processing'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hostname: Mapped[str] = mapped_column(String(253), unique=True)
    sitemap_status: Mapped[SitemapStatus | None] = mapped_column(
        status_enum(SitemapStatus, "sitemap_status"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Queue bookkeeping of sitemap_scanner (see src/status_queue.py): when the row is next due,
    # who holds it.
    sitemap_available_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sitemap_claim_token: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    sitemap_claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    sitemap_attempts: Mapped[int] = mapped_column(Integer, default=0)
    sitemap_last_error: Mapped[str | None] = mapped_column(Text, default=None)
    sitemap_completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
