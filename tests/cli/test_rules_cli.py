"""`skf rules` and `skf rules explain CODE`."""

import json

import pytest
from cli_support import skf

from skf.check.rule import RuleMeta
from skf.check.rules import ALL_RULES


def test_the_table_lists_every_rule() -> None:
    result = skf("rules")
    assert result.exit_code == 0
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["CODE", "NAME", "ITEM", "FIX"]
    assert len(rows) == len(ALL_RULES)
    for row, rule in zip(rows, sorted(ALL_RULES, key=lambda r: r.code), strict=True):
        item = "-" if rule.checklist_item is None else str(rule.checklist_item)
        assert row.split() == [rule.code, rule.name, item, rule.fix_applicability or "-"]


def test_json_lists_every_rule() -> None:
    result = skf("rules", "--format", "json")
    assert result.exit_code == 0
    listed = json.loads(result.stdout)
    assert listed == [
        {
            "code": rule.code,
            "name": rule.name,
            "checklist_item": rule.checklist_item,
            "summary": rule.summary,
            "fix": rule.fix_applicability,
        }
        for rule in sorted(ALL_RULES, key=lambda r: r.code)
    ]


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_explain_prints_the_docs_with_the_rules_own_examples(rule: type[RuleMeta]) -> None:
    result = skf("rules", "explain", rule.code)
    assert result.exit_code == 0
    text = result.stdout
    assert text.startswith(f"# {rule.code} `{rule.name}`\n")
    for heading in ("## What it does", "## Why is this bad?", "## Example"):
        assert f"\n{heading}\n" in text
    invalid = rule.INVALID[0]
    example = text.split("## Example")[1].split("## Use instead")[0]
    assert invalid.files[invalid.focus].rstrip("\n") in example
    if rule.VALID:
        valid = rule.VALID[0]
        assert valid.files[valid.focus].rstrip("\n") in text.split("## Use instead")[1]


def test_explain_accepts_a_name_in_any_case() -> None:
    rule = ALL_RULES[-1]
    assert (
        skf("rules", "explain", rule.name.upper()).stdout
        == skf("rules", "explain", rule.code.lower()).stdout
    )


def test_an_unknown_code_is_exit_2_with_near_matches() -> None:
    near = sorted(ALL_RULES, key=lambda r: r.code)[-1].code
    result = skf("rules", "explain", near[:-1])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"skf: error: unknown rule {near[:-1]!r}; did you mean ")
    assert near in result.stderr
    nothing_near = skf("rules", "explain", "frobnicate")
    assert nothing_near.exit_code == 2
    assert nothing_near.stderr == (
        "skf: error: unknown rule 'frobnicate' (`skf rules` lists them all)\n"
    )
