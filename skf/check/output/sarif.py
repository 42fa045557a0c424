"""`--format sarif`: SARIF 2.1.0, as GitHub code scanning accepts it.

One run; `tool.driver.rules` lists every rule (with its docs as help), each result points
at its rule by id and index, and carries the finding's fingerprint as a partial
fingerprint so that code scanning tracks an alert across commits the way a baseline does.
Locations are relative to `%SRCROOT%`, the directory skf runs from (the repository root in
CI). GitHub needs `region.startLine` on every result to show it, so a finding about
something missing from a file (no line: a docs section, a compose entry) points at line 1
of that file.
"""

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from skf import __version__
from skf.check.findings import Finding
from skf.check.output.context import RenderContext
from skf.check.report import Report
from skf.check.rule import RuleMeta
from skf.check.rules_doc import kind, rule_help_text, rule_markdown, scope

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "skf/v1"


def _level(severity: str) -> str:
    return "error" if severity == "error" else "warning"


def _tags(rule: type[RuleMeta]) -> list[str]:
    if rule.checklist_item is None:
        return ["skf", kind(rule)]
    return ["skf", "checklist", f"checklist-item-{rule.checklist_item}"]


def rule_descriptor(rule: type[RuleMeta]) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.what_it_does.strip()},
        "help": {"text": rule_help_text(rule), "markdown": rule_markdown(rule)},
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "tags": _tags(rule),
            "checklist_item": rule.checklist_item,
            "scope": scope(rule),
            "fix": rule.fix_applicability,
        },
    }


def _region(finding: Finding) -> dict[str, int]:
    if finding.line is None:
        return {"startLine": 1}
    region = {"startLine": finding.line}
    if finding.column is not None:
        region["startColumn"] = finding.column
    if finding.end_line is not None:
        region["endLine"] = finding.end_line
        if finding.end_column is not None:
            region["endColumn"] = finding.end_column
    return region


def result_object(finding: Finding, index: int | None, context: RenderContext) -> dict[str, Any]:
    path = context.display_path(finding)
    artifact = (
        {"uri": Path(path).as_uri()}  # the root is outside the working directory
        if path.startswith("/")
        else {"uri": quote(path), "uriBaseId": SRCROOT}  # a URI reference: percent-encoded
    )
    physical: dict[str, Any] = {"artifactLocation": artifact, "region": _region(finding)}
    result: dict[str, Any] = {"ruleId": finding.code}
    if index is not None:
        result["ruleIndex"] = index
    result.update(
        {
            "level": _level(finding.severity),
            "message": {"text": finding.message},
            "locations": [{"physicalLocation": physical}],
            "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
            "properties": {
                "service": finding.service,
                "checklist_item": finding.checklist_item,
                "fix": None
                if finding.fix is None
                else {
                    "applicability": finding.fix.applicability,
                    "description": finding.fix.description,
                },
            },
        }
    )
    return result


def sarif_log(report: Report, context: RenderContext) -> dict[str, Any]:
    rules = sorted(context.rules, key=lambda rule: rule.code)
    index = {rule.code: position for position, rule in enumerate(rules)}
    findings = sorted(report.result.findings, key=Finding.sort_key)
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "skf",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [rule_descriptor(rule) for rule in rules],
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": Path.cwd().as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": [
                    result_object(finding, index.get(finding.code), context) for finding in findings
                ],
            }
        ],
    }


def render(report: Report, context: RenderContext) -> str:
    return json.dumps(sarif_log(report, context), indent=2) + "\n"
