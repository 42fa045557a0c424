"""What the checker reports: findings, their fixes, and the result of one check run.

The JSON contract (`skf check --format json`, see DESIGN.md) is `CheckResult.to_json()`;
every other output format renders the same objects.
"""

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

Applicability = Literal["safe", "unsafe"]
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class FixInfo:
    applicability: Applicability
    description: str


@dataclass(frozen=True)
class Finding:
    code: str
    """Rule code, e.g. `SKF104`."""
    name: str
    """Rule name, e.g. `hardcoded-schedule`."""
    checklist_item: int | None
    """1-8 for a checklist rule, None for a hazard."""
    message: str
    path: str
    """POSIX, relative to the project root."""
    line: int | None
    """1-based; None when no line fits (something missing from a file)."""
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    service: str | None = None
    symbol: str = ""
    """What the finding is about, stable across edits (a function, a setting, an env var):
    with service and code it makes the fingerprint, so baselines survive moved lines."""
    severity: Severity = "error"
    fix: FixInfo | None = None

    @property
    def fingerprint(self) -> str:
        key = "\x1f".join((self.code, self.service or "", self.path, self.symbol))
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line or 0, self.column or 0, self.code)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "checklist_item": self.checklist_item,
            "severity": self.severity,
            "service": self.service,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "message": self.message,
            "fix": None
            if self.fix is None
            else {"applicability": self.fix.applicability, "description": self.fix.description},
            "fingerprint": self.fingerprint,
        }


@dataclass(frozen=True)
class ServiceSummary:
    """A discovered service, as `skf check --format json` lists it."""

    name: str
    path: str
    job_function: str | None
    model: str | None
    status_enum: str | None
    statuses: dict[str, str | None]
    """Role (monitored / processing / completed / error) -> status value."""
    settings: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "job_function": self.job_function,
            "model": self.model,
            "status_enum": self.status_enum,
            "statuses": dict(self.statuses),
            "settings": list(self.settings),
        }


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    services: list[ServiceSummary] = field(default_factory=list)
    files_scanned: int = 0

    @property
    def exit_code(self) -> int:
        return 1 if self.findings else 0

    def to_json(self) -> dict[str, Any]:
        findings = sorted(self.findings, key=Finding.sort_key)
        return {
            "version": 1,
            "findings": [finding.to_json() for finding in findings],
            "services": [service.to_json() for service in self.services],
            "summary": {
                "files_scanned": self.files_scanned,
                "services": len(self.services),
                "findings": len(findings),
            },
        }


def plural(count: int, word: str) -> str:
    """`1 finding`, `3 findings`: how every report counts things."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
