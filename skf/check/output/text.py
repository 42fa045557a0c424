"""Text output, like ruff's: one line per finding, then a summary line.

    src/services/x_scheduler.py:42:5: SKF104 [*] message [checklist item 4]
    docker-compose.yml: SKF107 message [checklist item 7]

`[*]` marks a finding `skf check --fix` can fix.
"""

from skf.check.findings import Finding, plural
from skf.check.output.context import RenderContext
from skf.check.report import Report


def format_finding(finding: Finding, context: RenderContext) -> str:
    marker = " [*]" if context.fixable(finding) else ""
    item = "" if finding.checklist_item is None else f" [checklist item {finding.checklist_item}]"
    return f"{context.location(finding)}: {finding.code}{marker} {finding.message}{item}"


def summary(report: Report, context: RenderContext) -> str:
    result = report.result
    scope = (
        f"{plural(len(result.services), 'service')}, {plural(result.files_scanned, 'file')} checked"
    )
    hidden = []
    if report.suppressed:
        hidden.append(f"{len(report.suppressed)} suppressed")
    if report.baselined:
        hidden.append(f"{len(report.baselined)} in the baseline")
    scope += "".join(f", {part}" for part in hidden)
    if not result.findings:
        return f"All checks passed ({scope})."
    line = f"Found {plural(len(result.findings), 'finding')} ({scope})."
    fixable = sum(1 for finding in result.findings if context.fixable(finding))
    if fixable:
        line += f"\n[*] {fixable} fixable with `skf check --fix`."
    unsafe = sum(
        1 for finding in result.findings if finding.fix is not None and not context.fixable(finding)
    )
    if unsafe:
        line += f"\n{unsafe} more fixable with `skf check --fix --unsafe-fixes`."
    return line


def render(report: Report, context: RenderContext) -> str:
    findings = sorted(report.result.findings, key=Finding.sort_key)
    lines = [format_finding(finding, context) for finding in findings]
    lines.append(summary(report, context))
    return "\n".join(lines) + "\n"
