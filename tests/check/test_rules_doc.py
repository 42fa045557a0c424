"""Rule docs come from the rules: explain output, SARIF help and docs/rules.md."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from check_fakes import FAKE_RULES, HardcodedSchedule, RowsStuck

from skf.check.rules import ALL_RULES
from skf.check.rules_doc import REGENERATE, lookup_rule, rule_markdown, rules_reference
from skf.errors import UsageError

REPOSITORY = Path(__file__).resolve().parents[2]


def test_rule_markdown_has_ruff_sections_with_the_rules_own_examples() -> None:
    text = rule_markdown(HardcodedSchedule)
    assert text.splitlines()[:6] == [
        "# SKF104 `hardcoded-schedule`",
        "",
        HardcodedSchedule.summary,
        "",
        "- Scope: checklist item 4: Add/verify all required environment variables",
        "- Fix: safe: Move the literal into a new setting.",
    ]
    sections = [line for line in text.splitlines() if line.startswith("## ")]
    assert sections == ["## What it does", "## Why is this bad?", "## Example", "## Use instead"]
    example = text.split("## Example")[1].split("## Use instead")[0]
    assert "In `src/a.py`:" in example
    assert "```python\nx = 1800\n```" in example
    assert "```python\nx = settings.A\n```" in text.split("## Use instead")[1]


def test_a_hazard_without_examples_or_fix() -> None:
    text = rule_markdown(RowsStuck, level=2)
    assert text.startswith("## SKF201 `no-stale-rescue`")
    assert "- Scope: hazard (not a checklist item)" in text
    assert "- Fix: none" in text
    assert "Example" not in text


def test_lookup_by_code_or_name_and_near_matches() -> None:
    assert lookup_rule(FAKE_RULES, "skf104") is HardcodedSchedule
    assert lookup_rule(FAKE_RULES, "no-stale-rescue") is RowsStuck
    with pytest.raises(UsageError, match=r"unknown rule 'SKF10'; did you mean SKF104\?"):
        lookup_rule(FAKE_RULES, "SKF10")
    with pytest.raises(UsageError, match=r"did you mean hardcoded-schedule\?"):
        lookup_rule(FAKE_RULES, "hardcoded-schedul")
    with pytest.raises(UsageError, match=r"^unknown rule 'zzz' \(`skf rules` lists them all\)$"):
        lookup_rule(FAKE_RULES, "zzz")


def test_every_rule_has_complete_documentation() -> None:
    for rule in ALL_RULES:
        assert re.fullmatch(r"SKF\d{3}", rule.code), rule
        assert all((rule.summary, rule.what_it_does, rule.why_is_this_bad)), rule
        assert rule.INVALID, f"{rule.code} has no INVALID example to show"
    codes = [rule.code for rule in ALL_RULES]
    assert len(codes) == len(set(codes))


def test_checked_in_docs_match_the_rules() -> None:
    checked_in = REPOSITORY / "docs" / "rules.md"
    expected = rules_reference(ALL_RULES)
    current = checked_in.read_text(encoding="utf-8") if checked_in.is_file() else ""
    assert current == expected, (
        f"docs/rules.md is out of date with the rules; run `{REGENERATE}` from the repository "
        "root and commit the result"
    )


def test_the_generator_writes_and_checks(tmp_path: Path) -> None:
    def generator(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "skf.check.rules_doc", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )

    assert generator("--check").returncode == 1
    assert generator().stdout == "wrote docs/rules.md\n"
    assert (tmp_path / "docs" / "rules.md").read_text() == rules_reference(ALL_RULES)
    assert generator().stdout == "unchanged docs/rules.md\n"
    assert generator("--check").returncode == 0
