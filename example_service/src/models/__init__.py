"""Every model, imported here so that `Base.metadata` knows all tables."""

from src.models.base import Base
from src.models.domain import Domain, SitemapStatus
from src.models.email_message import EmailMessage, EmailStatus

__all__ = ["Base", "Domain", "EmailMessage", "EmailStatus", "SitemapStatus"]
