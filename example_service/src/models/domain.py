"""Domains the application tracks; each one's sitemap is fetched in the background."""

import enum
from datetime import datetime

from sqlalchemy import Integer, String
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

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hostname: Mapped[str] = mapped_column(String(253), unique=True)
    sitemap_status: Mapped[SitemapStatus | None] = mapped_column(
        status_enum(SitemapStatus, "sitemap_status"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
