"""The reporters: text like ruff, JSON exactly the contract, SARIF valid against the
official 2.1.0 schema, GitHub workflow commands escaped as the runner expects."""

import json
from pathlib import Path

import jsonschema
import pytest
from check_fakes import FAKE_RULES, finding, result

from skf.check.findings import FixInfo
from skf.check.output import FORMATS, RenderContext, render
from skf.check.output.github import escape_data, escape_property
from skf.check.report import Report
from skf.errors import UsageError

# The SARIF 2.1.0 JSON schema (its final "rtm.5" draft-04 text, vendored from the MIT-licensed
# @microsoft/jest-sarif package): tests cannot fetch it.
SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text())
CONTEXT = RenderContext(rules=FAKE_RULES)


def test_text_is_one_ruff_style_line_per_finding_then_a_summary() -> None:
    report = Report(
        result(
            finding(line=42, column=5),
            finding("SKF201", path="src/services/a.py", line=None, column=None, message="m2"),
        )
    )
    assert render(report, "text", CONTEXT).splitlines() == [
        "src/services/a.py: SKF201 m2",
        "src/services/email_sender_scheduler.py:42:5: SKF104 misfire_grace_time is the "
        "literal 1800; use a setting [checklist item 4]",
        "Found 2 findings (1 service, 12 files checked).",
    ]


def test_text_marks_fixable_findings_and_counts_hidden_ones() -> None:
    safe = finding(fix=FixInfo("safe", "move it to a setting"))
    unsafe = finding(line=50, fix=FixInfo("unsafe", "rewrite"))
    report = Report(result(safe, unsafe), suppressed=[finding()], baselined=[finding(), finding()])
    lines = render(report, "text", CONTEXT).splitlines()
    assert lines[0].startswith("src/services/email_sender_scheduler.py:42:5: SKF104 [*] misfire")
    assert "[*]" not in lines[1]
    assert lines[2:] == [
        "Found 2 findings (1 service, 12 files checked, 1 suppressed, 2 in the baseline).",
        "[*] 1 fixable with `skf check --fix`.",
        "1 more fixable with `skf check --fix --unsafe-fixes`.",
    ]
    with_unsafe = render(report, "text", RenderContext(rules=FAKE_RULES, unsafe_fixes=True))
    assert "[*] 2 fixable with `skf check --fix`." in with_unsafe


def test_text_clean_run_and_path_prefix() -> None:
    assert render(Report(result()), "text", CONTEXT) == (
        "All checks passed (1 service, 12 files checked).\n"
    )
    prefixed = render(Report(result(finding())), "text", RenderContext(path_prefix="host/"))
    assert prefixed.startswith("host/src/services/email_sender_scheduler.py:42:5: SKF104")


def test_json_is_exactly_the_contract() -> None:
    check = result(finding(line=9), finding(line=3))
    rendered = json.loads(render(Report(check), "json", CONTEXT))
    assert rendered == check.to_json()
    assert rendered["summary"] == {"files_scanned": 12, "services": 1, "findings": 2}
    assert [f["line"] for f in rendered["findings"]] == [3, 9]


def sarif(report: Report, context: RenderContext = CONTEXT) -> dict[str, object]:
    log = json.loads(render(report, "sarif", context))
    jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(log)
    return log


def test_sarif_validates_against_the_official_schema_and_points_at_rules() -> None:
    report = Report(
        result(
            finding(fix=FixInfo("safe", "move it")),
            finding(
                "SKF201", path="docker-compose.yml", line=None, column=None, severity="warning"
            ),
        )
    )
    run = sarif(report)["runs"][0]  # type: ignore[index]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == ["SKF104", "SKF201"]
    assert rules[0]["help"]["markdown"].startswith("# SKF104 `hardcoded-schedule`")
    assert "## Example" in rules[0]["help"]["markdown"]
    assert rules[0]["properties"]["tags"] == ["skf", "checklist", "checklist-item-4"]
    assert rules[1]["properties"]["tags"] == ["skf", "hazard"]
    compose, service = run["results"]
    assert (compose["ruleId"], compose["ruleIndex"], compose["level"]) == ("SKF201", 1, "warning")
    # No line: GitHub still needs a region to show the alert, so it is the file's first line.
    assert compose["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    location = service["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {
        "uri": "src/services/email_sender_scheduler.py",
        "uriBaseId": "%SRCROOT%",
    }
    assert location["region"] == {"startLine": 42, "startColumn": 5, "endLine": 42, "endColumn": 29}
    assert service["partialFingerprints"] == {"skf/v1": report.result.findings[0].fingerprint}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")


def test_sarif_of_a_clean_run_and_of_an_absolute_root_still_validates() -> None:
    assert sarif(Report(result()))["runs"][0]["results"] == []  # type: ignore[index]
    spaced = sarif(Report(result(finding(path="my dir/a#b.py"))))["runs"][0]  # type: ignore[index]
    uri = spaced["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "my%20dir/a%23b.py"
    outside = RenderContext(rules=FAKE_RULES, path_prefix="/elsewhere/host/")
    run = sarif(Report(result(finding())), outside)["runs"][0]  # type: ignore[index]
    artifact = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "file:///elsewhere/host/src/services/email_sender_scheduler.py"}


def test_github_annotations() -> None:
    report = Report(
        result(
            finding(message="100% wrong\nsecond line"),
            finding("SKF201", path="a,b:c.py", line=None, column=None, severity="warning"),
        )
    )
    assert render(report, "github", CONTEXT).splitlines() == [
        "::warning file=a%2Cb%3Ac.py,title=SKF201 no-stale-rescue::message-x".replace(
            "message-x", "misfire_grace_time is the literal 1800; use a setting"
        ),
        "::error file=src/services/email_sender_scheduler.py,line=42,col=5,endLine=42,"
        "endColumn=29,title=SKF104 hardcoded-schedule::100%25 wrong%0Asecond line "
        "[checklist item 4]",
    ]


def test_github_escaping_rules() -> None:
    assert escape_data("a%b\r\nc:d,e") == "a%25b%0D%0Ac:d,e"
    assert escape_property("a%b\r\nc:d,e") == "a%25b%0D%0Ac%3Ad%2Ce"


def test_every_format_is_dispatched_and_unknown_ones_are_usage_errors() -> None:
    assert FORMATS[:4] == ("text", "json", "sarif", "github")  # later formats come after
    for name in FORMATS:
        assert render(Report(result(finding())), name, CONTEXT).endswith("\n")
    with pytest.raises(UsageError, match="unknown output format 'xml'"):
        render(Report(result()), "xml", CONTEXT)
