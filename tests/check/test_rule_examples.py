"""Every rule's VALID and INVALID examples (Fixit style), run through the real engine on a
copy of the reference host: VALID examples give no finding of the rule, INVALID ones give
findings on exactly the expected lines; each fix is applied, compared with the expected
result, re-checked (the rule is silent) and planned again (nothing left to do)."""

import re
from pathlib import Path

import pytest
from hosts import rule_host

from skf.check.engine import run_check
from skf.check.fixes import plan_fixes
from skf.check.rule import Example, Rule
from skf.check.rules import ALL_RULES
from skf.checklist import CHECKLIST

RULES = [rule for rule in ALL_RULES if issubclass(rule, Rule)]
CASES = [
    pytest.param(rule, kind, example, id=f"{rule.code}-{rule.name}-{kind}{index}")
    for rule in RULES
    for kind, examples in (("valid", rule.VALID), ("invalid", rule.INVALID))
    for index, example in enumerate(examples)
]


@pytest.mark.parametrize(("rule", "kind", "example"), CASES)
def test_rule_example(tmp_path: Path, rule: type[Rule], kind: str, example: Example) -> None:
    host = rule_host(tmp_path / "host", example.files)
    result = run_check(host, use_cache=False)
    mine = [f for f in result.findings if f.code == rule.code]
    if kind == "valid":
        assert mine == [], [f.message for f in mine]
        return
    assert mine, f"{rule.code} reported nothing"
    for finding in mine:
        assert finding.checklist_item == rule.checklist_item
        assert finding.name == rule.name
        assert finding.message
        assert "\n" not in finding.message
    if example.expected_lines:
        lines = sorted({f.line for f in mine if f.path == example.focus and f.line is not None})
        assert lines == sorted(set(example.expected_lines)), [
            (f.path, f.line, f.message) for f in mine
        ]
    if example.fixed is not None:
        check_fix(host, rule, example)


def check_fix(host: Path, rule: type[Rule], example: Example) -> None:
    assert example.fixed is not None
    result = run_check(host, use_cache=False)
    result.findings = [f for f in result.findings if f.code == rule.code]
    changes, fixed = plan_fixes(host, result, unsafe=True)
    assert any(f.code == rule.code for f in fixed), "the fix planned nothing"
    changes.apply()
    for path, text in example.fixed.items():
        assert (host / path).read_text() == text, changes.diff()
    again = run_check(host, use_cache=False)
    assert [f.message for f in again.findings if f.code == rule.code] == []
    again.findings = [f for f in again.findings if f.code == rule.code]
    second, refixed = plan_fixes(host, again, unsafe=True)
    assert refixed == []
    assert second.is_empty, second.diff()


def test_rules_are_sorted_unique_and_numbered_by_checklist_item() -> None:
    codes = [rule.code for rule in ALL_RULES]
    assert codes == sorted(codes)
    assert len(set(codes)) == len(codes)
    assert len({rule.name for rule in ALL_RULES}) == len(ALL_RULES)
    for rule in RULES:
        match = re.fullmatch(r"SKF(\d)(\d)(\d)", rule.code)
        assert match, rule.code
        family, _tens, units = (int(g) for g in match.groups())
        if family == 1:
            assert rule.checklist_item == units, rule.code
        else:
            assert rule.checklist_item is None, rule.code
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name), rule.name
        assert rule.summary
        assert rule.what_it_does
        assert rule.why_is_this_bad
        assert rule.VALID, f"{rule.code} needs VALID and INVALID examples"
        assert rule.INVALID, f"{rule.code} needs VALID and INVALID examples"
        if rule.fix_applicability is not None:
            assert rule.fix_description
            assert any(e.fixed is not None for e in rule.INVALID), f"{rule.code}: show its fix"


def test_every_checklist_item_has_its_primary_rule() -> None:
    codes = {rule.code for rule in RULES}
    for item in CHECKLIST:
        assert f"SKF10{item.number}" in codes
