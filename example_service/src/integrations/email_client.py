"""Delivers one email: to an HTTP email API when `EMAIL_API_URL` is set, else to an outbox
directory of `.eml` files (development)."""

import asyncio
from email.message import EmailMessage as MimeMessage
from email.utils import parseaddr
from pathlib import Path

import httpx

from src.config.settings import settings


class InvalidRecipientError(ValueError):
    pass


def _validated(recipient: str) -> str:
    _name, address = parseaddr(recipient)
    local, _, domain = address.rpartition("@")
    if not local or "." not in domain:
        raise InvalidRecipientError(f"not a deliverable address: {recipient!r}")
    return address


async def deliver(message_id: int, recipient: str, subject: str, body: str) -> str:
    """Send the message; returns where it went. Raises on any failure."""
    address = _validated(recipient)
    if settings.EMAIL_API_URL:
        async with httpx.AsyncClient(timeout=10.0) as client:
            response = await client.post(
                settings.EMAIL_API_URL,
                json={"id": message_id, "to": address, "subject": subject, "text": body},
            )
            response.raise_for_status()
            return settings.EMAIL_API_URL
    mime = MimeMessage()
    mime["To"] = address
    mime["Subject"] = subject
    mime["Message-ID"] = f"<{message_id}@example-service.local>"
    mime.set_content(body)
    path = Path(settings.EMAIL_OUTBOX_DIR) / f"{message_id}.eml"
    await asyncio.to_thread(_write, path, bytes(mime))
    return str(path)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
