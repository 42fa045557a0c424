"""The three-way merge `skf update` uses: what applies cleanly, what conflicts, and how."""

from hypothesis import given
from hypothesis import strategies as st

from skf.lifecycle.merge import merge, merge_text, rejects

BASE = "".join(f"line {n}\n" for n in range(1, 11))


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1
    return text.replace(old, new)


def test_changes_far_apart_both_apply() -> None:
    ours = edit(BASE, "line 2\n", "line 2 (ours)\n")
    theirs = edit(BASE, "line 9\n", "line 9\nline 9.5 (theirs)\n")
    result = merge_text(BASE, ours, theirs)
    assert result.clean
    assert result.text == edit(ours, "line 9\n", "line 9\nline 9.5 (theirs)\n")


def test_the_same_change_on_both_sides_applies_once() -> None:
    changed = edit(BASE, "line 5\n", "line five\n")
    result = merge_text(BASE, changed, changed)
    assert result.clean
    assert result.text == changed


def test_different_changes_to_one_line_conflict_with_git_style_markers() -> None:
    ours = edit(BASE, "line 5\n", "line 5 (ours)\n")
    theirs = edit(BASE, "line 5\n", "line 5 (theirs)\n")
    result = merge_text(BASE, ours, theirs, ours_label="current", theirs_label="template v2")
    assert not result.clean
    assert result.text == edit(
        BASE,
        "line 5\n",
        "<<<<<<< current\nline 5 (ours)\n=======\nline 5 (theirs)\n>>>>>>> template v2\n",
    )
    assert "".join(result.resolved) == ours  # what `--conflict rej` keeps


def test_changes_to_adjacent_lines_conflict_as_git_merge_file_does() -> None:
    ours = edit(BASE, "line 5\n", "line 5 (ours)\n")
    theirs = edit(BASE, "line 6\n", "line 6 (theirs)\n")
    result = merge_text(BASE, ours, theirs)
    assert len(result.conflicts) == 1
    conflict = result.conflicts[0]
    assert conflict.base == ("line 5\n", "line 6\n")
    assert conflict.ours == ("line 5 (ours)\n", "line 6\n")
    assert conflict.theirs == ("line 5\n", "line 6 (theirs)\n")


def test_rejects_are_the_templates_hunks_in_unified_form() -> None:
    ours = edit(BASE, "line 5\n", "line 5 (ours)\n")
    theirs = edit(BASE, "line 5\n", "line 5 (theirs)\nline 5.5\n")
    result = merge_text(BASE, ours, theirs)
    assert rejects("a.py", result.conflicts, "template v1", "template v2") == (
        "--- a.py (template v1)\n"
        "+++ a.py (template v2)\n"
        "@@ -5,1 +5,2 @@\n"
        "-line 5\n"
        "+line 5 (theirs)\n"
        "+line 5.5\n"
    )


def test_a_conflict_on_a_last_line_without_newline_keeps_the_markers_on_their_own_lines() -> None:
    result = merge_text("a\nb", "a\nB", "a\nC")
    assert result.text == "a\n<<<<<<< current\nB\n=======\nC\n>>>>>>> theirs\n"


# -- properties ------------------------------------------------------------------------------

lines = st.lists(st.sampled_from([f"l{n}\n" for n in range(8)] + ["\n"]), max_size=12)


@given(lines, lines)
def test_an_untouched_side_takes_the_other_sides_version(base: list[str], other: list[str]) -> None:
    assert merge(base, base, other).lines == other
    assert merge(base, other, base).lines == other
    assert merge(base, other, other).lines == other


@given(lines, lines, lines)
def test_a_clean_merge_has_no_markers_and_resolved_is_the_merge(
    base: list[str], ours: list[str], theirs: list[str]
) -> None:
    result = merge(base, ours, theirs)
    if result.clean:
        assert result.lines == result.resolved
        assert not any(line.startswith(("<<<<<<<", ">>>>>>>")) for line in result.lines)
    else:
        assert result.lines.count("=======\n") >= len(result.conflicts)


@given(st.lists(st.integers(0, 10**6), min_size=3, max_size=30, unique=True), st.data())
def test_edits_separated_by_an_unchanged_line_always_merge(
    numbers: list[int], data: st.DataObject
) -> None:
    base = [f"{n}\n" for n in numbers]
    mine = data.draw(st.integers(0, len(base) - 3))
    other = data.draw(st.integers(mine + 2, len(base) - 1))
    ours = [*base[:mine], "ours\n", *base[mine + 1 :]]
    theirs = [*base[:other], "theirs 1\n", "theirs 2\n", *base[other + 1 :]]
    result = merge(base, ours, theirs)
    assert result.clean
    assert result.lines == [*ours[:other], "theirs 1\n", "theirs 2\n", *ours[other + 1 :]]
