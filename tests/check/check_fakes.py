"""Hand-made findings and small rules for testing what surrounds the engine."""

from skf.check.findings import CheckResult, Finding, FixInfo, ServiceSummary
from skf.check.rule import Example, RuleMeta


class HardcodedSchedule(RuleMeta):
    code = "SKF104"
    name = "hardcoded-schedule"
    checklist_item = 4
    summary = "Interval, batch size, max instances and misfire grace come from settings."
    what_it_does = "Reports literal scheduling values in `add_job`."
    why_is_this_bad = "Operators cannot tune a literal without a deploy."
    fix_applicability = "safe"
    fix_description = "Move the literal into a new setting."
    VALID = (Example(files={"src/a.py": "x = settings.A\n"}, focus="src/a.py"),)
    INVALID = (Example(files={"src/a.py": "x = 1800\n"}, focus="src/a.py", expected_lines=(1,)),)


class RowsStuck(RuleMeta):
    code = "SKF201"
    name = "no-stale-rescue"
    checklist_item = None
    summary = "Rows left in Processing are rescued."
    what_it_does = "Reports services that never rescue stale Processing rows."
    why_is_this_bad = "A crash strands every claimed row forever."
    VALID = ()
    INVALID = ()


FAKE_RULES: tuple[type[RuleMeta], ...] = (RowsStuck, HardcodedSchedule)

SERVICE = ServiceSummary(
    name="email_sender",
    path="src/services/email_sender_scheduler.py",
    job_function="process_pending_email_messages",
    model="src.models.email_message.EmailMessage",
    status_enum="src.models.email_message.EmailStatus",
    statuses={
        "monitored": "Queued",
        "processing": "Processing",
        "completed": "Completed",
        "error": "Error",
    },
    settings=("EMAIL_SENDER_BATCH_SIZE",),
)


def finding(
    code: str = "SKF104",
    *,
    path: str = "src/services/email_sender_scheduler.py",
    line: int | None = 42,
    column: int | None = 5,
    message: str = "misfire_grace_time is the literal 1800; use a setting",
    symbol: str = "misfire_grace_time",
    fix: FixInfo | None = None,
    severity: str = "error",
) -> Finding:
    rule = next(r for r in FAKE_RULES if r.code == code)
    return Finding(
        code=code,
        name=rule.name,
        checklist_item=rule.checklist_item,
        message=message,
        path=path,
        line=line,
        column=column,
        end_line=None if line is None else line,
        end_column=None if column is None else column + 24,
        service="email_sender",
        symbol=symbol,
        severity="warning" if severity == "warning" else "error",
        fix=fix,
    )


def result(*findings: Finding) -> CheckResult:
    return CheckResult(findings=list(findings), services=[SERVICE], files_scanned=12)
