"""The one shared APScheduler instance every background service registers its job on."""

import logging

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobEvent,
    JobExecutionEvent,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler

logger = logging.getLogger("src.scheduler")

scheduler = AsyncIOScheduler(timezone="UTC")


def _log_job_event(event: JobEvent) -> None:
    if isinstance(event, JobExecutionEvent) and event.exception is not None:
        logger.error(
            "job %s crashed",
            event.job_id,
            exc_info=(type(event.exception), event.exception, event.exception.__traceback__),
        )
    elif event.code == EVENT_JOB_EXECUTED:
        logger.debug("job %s executed", event.job_id)
    elif event.code == EVENT_JOB_MISSED:
        logger.warning("job %s missed its run time (misfire grace exceeded)", event.job_id)
    elif event.code == EVENT_JOB_MAX_INSTANCES:
        logger.info("job %s skipped a run: max instances already running", event.job_id)


scheduler.add_listener(
    _log_job_event,
    EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES,
)
