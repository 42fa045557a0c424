"""`# skf: ignore[CODE] reason`: only real comments, on the finding's line, with a reason,
and never outliving what they suppress."""

from pathlib import Path

from check_fakes import finding

from skf.check.suppression import (
    Suppression,
    apply_suppressions,
    find_suppressions,
    read_suppressions,
)

KNOWN = {"SKF104", "SKF201", "SKF101"}
PATH = "src/services/email_sender_scheduler.py"


def test_comments_are_found_with_codes_and_reason() -> None:
    text = (
        "x = add_job(\n"
        "    misfire_grace_time=1800,  # skf: ignore[SKF104] vendor window is fixed\n"
        "    max_instances=1,  # noqa: E501  # skf: ignore[skf104, SKF101] - both\n"
        ")\n"
    )
    found = find_suppressions(PATH, text)
    assert [(s.line, s.column, s.codes, s.reason) for s in found] == [
        (2, 31, ("SKF104",), "vendor window is fixed"),
        (3, 37, ("SKF104", "SKF101"), "both"),
    ]
    assert (
        found[0].source_line
        == "misfire_grace_time=1800,  # skf: ignore[SKF104] vendor window is fixed"
    )


def test_strings_and_docstrings_never_suppress() -> None:
    text = (
        '"""Write # skf: ignore[SKF104] why to suppress."""\n'
        'HELP = "# skf: ignore[SKF104] not a comment"\n'
        "QUERY = '''\n# skf: ignore[SKF104] inside a string\n'''\n"
    )
    assert find_suppressions(PATH, text) == []


def test_bare_and_reasonless_directives_are_kept_to_be_reported() -> None:
    found = find_suppressions(PATH, "a = 1  # skf: ignore\nb = 2  # skf:ignore[SKF104]\n")
    assert [(s.codes, s.reason) for s in found] == [((), ""), (("SKF104",), "")]


def test_a_file_that_does_not_tokenize_yields_the_comments_before_the_error() -> None:
    text = "a = 1  # skf: ignore[SKF104] ok\nb = (\n"
    assert [s.line for s in find_suppressions(PATH, text)] == [1]
    assert find_suppressions(PATH, "no marker here (\n") == []


def test_read_suppressions_skips_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1  # skf: ignore[SKF104] because\n")
    (tmp_path / "b.py").write_bytes(b"\xff\xfe # skf: ignore[SKF104] x\n")
    (tmp_path / "c.py").write_bytes(
        "# -*- coding: latin-1 -*-\nx = 'caf\xe9'  # skf: ignore[SKF104] latin-1\n".encode(
            "latin-1"
        )
    )
    found = read_suppressions(tmp_path, ["a.py", "b.py", "c.py", "missing.py"])
    assert [(s.path, s.line, s.reason) for s in found] == [
        ("a.py", 1, "because"),
        ("c.py", 2, "latin-1"),
    ]


def suppression(line: int, codes: tuple[str, ...], reason: str = "why") -> Suppression:
    return Suppression(PATH, line, 30, codes, reason, f"line {line}")


def test_a_suppression_drops_only_its_codes_on_its_line() -> None:
    on_line = finding("SKF104", line=42)
    other_code = finding("SKF201", line=42)
    other_line = finding("SKF104", line=43)
    no_line = finding("SKF104", line=None, column=None)
    outcome = apply_suppressions(
        [on_line, other_code, other_line, no_line], [suppression(42, ("SKF104",))], KNOWN
    )
    assert outcome.suppressed == [on_line]
    assert outcome.kept == [other_code, other_line, no_line]
    assert outcome.problems == []


def test_a_suppression_without_reason_still_applies_but_is_reported() -> None:
    outcome = apply_suppressions([finding(line=42)], [suppression(42, ("SKF104",), "")], KNOWN)
    assert len(outcome.suppressed) == 1
    [problem] = outcome.problems
    assert (problem.code, problem.name, problem.line, problem.column, problem.path) == (
        "SKF002",
        "suppression-without-reason",
        42,
        30,
        PATH,
    )
    assert "# skf: ignore[SKF104] <why" in problem.message


def test_unused_unknown_and_bare_suppressions_are_reported() -> None:
    outcome = apply_suppressions(
        [finding("SKF104", line=42)],
        [
            suppression(42, ("SKF104", "SKF101", "SKF999")),
            suppression(50, ()),
            suppression(60, ("SKF201",)),
        ],
        KNOWN,
    )
    assert [(p.code, p.line) for p in outcome.problems] == [
        ("SKF003", 42),
        ("SKF003", 50),
        ("SKF003", 60),
    ]
    partly, bare, unused = (p.message for p in outcome.problems)
    assert "unknown rule code SKF999" in partly
    assert "no SKF101 finding on this line" in partly
    assert "names no rule code" in bare
    assert "no SKF201 finding on this line" in unused


def test_suppressions_in_an_unparsable_file_are_not_judged_unused() -> None:
    syntax = finding("SKF104", line=1)
    syntax = type(syntax)(**{**syntax.__dict__, "code": "SKF001", "name": "syntax-error"})
    outcome = apply_suppressions([syntax], [suppression(60, ("SKF201",))], KNOWN)
    assert outcome.problems == []


def test_problem_fingerprints_survive_moved_lines() -> None:
    before = apply_suppressions([], [suppression(60, ("SKF201",))], KNOWN).problems[0]
    moved = Suppression(PATH, 75, 4, ("SKF201",), "why", "line 60")
    after = apply_suppressions([], [moved], KNOWN).problems[0]
    assert before.fingerprint == after.fingerprint
