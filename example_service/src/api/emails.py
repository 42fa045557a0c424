"""Email messages API: queue a message, read it, requeue a failed one."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from src.models.email_message import EmailMessage, EmailStatus
from src.session.async_session import get_db_session
from src.status_queue import utcnow

router = APIRouter(prefix="/emails", tags=["emails"])
Session = Annotated[AsyncSession, Depends(get_db_session)]


class EmailIn(BaseModel):
    recipient: str = Field(max_length=320)
    subject: str = Field(max_length=200)
    body: str = ""


class EmailOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    recipient: str
    subject: str
    status: EmailStatus
    attempts: int
    last_error: str | None
    available_at: datetime
    completed_at: datetime | None


@router.post("", status_code=status.HTTP_201_CREATED)
async def queue_email(email: EmailIn, session: Session) -> EmailOut:
    message = EmailMessage(**email.model_dump(), status=EmailStatus.Queued)
    session.add(message)
    await session.flush()
    return EmailOut.model_validate(message)


@router.get("/{message_id}")
async def get_email(message_id: int, session: Session) -> EmailOut:
    message = await session.get(EmailMessage, message_id)
    if message is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such email")
    return EmailOut.model_validate(message)


@router.post("/{message_id}/requeue")
async def requeue_email(message_id: int, session: Session) -> EmailOut:
    """Queue a failed message again. Only from Error: requeueing a row that is still
    Processing would let two workers send it twice."""
    requeued = await session.execute(
        update(EmailMessage)
        .where(EmailMessage.id == message_id, EmailMessage.status == EmailStatus.Error)
        .values(status=EmailStatus.Queued, attempts=0, available_at=utcnow(), last_error=None)
        .returning(EmailMessage.id)
    )
    if requeued.first() is None:
        current = await session.get(EmailMessage, message_id)
        if current is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such email")
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"only Error messages can be requeued, not {current.status.value}",
        )
    message = await session.get(EmailMessage, message_id, populate_existing=True)
    return EmailOut.model_validate(message)
