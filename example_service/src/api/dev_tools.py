"""Dev/test tools: run a background job now, through the shared scheduler.

Denied unless `DEV_TOOLS_ENABLED` is set, and then only with the `X-Dev-Token` header equal
to `DEV_TOOLS_TOKEN`. The trigger looks jobs up on the scheduler by id instead of importing
service modules, so it cannot break when a service is renamed or removed, and it runs the
registered job (claim included, max instances respected) rather than calling a service directly.
"""

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, status

from src.config.settings import settings
from src.scheduler_instance import scheduler
from src.status_queue import utcnow


def require_dev_tools(x_dev_token: Annotated[str | None, Header()] = None) -> None:
    if not settings.DEV_TOOLS_ENABLED:
        # Look like a missing route: production should not advertise dev tools.
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Not Found")
    expected = settings.DEV_TOOLS_TOKEN
    if expected is None or not secrets.compare_digest(
        (x_dev_token or "").encode(), expected.get_secret_value().encode()
    ):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "dev tools need a valid X-Dev-Token")


router = APIRouter(prefix="/dev", tags=["dev-tools"], dependencies=[Depends(require_dev_tools)])


@router.get("/jobs")
async def list_jobs() -> list[dict[str, Any]]:
    return [{"id": job.id, "next_run_time": job.next_run_time} for job in scheduler.get_jobs()]


@router.post("/jobs/{job_id}/run", status_code=status.HTTP_202_ACCEPTED)
async def run_job_now(job_id: str) -> dict[str, Any]:
    job = scheduler.get_job(job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no scheduled job {job_id!r}")
    job.modify(next_run_time=utcnow())
    return {"job_id": job_id, "scheduled_for": job.next_run_time}
