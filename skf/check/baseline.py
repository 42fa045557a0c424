"""Gradual adoption: record today's findings, then report only new ones.

`skf check --write-baseline FILE` records every reported finding; `skf check --baseline
FILE` hides the findings the file records. Findings are matched by fingerprint (rule +
service + file + symbol, never the line), so a baseline survives unrelated edits and code
moving within the file. Matching counts: if the baseline holds two findings with one
fingerprint and the code now has three, one is reported.

The file is JSON, sorted and indented so that it diffs well in review; each entry keeps
enough context (rule, path, line, message) to tell what it was.
"""

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skf.changes import ChangeSet
from skf.check.findings import Finding
from skf.errors import UsageError

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Baseline:
    fingerprints: Counter[str]

    def __len__(self) -> int:
        return sum(self.fingerprints.values())

    def split(self, findings: Iterable[Finding]) -> tuple[list[Finding], list[Finding]]:
        """(new findings, findings the baseline records)."""
        remaining = Counter(self.fingerprints)
        new: list[Finding] = []
        known: list[Finding] = []
        for finding in sorted(findings, key=Finding.sort_key):
            if remaining[finding.fingerprint] > 0:
                remaining[finding.fingerprint] -= 1
                known.append(finding)
            else:
                new.append(finding)
        return new, known


def baseline_document(findings: Sequence[Finding]) -> dict[str, Any]:
    entries = [
        {
            "fingerprint": finding.fingerprint,
            "code": finding.code,
            "name": finding.name,
            "service": finding.service,
            "path": finding.path,
            "symbol": finding.symbol,
            "line": finding.line,
            "message": finding.message,
        }
        for finding in sorted(findings, key=lambda f: (*f.sort_key(), f.fingerprint))
    ]
    return {"version": FORMAT_VERSION, "tool": "skf", "findings": entries}


def write_baseline(file: Path, findings: Sequence[Finding]) -> None:
    """Record `findings` in `file` (atomically, through a ChangeSet)."""
    file = file.absolute()
    if file.is_dir():
        raise UsageError(f"baseline {file} is a directory")
    text = json.dumps(baseline_document(findings), indent=2, ensure_ascii=False) + "\n"
    changes = ChangeSet(file.parent)
    changes.write(file.name, text)
    changes.apply()


def load_baseline(file: Path) -> Baseline:
    """The baseline in `file`; a missing or malformed file is a usage error (exit 2)."""
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(
            f"baseline {file} does not exist (create it with --write-baseline)"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"baseline {file}: cannot read: {error}") from None
    except json.JSONDecodeError as error:
        raise UsageError(f"baseline {file}: not valid JSON: {error}") from None
    entries = document.get("findings") if isinstance(document, dict) else None
    if (
        not isinstance(document, dict)
        or document.get("version") != FORMAT_VERSION
        or not isinstance(entries, list)
        or not all(isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries)
    ):
        raise UsageError(
            f"baseline {file} is not an skf baseline (version {FORMAT_VERSION}); "
            "write it again with --write-baseline"
        )
    return Baseline(Counter(entry["fingerprint"] for entry in entries))
