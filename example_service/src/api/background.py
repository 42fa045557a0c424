"""Read-only health of every background queue: depth per status, oldest due age, stuck rows.

Queue depth and oldest-queued age are what catch a silently stopped service.
"""

from typing import Any

from fastapi import APIRouter, HTTPException, status

from src.status_queue import StatusQueue

router = APIRouter(prefix="/background", tags=["background"])


@router.get("/queues")
async def all_queue_status() -> list[dict[str, Any]]:
    return [await queue.snapshot() for queue in StatusQueue.registry.values()]


@router.get("/queues/{job_id}")
async def queue_status(job_id: str) -> dict[str, Any]:
    queue = StatusQueue.registry.get(job_id)
    if queue is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no background queue {job_id!r}")
    return await queue.snapshot()
