"""SKF106 run-not-logged: every run logs its start and its end."""

from collections.abc import Iterator
from typing import ClassVar

import libcst as cst

from skf.check.findings import Finding
from skf.check.rule import Example, Rule
from skf.check.rules._failures import log_lines
from skf.check.rules._reference import SERVICE, line_of
from skf.project.inventory import Inventory, Service
from skf.project.resolve import Frame

_HAND_WRITTEN = '''\
"""email_sender, written by hand: claims, sends and finishes in the job itself."""

import logging

from sqlalchemy import select

from src.config.settings import settings
from src.integrations.email_client import deliver
from src.models.email_message import EmailMessage, EmailStatus
from src.scheduler_instance import scheduler
from src.session.async_session import get_background_session

logger = logging.getLogger(__name__)


async def process_pending_email_messages(limit: int = settings.EMAIL_SENDER_BATCH_SIZE) -> None:
    logger.info("email_sender: run started")
    async with get_background_session() as session:
        rows = (
            await session.scalars(
                select(EmailMessage)
                .where(EmailMessage.status == EmailStatus.Queued)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for row in rows:
            row.status = EmailStatus.Processing
    sent = 0
    for row in rows:
        try:
            await deliver(row.id, row.recipient, row.subject, row.body)
        except Exception:
            logger.exception("email_sender: message %s failed", row.id)
            status = EmailStatus.Error
        else:
            status = EmailStatus.Completed
            sent += 1
        async with get_background_session() as session:
            await session.merge(row)
            row.status = status
    logger.info("email_sender: run finished, %d of %d sent", sent, len(rows))


def setup_email_sender_scheduler() -> None:
    scheduler.add_job(
        process_pending_email_messages,
        trigger="interval",
        seconds=settings.EMAIL_SENDER_INTERVAL_SECONDS,
        id="process_pending_email_messages",
        max_instances=settings.EMAIL_SENDER_MAX_INSTANCES,
        misfire_grace_time=settings.EMAIL_SENDER_MISFIRE_GRACE_SECONDS,
        coalesce=settings.EMAIL_SENDER_COALESCE,
        replace_existing=True,
    )
'''
HAND_WRITTEN_SERVICE = _HAND_WRITTEN
_SILENT = _HAND_WRITTEN.replace('    logger.info("email_sender: run started")\n', "").replace(
    '    logger.info("email_sender: run finished, %d of %d sent", sent, len(rows))\n', ""
)


class RunNotLogged(Rule):
    code = "SKF106"
    name = "run-not-logged"
    checklist_item: ClassVar[int | None] = 6
    summary = "Every run of the job logs its start and its end."
    what_it_does = (
        "Looks in the job, and in the function it delegates the run to (one call deep, "
        "into a shared runtime's `run()` too), for a logging call before the first await and "
        "one after the last await or in a `finally`."
    )
    why_is_this_bad = (
        "Without start and end lines nobody can tell a job that runs and finds nothing from "
        "a job that stopped running: REAL_WORLD had a poller that processed nothing for 69 "
        "days and a broken job that did not run for 19 hours, both silent."
    )
    VALID = (Example(files={SERVICE: _HAND_WRITTEN}, focus=SERVICE),)
    INVALID = (
        Example(
            files={SERVICE: _SILENT},
            focus=SERVICE,
            expected_lines=(line_of(_SILENT, "async def process_pending_email_messages("),),
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        for service in inventory.services:
            job = service.job_frame
            if job is None or service.job is None:
                continue
            start, end = _logged(inventory, service)
            missing = [what for what, ok in (("start", start), ("end", end)) if not ok]
            if not missing:
                continue
            assert isinstance(service.job.node, cst.FunctionDef)
            yield self.at(
                f"runs of `{job.name}` ({service.name}) do not log their " + " or ".join(missing),
                job.source,
                service.job.node.name,
                service=service.name,
                symbol="run-log",
            )


def _logged(inventory: Inventory, service: Service) -> tuple[bool, bool]:
    job = service.job_frame
    assert job is not None
    frames = [job] + [f for f in service.frames if f.caller is job and f.via in {"call", "method"}]
    frames += _decorators(inventory, job)
    start = end = False
    for frame in frames:
        logs, final, awaits = log_lines(inventory, frame)
        if not logs or not awaits:
            continue
        start = start or min(logs) < min(awaits)
        end = end or bool(final) or max(logs) > max(awaits)
    return start, end


def _decorators(inventory: Inventory, job: Frame) -> list[Frame]:
    """A project decorator on the job (`@log_run`) and the wrappers it defines: where a run
    is often logged."""
    frames: list[Frame] = []
    for decorator in job.function.decorators:
        expression = decorator.decorator
        if isinstance(expression, cst.Call):
            expression = expression.func
        resolved = inventory.resolver.resolve(expression, job.source, None)
        definition = inventory.semantics.function(resolved)
        if definition is None or not isinstance(definition.node, cst.FunctionDef):
            continue
        outer = Frame(definition.source, definition.node, definition.scope, via="decorator")
        frames.append(outer)
        pending = [outer]
        while pending:
            frame = pending.pop()
            for name, node in inventory.resolver.nested_functions(frame.function).items():
                inner = Frame(
                    frame.source,
                    node,
                    f"{frame.scope}.<locals>.{name}",
                    parent=frame,
                    via="decorator",
                )
                frames.append(inner)
                pending.append(inner)
    return frames
