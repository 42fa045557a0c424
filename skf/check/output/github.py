"""`--format github`: GitHub Actions workflow commands, one annotation per finding.

    ::error file=src/x.py,line=42,col=5,endLine=42,endColumn=30,title=SKF104 name::message

Escaping follows the Actions runner: in the message `%`, CR and LF are percent-encoded; in
property values `:` and `,` are too, since they delimit the properties.
"""

from skf.check.findings import Finding
from skf.check.output.context import RenderContext
from skf.check.report import Report


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def format_finding(finding: Finding, context: RenderContext) -> str:
    properties = [("file", context.display_path(finding))]
    if finding.line is not None:
        properties.append(("line", str(finding.line)))
        if finding.column is not None:
            properties.append(("col", str(finding.column)))
        if finding.end_line is not None:
            properties.append(("endLine", str(finding.end_line)))
            if finding.end_column is not None:
                properties.append(("endColumn", str(finding.end_column)))
    properties.append(("title", f"{finding.code} {finding.name}"))
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    item = "" if finding.checklist_item is None else f" [checklist item {finding.checklist_item}]"
    return f"::{finding.severity} {rendered}::{escape_data(finding.message + item)}"


def render(report: Report, context: RenderContext) -> str:
    findings = sorted(report.result.findings, key=Finding.sort_key)
    return "".join(format_finding(finding, context) + "\n" for finding in findings)
