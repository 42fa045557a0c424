"""`--format html`: one self-contained page people can look at.

A services x checklist-items grid and a services x hazards grid; a red cell links to the
service's findings for that column, each with a few lines of code around it and its fix.
Totals at the top. No network and no external assets: the CSS is inline and there is no
script. Accessible: real table headers with scopes, a caption per grid, and every cell says
in words what its colour shows ("pass", "2 findings").
"""

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from skf import __version__
from skf.check.findings import Finding, plural
from skf.check.output.context import RenderContext
from skf.check.report import Report
from skf.check.rule import RuleMeta
from skf.checklist import CHECKLIST

EXCERPT_CONTEXT = 3
"""Lines shown before and after a finding's line."""

_CSS = """
:root { color-scheme: light; --pass: #d8f0dc; --fail: #f7d4d2; --ink: #1b1f23; --muted: #57606a; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
  margin: 0 auto; padding: 1.5rem; max-width: 80rem; }
h1 { margin-top: 0; }
.totals { display: flex; flex-wrap: wrap; gap: .75rem; padding: 0; list-style: none; }
.totals li { border: 1px solid #d0d7de; border-radius: 6px; padding: .5rem .9rem; }
.totals strong { display: block; font-size: 1.5rem; }
table.grid { border-collapse: collapse; margin: 1rem 0 2rem; }
table.grid caption { text-align: left; font-weight: 600; font-size: 1.1rem; padding: .3rem 0; }
table.grid th, table.grid td { border: 1px solid #d0d7de; padding: .35rem .55rem;
  text-align: center; vertical-align: middle; }
table.grid thead th { background: #f6f8fa; font-size: .85rem; max-width: 9rem; }
table.grid thead th .short { display: block; font-weight: 400; color: var(--muted); }
table.grid tbody th { text-align: left; background: #f6f8fa; }
td.pass { background: var(--pass); }
td.fail { background: var(--fail); font-weight: 600; }
td.fail a { color: #82071e; }
.findings section { border-top: 1px solid #d0d7de; padding-top: .5rem; margin-top: 1.25rem; }
.finding { margin: .75rem 0 1.25rem; }
.finding h4 { margin: .2rem 0; font-size: 1rem; }
.where { color: var(--muted); font-family: ui-monospace, monospace; font-size: .85rem; }
pre.excerpt { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px;
  padding: .5rem 0; overflow-x: auto; font: 13px/1.4 ui-monospace, SFMono-Regular, monospace; }
pre.excerpt span { display: block; padding: 0 .75rem; white-space: pre; }
pre.excerpt span.hit { background: #fff1b8; }
pre.excerpt span::before { content: attr(data-line); display: inline-block; width: 3.5em;
  color: var(--muted); }
.fix { margin: .3rem 0; }
:target { outline: 3px solid #0969da; outline-offset: 4px; }
"""


@dataclass(frozen=True)
class _Column:
    key: str
    """"1".."8" for a checklist item, a rule code for a hazard."""
    label: str
    title: str
    short: str = ""
    """A few words under the label."""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _anchor(service_index: int, column: str) -> str:
    return f"s{service_index}-{column}"


def _item_columns() -> list[_Column]:
    return [
        _Column(str(item.number), f"{item.number}", item.title, item.key.replace("_", " "))
        for item in CHECKLIST
    ]


def _hazard_columns(rules: Sequence[type[RuleMeta]], findings: Sequence[Finding]) -> list[_Column]:
    """Every hazard rule (SKF2xx), and any other rule with no checklist item that reported
    something about a service."""
    columns = {
        rule.code: _Column(rule.code, rule.code, f"{rule.name}: {rule.summary}", rule.name)
        for rule in rules
        if rule.checklist_item is None and rule.code.startswith("SKF2")
    }
    for finding in findings:
        if finding.checklist_item is None and finding.code not in columns:
            columns[finding.code] = _Column(finding.code, finding.code, finding.name, finding.name)
    return [columns[code] for code in sorted(columns)]


def _column_of(finding: Finding) -> str:
    return finding.code if finding.checklist_item is None else str(finding.checklist_item)


def _excerpt(finding: Finding, root: Path | None) -> str:
    if root is None or finding.line is None:
        return ""
    try:
        lines = (root / finding.path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    last_line = (
        finding.end_line
        if finding.end_line and finding.end_line < finding.line + 6
        else finding.line
    )
    first = max(finding.line - EXCERPT_CONTEXT, 1)
    last = min(last_line + EXCERPT_CONTEXT, len(lines))
    if first > last:
        return ""
    spans = []
    for number in range(first, last + 1):
        hit = ' class="hit"' if finding.line <= number <= last_line else ""
        spans.append(f'<span data-line="{number}"{hit}>{_e(lines[number - 1])}</span>')
    label = f"{_e(finding.path)} lines {first} to {last}"
    return f'<pre class="excerpt" aria-label="{label}"><code>{"".join(spans)}</code></pre>'


def _finding(finding: Finding, context: RenderContext) -> str:
    where = context.location(finding)
    parts = [
        f'<article class="finding" id="finding-{_e(finding.fingerprint)}">',
        f"<h4>{_e(finding.code)} {_e(finding.name)}</h4>",
        f'<p class="message">{_e(finding.message)}</p>',
        f'<p class="where">{_e(where)}</p>',
        _excerpt(finding, context.root),
    ]
    if finding.fix is not None:
        how = "skf check --fix" + (
            " --unsafe-fixes" if finding.fix.applicability == "unsafe" else ""
        )
        parts.append(
            f'<p class="fix"><strong>Fix ({_e(finding.fix.applicability)}):</strong> '
            f"{_e(finding.fix.description)} <code>{_e(how)}</code> applies it.</p>"
        )
    else:
        parts.append('<p class="fix"><strong>Fix:</strong> by hand; no automatic fix.</p>')
    parts.append(
        f'<p class="explain">Details: <code>skf rules explain {_e(finding.code)}</code></p>'
    )
    parts.append("</article>")
    return "\n".join(part for part in parts if part)


def _grid(
    caption: str,
    columns: list[_Column],
    services: list[str],
    by_cell: dict[tuple[str, str], list[Finding]],
) -> str:
    head = "".join(
        f'<th scope="col"><abbr title="{_e(c.title)}">{_e(c.label)}</abbr>'
        f'<span class="short">{_e(c.short)}</span></th>'
        for c in columns
    )
    rows = []
    for index, service in enumerate(services):
        cells = []
        for column in columns:
            found = by_cell.get((service, column.key), [])
            if found:
                label = plural(len(found), "finding")
                cells.append(
                    f'<td class="fail"><a href="#{_anchor(index, column.key)}">'
                    f"&#x2717; {_e(label)}</a></td>"
                )
            else:
                cells.append('<td class="pass">&#x2713; pass</td>')
        rows.append(f'<tr><th scope="row">{_e(service)}</th>{"".join(cells)}</tr>')
    return (
        f'<table class="grid"><caption>{_e(caption)}</caption>'
        f'<thead><tr><th scope="col">Service</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _details(
    services: list[str],
    columns: list[_Column],
    by_cell: dict[tuple[str, str], list[Finding]],
    context: RenderContext,
) -> str:
    sections = []
    for index, service in enumerate(services):
        for column in columns:
            found = by_cell.get((service, column.key), [])
            if not found:
                continue
            title = f"item {column.label}: {column.title}" if column.key.isdigit() else column.title
            body = "\n".join(_finding(finding, context) for finding in found)
            sections.append(
                f'<section id="{_anchor(index, column.key)}">'
                f"<h3>{_e(service)} &mdash; {_e(title)}</h3>\n{body}</section>"
            )
    return "\n".join(sections)


def render(report: Report, context: RenderContext) -> str:
    result = report.result
    findings = sorted(result.findings, key=Finding.sort_key)
    services = [summary.name for summary in result.services]
    known = set(services)
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    project: list[Finding] = []
    for finding in findings:
        if finding.service in known:
            by_cell.setdefault((str(finding.service), _column_of(finding)), []).append(finding)
        else:
            project.append(finding)
    items, hazards = _item_columns(), _hazard_columns(context.rules, findings)
    failing = {service for service, _column in by_cell}
    checklist_count = sum(1 for f in findings if f.checklist_item is not None)
    totals = [
        (len(services), "services"),
        (len(services) - len(failing), "services with no finding"),
        (len(findings), "findings"),
        (checklist_count, "on checklist items"),
        (len(findings) - checklist_count, "hazards and other"),
        (result.files_scanned, "files checked"),
    ]
    if report.suppressed:
        totals.append((len(report.suppressed), "suppressed in the code"))
    if report.baselined:
        totals.append((len(report.baselined), "in the baseline"))
    project_html = ""
    if project:
        body = "\n".join(_finding(finding, context) for finding in project)
        heading = f"<h3>Not about one service ({len(project)})</h3>"
        project_html = f'<section id="project">{heading}\n{body}</section>'
    verdict = "All checks passed." if not findings else f"Found {plural(len(findings), 'finding')}."
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>skf compliance report</title>
<style>{_CSS}</style>
</head>
<body>
<main>
<h1>skf compliance report</h1>
<p id="verdict">{_e(verdict)} Checked by skf {_e(__version__)} against the background service
pattern's Implementation Checklist and the hazards real teams were hurt by.</p>
<ul class="totals" aria-label="Totals">
{"".join(f"<li><strong>{count}</strong> {_e(label)}</li>" for count, label in totals)}
</ul>
<h2>Checklist</h2>
{_grid("Services by checklist item", items, services, by_cell)}
<h2>Hazards</h2>
{_grid("Services by hazard rule", hazards, services, by_cell)}
<h2>Findings</h2>
<div class="findings">
{_details(services, items + hazards, by_cell, context) or "<p>No findings.</p>"}
{project_html}
</div>
</main>
</body>
</html>
"""
