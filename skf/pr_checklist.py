"""`skf checklist`: the pattern's Implementation Checklist for a service, ready to paste into a
pull request description.

An item is ticked only when `skf check` reports no finding of the service for it (nor a
project-wide finding for it, such as a compose file without the application's service); a
ticked item shows the `file:line` evidence, an unticked one what is missing and how to fix
it. Findings silenced with `# skf: ignore[...]` do not untick an item but are listed, so the
reviewer sees what was accepted. Hazards (SKF2xx) are not checklist items: they are listed
after the checklist and do not untick anything.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skf import __version__
from skf.check.findings import Finding
from skf.checklist import CHECKLIST, ChecklistItem
from skf.config import load_layout
from skf.errors import UsageError

Evidence = tuple[str, str | None]
"""What a check found for a checklist item, and where (`path:line`, or None)."""


@dataclass(frozen=True)
class Gap:
    """A finding, as the checklist states it."""

    code: str
    name: str
    message: str
    location: str
    fix: str | None
    """How to fix it: the rule's fix (`skf check --fix`) or, without one, what it requires."""
    fixable: str | None
    """"safe" or "unsafe" when `skf check --fix` can fix it."""

    @classmethod
    def of(cls, finding: Finding) -> "Gap":
        from skf.check.rules import ALL_RULES

        rule = next((r for r in ALL_RULES if r.code == finding.code), None)
        location = finding.path if finding.line is None else f"{finding.path}:{finding.line}"
        if finding.fix is not None:
            fix: str | None = finding.fix.description
        else:
            fix = rule.summary if rule is not None else None
        return cls(
            finding.code,
            finding.name,
            finding.message,
            location,
            fix,
            finding.fix.applicability if finding.fix is not None else None,
        )

    def markdown(self) -> list[str]:
        lines = [f"`{self.location}`: {self.message} (`{self.code}` {self.name})"]
        how = []
        if self.fix:
            how.append(self.fix.rstrip(".") + ".")
        if self.fixable == "safe":
            how.append("`skf check --fix` applies it.")
        elif self.fixable == "unsafe":
            how.append("`skf check --fix --unsafe-fixes` applies it; review the diff.")
        how.append(f"Details: `skf rules explain {self.code}`.")
        lines.append("Fix: " + " ".join(how))
        return lines

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "location": self.location,
            "fix": self.fix,
            "fixable": self.fixable,
            "explain": f"skf rules explain {self.code}",
        }


@dataclass(frozen=True)
class ItemStatus:
    item: ChecklistItem
    evidence: tuple[Evidence, ...]
    gaps: tuple[Gap, ...]
    accepted: tuple[Gap, ...] = ()
    """Findings suppressed in the code (`# skf: ignore[...]`)."""

    @property
    def done(self) -> bool:
        return not self.gaps

    def markdown(self) -> list[str]:
        lines = [f"- [{'x' if self.done else ' '}] **{self.item.number}. {self.item.title}**"]
        if self.done:
            lines += [
                f"  - {what}" + (f": `{where}`" if where else "") for what, where in self.evidence
            ]
        else:
            lines.append(f"  - Required: {self.item.requirement}.")
            for gap in self.gaps:
                first, *rest = gap.markdown()
                lines.append(f"  - Missing: {first}")
                lines += [f"    {line}" for line in rest]
        for gap in self.accepted:
            lines.append(f"  - Accepted in the code (`# skf: ignore`): {gap.markdown()[0]}")
        return lines

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.item.number,
            "title": self.item.title,
            "done": self.done,
            "evidence": [{"text": what, "location": where} for what, where in self.evidence],
            "missing": [gap.to_json() for gap in self.gaps],
            "accepted": [gap.to_json() for gap in self.accepted],
        }


@dataclass(frozen=True)
class ServiceChecklist:
    service: str
    items: tuple[ItemStatus, ...]
    hazards: tuple[Gap, ...] = ()
    verified: bool = True
    """False when ticked from what skf generated, without running the checker."""

    @property
    def complete(self) -> bool:
        return all(status.done for status in self.items)

    def markdown(self) -> str:
        done = sum(status.done for status in self.items)
        how = (
            f"Verified by `skf check` (skf {__version__}): {done} of {len(self.items)} "
            "items satisfied."
            if self.verified
            else "Ticked from what skf generated; `skf check` verifies it."
        )
        lines = [f"### Implementation Checklist: `{self.service}`", "", how, ""]
        for status in self.items:
            lines += status.markdown()
        if self.hazards:
            lines += ["", "Other findings (hazards; not checklist items):", ""]
            for gap in self.hazards:
                first, *rest = gap.markdown()
                lines.append(f"- {first}")
                lines += [f"  {line}" for line in rest]
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "verified": self.verified,
            "complete": self.complete,
            "items": [status.to_json() for status in self.items],
            "hazards": [gap.to_json() for gap in self.hazards],
        }


def service_checklist(
    service: str,
    findings: Sequence[Finding],
    suppressed: Sequence[Finding] = (),
    evidence: dict[int, list[Evidence]] | None = None,
) -> ServiceChecklist:
    """The checklist of `service` from the findings of a check of its project: its own, and
    project-wide ones (no service) about a checklist item."""

    def concerns(finding: Finding) -> bool:
        return finding.service == service or (
            finding.service is None and finding.checklist_item is not None
        )

    mine = [f for f in findings if concerns(f)]
    accepted = [f for f in suppressed if concerns(f)]
    items = tuple(
        ItemStatus(
            item,
            tuple((evidence or {}).get(item.number, [])),
            tuple(Gap.of(f) for f in mine if f.checklist_item == item.number),
            tuple(Gap.of(f) for f in accepted if f.checklist_item == item.number),
        )
        for item in CHECKLIST
    )
    hazards = tuple(Gap.of(f) for f in mine if f.checklist_item is None)
    return ServiceChecklist(service, items, hazards)


def checklists(
    root: Path, names: Sequence[str] = (), *, changed_since: str | None = None
) -> list[ServiceChecklist]:
    """The checklists of the services `names` of the project at `root` (every service when
    none is named; with `changed_since`, only those whose files changed since that git
    revision). UsageError (exit 2) for a name that is no service, listing the known ones."""
    from skf.check.report import check_project  # imports every rule
    from skf.checklist_evidence import evidence
    from skf.project.inventory import build_inventory

    layout = load_layout(root)
    inventory = build_inventory(layout)
    known = [service.name for service in inventory.services]
    unknown = [name for name in names if name not in known]
    if unknown:
        listing = ", ".join(known) if known else "none found"
        raise UsageError(
            f"no service named {', '.join(repr(n) for n in unknown)}; known services: {listing}"
        )
    report = check_project(layout.root, changed_since=changed_since)
    selected = [s.name for s in report.result.services] if changed_since else known
    wanted = [name for name in (names or known) if name in selected]
    by_name = {service.name: service for service in inventory.services}
    return [
        service_checklist(
            name,
            report.result.findings,
            report.suppressed,
            evidence(inventory, by_name[name]),
        )
        for name in wanted
    ]
