"""SKF108 untested-job: a test module exercises the job function."""

from collections.abc import Iterator
from typing import ClassVar

import libcst as cst

from skf.check.findings import Finding
from skf.check.rule import Example, Rule
from skf.check.rules._reference import TESTS
from skf.project.inventory import Inventory
from skf.project.tests_index import tests_for

TESTS_VALID = '''\
"""The email_sender job: its logic and error paths."""

from typing import Any

import pytest
from sqlalchemy import Row
from src.models.email_message import EmailMessage, EmailStatus
from src.services import email_sender_scheduler as service
from src.session.async_session import get_background_session


async def queue_email() -> int:
    async with get_background_session() as session:
        message = EmailMessage(recipient="user@example.com", subject="hello")
        session.add(message)
        await session.flush()
        return message.id


async def status_of(message_id: int) -> EmailStatus:
    async with get_background_session() as session:
        message = await session.get(EmailMessage, message_id)
        assert message is not None
        return message.status


async def test_sends_a_queued_message_and_completes_it(database: str) -> None:
    message_id = await queue_email()

    summary = await service.process_pending_email_messages()

    assert summary.completed == 1
    assert await status_of(message_id) is EmailStatus.Completed


async def test_a_failure_that_exhausts_the_attempts_ends_in_error(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(message: Row[Any]) -> None:
        raise ConnectionError("smtp relay refused")

    monkeypatch.setattr(service, "send_email_message", broken)
    monkeypatch.setattr(service.EMAIL_QUEUE.policy, "max_attempts", 1, raising=False)
    message_id = await queue_email()

    await service.process_pending_email_messages()

    assert await status_of(message_id) is EmailStatus.Error
'''
_NOT_EXERCISED = TESTS_VALID.replace(
    "from src.services import email_sender_scheduler as service\n",
    "from src.services import email_scheduler as service\n",
)


class UntestedJob(Rule):
    code = "SKF108"
    name = "untested-job"
    checklist_item: ClassVar[int | None] = 8
    summary = "A test module exercises the service's job function."
    what_it_does = (
        "Looks among the project's test modules (under `tests/`, or named `test_*.py`) for "
        "one that imports the job function, or imports its module and uses the function "
        "from it, and reports the service when none does."
    )
    why_is_this_bad = (
        "The job is the code that changes rows nobody watches: without a test that runs it, "
        "a rename or a refactor that breaks the claim or the status updates ships unnoticed "
        "(REAL_WORLD: tests importing module paths that no longer existed, so the job was in "
        "fact untested)."
    )
    VALID = (Example(files={TESTS: TESTS_VALID}, focus=TESTS),)
    INVALID = (
        Example(
            files={TESTS: _NOT_EXERCISED},
            focus=TESTS,
            expected_lines=(),
            note="The test imports a module that no longer exists: the job is not exercised.",
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        layout = inventory.layout
        for service in inventory.services:
            job = service.job
            if job is None or tests_for(inventory, service):
                continue
            assert isinstance(job.node, cst.FunctionDef)
            yield self.at(
                f"no test module exercises `{job.name}` of {service.name} "
                f"(looked under {layout.tests_dir}/ and at test_*.py files)",
                job.source,
                job.node.name,
                service=service.name,
                symbol=job.name,
            )
