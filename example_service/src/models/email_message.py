"""Outgoing email messages, sent by the email_sender background service."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from src.models.base import Base
from src.status_queue import UtcDateTime, status_enum, utcnow


class EmailStatus(enum.Enum):
    """Authoritative: documented under `## Authoritative ENUMs` in the architecture doc."""

    Queued = "Queued"
    Processing = "Processing"
    Completed = "Completed"
    Error = "Error"


class EmailMessage(Base):
    __tablename__ = "email_messages"
    __table_args__ = (
        # The claim and the rescue only ever look at Queued / Processing rows; partial
        # indexes keep their cost flat however many Completed rows the table keeps.
        Index(
            "ix_email_messages_queued_due",
            "available_at",
            postgresql_where=text("status = 'Queued'"),
            sqlite_where=text("status = 'Queued'"),
        ),
        Index(
            "ix_email_messages_processing_claimed",
            "claimed_at",
            postgresql_where=text("status = 'Processing'"),
            sqlite_where=text("status = 'Processing'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[EmailStatus] = mapped_column(
        status_enum(EmailStatus, "email_status"), default=EmailStatus.Queued
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Queue bookkeeping (see src/status_queue.py): when the row is next due, who holds it.
    available_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    claim_token: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
