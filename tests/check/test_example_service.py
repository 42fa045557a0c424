"""example_service, the reference host, checks clean; a copy with one violation introduced at a
time (one per checklist item and per hazard) gives exactly that rule's finding, on that line."""

from dataclasses import dataclass
from pathlib import Path

import pytest
from example_hosts import EXAMPLE, copy_example

from skf.check.engine import run_check

EMAIL = "src/services/email_sender_scheduler.py"
RUNTIME = "src/status_queue.py"
DOC = "Docs/Docs_6_Architecture_and_Status/BACKGROUND_SERVICES_ARCHITECTURE.md"
MODEL = "src/models/email_message.py"
DEV_TOOLS = "src/api/dev_tools.py"
EMAILS_API = "src/api/emails.py"


@dataclass(frozen=True)
class Violation:
    code: str
    path: str
    edits: tuple[tuple[str, str], ...]
    """(old, new) replacements in `path`; each `old` occurs exactly once."""
    line_of: str | None
    """Text on the line the finding must point at, after the edits (None: no line)."""
    also: tuple[tuple[str, str | None], ...] = ()
    """Other files to edit ((path, None) deletes one)."""
    at: str | None = None
    """The file the finding points at, when not `path` (a runtime defect shows at the job)."""


VIOLATIONS = [
    Violation(
        "SKF101",
        EMAIL,
        (
            ("async def process_pending_email_messages(", "def process_pending_email_messages("),
            ("    return await EMAIL_QUEUE.run(", "    return EMAIL_QUEUE.run("),
        ),
        "def process_pending_email_messages(",
    ),
    Violation(
        "SKF102",
        EMAIL,
        ((".with_for_update(skip_locked=True)", ".with_for_update()"),),
        ".with_for_update()",
    ),
    Violation("SKF103", EMAIL, (("        replace_existing=True,\n", ""),), "scheduler.add_job("),
    Violation(
        "SKF104",
        EMAIL,
        (
            (
                "misfire_grace_time=settings.EMAIL_SENDER_MISFIRE_GRACE_SECONDS",
                "misfire_grace_time=1800",
            ),
        ),
        "misfire_grace_time=1800",
    ),
    Violation(
        "SKF105",
        DOC,
        (
            (
                "| `Queued` | waiting to be claimed (monitored by email_sender) |\n"
                "| `Processing` | claimed by a worker |\n",
                "| `Queued` | waiting to be claimed (monitored by email_sender) |\n",
            ),
        ),
        "### EmailStatus",
    ),
    Violation(
        "SKF106",
        RUNTIME,
        (('        logger.info("%s: run started", self.job_id)\n', ""),),
        "async def process_pending_email_messages(",
        at=EMAIL,
    ),
    Violation("SKF107", DOC, (("### email_sender\n", "### mailer (retired)\n"),), None),
    Violation(
        "SKF108",
        "src/services/sitemap_scanner_scheduler.py",
        (),
        "async def process_pending_sitemap_domains(",
        also=(("tests/services/test_sitemap_scanner.py", None),),
    ),
    Violation(
        "SKF201",
        EMAIL,
        (
            (
                "    await deliver(message.id, message.recipient, message.subject, message.body)\n",
                "    async with get_background_session():\n"
                "        await deliver(\n"
                "            message.id, message.recipient, message.subject, message.body\n"
                "        )\n",
            ),
        ),
        "await deliver(",
    ),
    Violation(
        "SKF202",
        RUNTIME,
        (("            summary.rescued = await self.rescue_stale()\n", ""),),
        "async def process_pending_email_messages(",
        at=EMAIL,
    ),
    Violation(
        "SKF203",
        RUNTIME,
        (
            (
                "            values[self.status.key] = self.queued\n",
                "            values[self.status.key] = self.error\n",
            ),
        ),
        "values[self.available_at.key]",
    ),
    Violation(
        "SKF204",
        MODEL,
        (
            (
                'status_enum(EmailStatus, "email_status"), default=EmailStatus.Queued',
                "String(20), default=EmailStatus.Queued",
            ),
        ),
        "    status: Mapped[EmailStatus]",
    ),
    Violation(
        "SKF205",
        DEV_TOOLS,
        ((", dependencies=[Depends(require_dev_tools)]", ""),),
        "async def run_job_now(",
    ),
    Violation(
        "SKF206",
        DEV_TOOLS,
        (
            (
                "    job = scheduler.get_job(job_id)\n",
                "    from src.services.mailer_scheduler import run_mailer\n\n"
                "    job = scheduler.get_job(job_id)\n",
            ),
        ),
        "from src.services.mailer_scheduler import run_mailer",
    ),
    Violation(
        "SKF207",
        EMAILS_API,
        (
            (
                "EmailMessage.id == message_id, EmailMessage.status == EmailStatus.Error",
                "EmailMessage.id == message_id",
            ),
        ),
        ".values(status=EmailStatus.Queued",
    ),
]


def test_the_reference_host_checks_clean() -> None:
    result = run_check(EXAMPLE, use_cache=False)
    assert [(f.code, f.path, f.line, f.message) for f in result.findings] == []
    assert result.exit_code == 0
    assert {s.name for s in result.services} == {"email_sender", "sitemap_scanner"}
    email = next(s for s in result.services if s.name == "email_sender")
    assert email.job_function == "process_pending_email_messages"
    assert email.model == "src.models.email_message.EmailMessage"
    assert email.status_enum == "src.models.email_message.EmailStatus"
    assert email.statuses == {
        "monitored": "Queued",
        "processing": "Processing",
        "completed": "Completed",
        "error": "Error",
    }
    assert "EMAIL_SENDER_MISFIRE_GRACE_SECONDS" in email.settings


def test_every_checklist_item_and_hazard_has_a_violation_here() -> None:
    codes = {v.code for v in VIOLATIONS}
    assert {f"SKF10{n}" for n in range(1, 9)} <= codes
    assert {f"SKF20{n}" for n in range(1, 8)} <= codes


@pytest.mark.parametrize("violation", VIOLATIONS, ids=lambda v: v.code)
def test_each_violation_gives_its_finding(tmp_path: Path, violation: Violation) -> None:
    host = copy_example(tmp_path / "host")
    target = host / violation.path
    text = target.read_text()
    for old, new in violation.edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    target.write_text(text)
    for path, content in violation.also:
        if content is None:
            (host / path).unlink()
        else:
            (host / path).write_text(content)

    result = run_check(host, use_cache=False)

    assert result.exit_code == 1
    assert {f.code for f in result.findings} == {violation.code}, [
        (f.code, f.path, f.line, f.message) for f in result.findings
    ]
    at = violation.at or violation.path
    mine = [f for f in result.findings if f.path == at]
    assert mine, [(f.path, f.line) for f in result.findings]
    if violation.line_of is None:
        return
    text = (host / at).read_text()
    expected = next(
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if violation.line_of in line
    )
    assert expected in {f.line for f in mine}, [(f.line, f.message) for f in mine]


def test_a_requeue_written_with_a_string_is_unchecked_too(tmp_path: Path) -> None:
    host = copy_example(tmp_path / "host")
    api = host / EMAILS_API
    api.write_text(
        api.read_text()
        .replace(
            "EmailMessage.id == message_id, EmailMessage.status == EmailStatus.Error",
            "EmailMessage.id == message_id",
        )
        .replace(".values(status=EmailStatus.Queued,", '.values(status="Queued",')
    )
    result = run_check(host, use_cache=False)
    assert {(f.code, f.path) for f in result.findings} == {("SKF207", EMAILS_API)}
