"""Inline suppressions: `# skf: ignore[SKF104] reason` on the line a finding points at.

Only real comments count: the file is tokenized, so the directive inside a string or a
docstring suppresses nothing. Several codes go in one pair of brackets
(`# skf: ignore[SKF104,SKF101] reason`). A suppression must say why (SKF002
suppression-without-reason) and must suppress something (SKF003 unused-suppression): a
bare `# skf: ignore`, an unknown code, or a code with no finding on that line are reported,
so suppressions cannot outlive the problem they were written for.
"""

import io
import re
import tokenize
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from skf.check.findings import Finding
from skf.check.rule import RuleMeta
from skf.check.rules.suppression_without_reason import SuppressionWithoutReason
from skf.check.rules.unused_suppression import UnusedSuppression
from skf.errors import ProjectError
from skf.project.files import decode_source
from skf.project.source import ParseFailure

MARKER = "skf:"
"""Cheap prefilter: a file without it has no suppression and is not tokenized."""

SYNTAX_ERROR_CODE = "SKF001"
"""A file that does not parse is not checked, so its suppressions are not judged."""

_DIRECTIVE = re.compile(r"#\s*skf:\s*ignore\b(?P<rest>.*)$")
_CODES = re.compile(r"\[(?P<codes>[^\]]*)\](?P<reason>.*)$")
_REASON_SEPARATORS = " \t-:\u2014\u2013"  # dashes and colons before the reason


@dataclass(frozen=True)
class Suppression:
    path: str
    line: int
    column: int
    """1-based column of the directive's `#`."""
    codes: tuple[str, ...]
    """As written (upper-cased); empty for a bare `# skf: ignore`."""
    reason: str
    source_line: str
    """The whole line, stripped: what identifies this suppression when lines move."""


@dataclass
class SuppressionOutcome:
    kept: list[Finding] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    """SKF002 / SKF003 findings about the suppressions themselves."""


def _parse(comment: str) -> tuple[int, tuple[str, ...], str] | None:
    """(offset of the directive in the comment, codes, reason), or None."""
    directive = _DIRECTIVE.search(comment)
    if directive is None:
        return None
    rest = directive.group("rest")
    bracketed = _CODES.match(rest.lstrip())
    if bracketed is None:
        return directive.start(), (), rest.strip(_REASON_SEPARATORS)
    codes = tuple(
        code.strip().upper() for code in bracketed.group("codes").split(",") if code.strip()
    )
    return directive.start(), codes, bracketed.group("reason").strip(_REASON_SEPARATORS)


def find_suppressions(path: str, text: str) -> list[Suppression]:
    """The suppression comments of one file (tokenized: strings never count)."""
    if MARKER not in text:
        return []
    lines = text.splitlines()
    found: list[Suppression] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type != tokenize.COMMENT or MARKER not in token.string:
                continue
            parsed = _parse(token.string)
            if parsed is None:
                continue
            offset, codes, reason = parsed
            line, column = token.start
            source_line = lines[line - 1].strip() if line <= len(lines) else token.string
            found.append(Suppression(path, line, column + offset + 1, codes, reason, source_line))
    except (tokenize.TokenError, SyntaxError):
        # Not Python: the engine reports the file as unparsable; keep the comments seen so
        # far (tokenizing stops at the first error and never raises past it).
        pass
    return found


def read_suppressions(root: Path, paths: Iterable[str]) -> list[Suppression]:
    """Suppressions in the files `paths` (relative POSIX); unreadable files have none
    (reading them is the engine's job, and it reports them)."""
    found: list[Suppression] = []
    for path in paths:
        try:
            data = (root / path).read_bytes()
        except OSError:
            continue
        if MARKER.encode() not in data:
            continue
        try:
            text = decode_source(path, data)  # honours a PEP 263 coding cookie
        except (ParseFailure, ProjectError):  # the engine reports the file (SKF001)
            continue
        found.extend(find_suppressions(path, text))
    return found


def apply_suppressions(
    findings: Sequence[Finding],
    suppressions: Sequence[Suppression],
    known_codes: Collection[str],
) -> SuppressionOutcome:
    """Drop the suppressed findings; report suppressions without a reason or without use."""
    by_line: dict[tuple[str, int], list[Suppression]] = {}
    for suppression in suppressions:
        by_line.setdefault((suppression.path, suppression.line), []).append(suppression)
    used: set[tuple[Suppression, str]] = set()
    outcome = SuppressionOutcome()
    for finding in findings:
        match = None
        if finding.line is not None:
            candidates = by_line.get((finding.path, finding.line), [])
            match = next((s for s in candidates if finding.code in s.codes), None)
        if match is None:
            outcome.kept.append(finding)
        else:
            used.add((match, finding.code))
            outcome.suppressed.append(finding)
    unparsable = {f.path for f in findings if f.code == SYNTAX_ERROR_CODE}
    for suppression in suppressions:
        if not suppression.reason:
            outcome.problems.append(_without_reason(suppression))
        if suppression.path in unparsable:
            continue
        unused = [code for code in suppression.codes if (suppression, code) not in used]
        if unused or not suppression.codes:
            outcome.problems.append(_unused(suppression, unused, known_codes))
    return outcome


def _problem(rule: type[RuleMeta], s: Suppression, message: str, symbol: str) -> Finding:
    return Finding(
        code=rule.code,
        name=rule.name,
        checklist_item=rule.checklist_item,
        message=message,
        path=s.path,
        line=s.line,
        column=s.column,
        symbol=f"{symbol}|{s.source_line}",
        severity="warning",
    )


def _without_reason(s: Suppression) -> Finding:
    codes = ",".join(s.codes) or "SKF..."
    return _problem(
        SuppressionWithoutReason,
        s,
        f"suppression has no reason: say why after the brackets, "
        f"e.g. `# skf: ignore[{codes}] <why this is fine here>`",
        codes,
    )


def _unused(s: Suppression, unused: Sequence[str], known_codes: Collection[str]) -> Finding:
    if not s.codes:
        message = (
            "`# skf: ignore` names no rule code, so it suppresses nothing; "
            "write `# skf: ignore[SKF104] reason`"
        )
    else:
        unknown = [code for code in unused if code not in known_codes]
        absent = [code for code in unused if code in known_codes]
        parts = []
        if unknown:
            parts.append(f"unknown rule code {', '.join(unknown)}")
        if absent:
            parts.append(f"no {', '.join(absent)} finding on this line")
        message = f"unused suppression ({'; '.join(parts)}): remove it or fix the codes"
    return _problem(UnusedSuppression, s, message, ",".join(unused) or "bare")
