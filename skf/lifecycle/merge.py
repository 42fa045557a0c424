"""A three-way merge of text files (diff3), as `skf update` needs it.

`base` is what the old template version rendered, `ours` the file as it is now, `theirs`
what the new template version renders. Lines are matched base-to-ours and base-to-theirs
(difflib, no junk heuristics); stretches of base matched in both are stable; between them,
a stretch changed on one side only takes that side, one changed identically on both takes
it once, and one changed differently on both is a conflict. Changes that touch adjacent
lines are one stretch, hence a conflict, as with `git merge-file`.

Pure Python (no git binary needed): the same merge runs on a project that is not a git
repository, and the conflict regions are available as data for `--conflict rej`.
"""

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Conflict:
    """One region the two sides changed differently."""

    base_start: int
    """0-based line index of the region in base."""
    base: tuple[str, ...]
    ours: tuple[str, ...]
    theirs: tuple[str, ...]
    theirs_start: int


@dataclass
class MergeResult:
    lines: list[str]
    """The merge, with conflict markers in the conflicting regions."""
    resolved: list[str]
    """The merge keeping ours in the conflicting regions (for `--conflict rej`)."""
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.lines)

    @property
    def clean(self) -> bool:
        return not self.conflicts


def _matches(base: Sequence[str], other: Sequence[str]) -> list[tuple[int, int, int]]:
    matcher = difflib.SequenceMatcher(None, base, other, autojunk=False)
    return [tuple(block) for block in matcher.get_matching_blocks() if block.size]  # type: ignore[misc]


def _sync_regions(
    base: Sequence[str], ours: Sequence[str], theirs: Sequence[str]
) -> list[tuple[int, int, int, int, int, int]]:
    """Stretches of base matched unchanged in both: (base, base_end, ours, ours_end, theirs,
    theirs_end), ending with an empty sentinel at the end of all three."""
    regions = []
    mine, other = _matches(base, ours), _matches(base, theirs)
    i = j = 0
    while i < len(mine) and j < len(other):
        a_base, a_ours, a_size = mine[i]
        b_base, b_theirs, b_size = other[j]
        start = max(a_base, b_base)
        end = min(a_base + a_size, b_base + b_size)
        if start < end:
            ours_start = a_ours + (start - a_base)
            theirs_start = b_theirs + (start - b_base)
            regions.append(
                (
                    start,
                    end,
                    ours_start,
                    ours_start + end - start,
                    theirs_start,
                    theirs_start + end - start,
                )
            )
        if a_base + a_size < b_base + b_size:
            i += 1
        else:
            j += 1
    regions.append((len(base), len(base), len(ours), len(ours), len(theirs), len(theirs)))
    return regions


def _terminated(lines: Sequence[str]) -> list[str]:
    """Lines that can be followed by a marker line (the last one gains a newline)."""
    result = list(lines)
    if result and not result[-1].endswith("\n"):
        result[-1] += "\n"
    return result


def merge(
    base: Sequence[str],
    ours: Sequence[str],
    theirs: Sequence[str],
    *,
    ours_label: str = "current",
    theirs_label: str = "theirs",
) -> MergeResult:
    """Merge the changes base -> theirs into ours (lines with their line endings)."""
    result = MergeResult([], [])
    base_at = ours_at = theirs_at = 0
    for region in _sync_regions(base, ours, theirs):
        z_start, z_end, a_start, a_end, b_start, b_end = region
        old = tuple(base[base_at:z_start])
        mine = tuple(ours[ours_at:a_start])
        new = tuple(theirs[theirs_at:b_start])
        if mine == new or new == old:
            result.lines.extend(mine)
            result.resolved.extend(mine)
        elif mine == old:
            result.lines.extend(new)
            result.resolved.extend(new)
        else:
            result.conflicts.append(Conflict(base_at, old, mine, new, theirs_at))
            result.lines.append(f"<<<<<<< {ours_label}\n")
            result.lines.extend(_terminated(mine))
            result.lines.append("=======\n")
            result.lines.extend(_terminated(new))
            result.lines.append(f">>>>>>> {theirs_label}\n")
            result.resolved.extend(mine)
        stable = ours[a_start:a_end]
        result.lines.extend(stable)
        result.resolved.extend(stable)
        base_at, ours_at, theirs_at = z_end, a_end, b_end
    return result


def merge_text(
    base: str, ours: str, theirs: str, *, ours_label: str = "current", theirs_label: str = "theirs"
) -> MergeResult:
    return merge(
        base.splitlines(keepends=True),
        ours.splitlines(keepends=True),
        theirs.splitlines(keepends=True),
        ours_label=ours_label,
        theirs_label=theirs_label,
    )


def rejects(path: str, conflicts: Sequence[Conflict], base_label: str, theirs_label: str) -> str:
    """The conflicting hunks as patch(1) leaves rejects: the template's change (base ->
    theirs) that could not be applied, in unified diff form."""
    chunks = [f"--- {path} ({base_label})\n", f"+++ {path} ({theirs_label})\n"]
    for conflict in conflicts:
        chunks.append(
            f"@@ -{_range(conflict.base_start, len(conflict.base))} "
            f"+{_range(conflict.theirs_start, len(conflict.theirs))} @@\n"
        )
        chunks.extend(f"-{line}" for line in _terminated(conflict.base))
        chunks.extend(f"+{line}" for line in _terminated(conflict.theirs))
    return "".join(chunks)


def _range(start: int, length: int) -> str:
    # Unified diff numbering: 1-based start, or the line before an empty range.
    return f"{start + 1 if length else start},{length}"
