"""SKF002 / SKF003 are judged after the engine, by `check_project`: their VALID and INVALID
examples run through it, on example_service with the example's files laid over it."""

from pathlib import Path

import pytest
from example_hosts import copy_example, write_files

from skf.check.report import check_project
from skf.check.rule import Example, RuleMeta
from skf.check.rules.suppression_without_reason import SuppressionWithoutReason
from skf.check.rules.unused_suppression import UnusedSuppression

RULES: tuple[type[RuleMeta], ...] = (SuppressionWithoutReason, UnusedSuppression)
CASES = [
    pytest.param(rule, example, valid, id=f"{rule.code}-{'valid' if valid else 'invalid'}-{n}")
    for rule in RULES
    for valid, examples in ((True, rule.VALID), (False, rule.INVALID))
    for n, example in enumerate(examples)
]


def host_with(tmp_path: Path, example: Example) -> Path:
    return write_files(copy_example(tmp_path / "host"), {**example.files, **example.extra})


@pytest.mark.parametrize(("rule", "example", "valid"), CASES)
def test_example(tmp_path: Path, rule: type[RuleMeta], example: Example, valid: bool) -> None:
    report = check_project(host_with(tmp_path, example), use_cache=False)
    if valid:
        assert report.result.findings == []
        return
    reported = [f for f in report.result.findings if f.code == rule.code]
    assert [(f.path, f.line) for f in reported] == [
        (example.focus, line) for line in example.expected_lines
    ]
