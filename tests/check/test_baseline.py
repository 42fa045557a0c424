"""Baselines: record today's findings, report only new ones, matched by fingerprint.

(That fingerprints survive real edits and moved code is tested end to end, through the
engine, in test_baseline_engine.py.)"""

import json
from pathlib import Path

import pytest
from check_fakes import finding

from skf.check.baseline import load_baseline, write_baseline
from skf.errors import UsageError


def test_written_baseline_hides_exactly_the_recorded_findings(tmp_path: Path) -> None:
    old = finding(line=42, symbol="misfire_grace_time")
    file = tmp_path / "baseline.json"
    write_baseline(file, [old])
    document = json.loads(file.read_text())
    assert document["version"] == 1
    assert document["findings"] == [
        {
            "fingerprint": old.fingerprint,
            "code": "SKF104",
            "name": "hardcoded-schedule",
            "service": "email_sender",
            "path": "src/services/email_sender_scheduler.py",
            "symbol": "misfire_grace_time",
            "line": 42,
            "message": old.message,
        }
    ]
    baseline = load_baseline(file)
    moved = finding(line=97, column=9, symbol="misfire_grace_time")
    new = finding(line=43, symbol="max_instances")
    assert baseline.split([new, moved]) == ([new], [moved])


def test_a_fingerprint_is_matched_as_many_times_as_it_was_recorded(tmp_path: Path) -> None:
    file = tmp_path / "baseline.json"
    write_baseline(file, [finding(line=1), finding(line=2)])
    baseline = load_baseline(file)
    assert len(baseline) == 2
    three = [finding(line=1), finding(line=2), finding(line=3)]
    new, known = baseline.split(three)
    assert (len(new), len(known)) == (1, 2)


def test_writing_replaces_the_file_atomically_and_creates_no_temporary(tmp_path: Path) -> None:
    file = tmp_path / "baseline.json"
    file.write_text("old")
    write_baseline(file, [])
    assert json.loads(file.read_text())["findings"] == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baseline.json"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        ("{not json", "not valid JSON"),
        ('{"version": 2, "findings": []}', "is not an skf baseline"),
        ('{"version": 1, "findings": [{"code": "SKF104"}]}', "is not an skf baseline"),
        ("[]", "is not an skf baseline"),
    ],
)
def test_bad_baselines_are_usage_errors(tmp_path: Path, content: str | None, message: str) -> None:
    file = tmp_path / "baseline.json"
    if content is not None:
        file.write_text(content)
    with pytest.raises(UsageError, match=message):
        load_baseline(file)


def test_a_directory_is_not_a_baseline_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is a directory"):
        write_baseline(tmp_path, [])
