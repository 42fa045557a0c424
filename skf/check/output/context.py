"""What a reporter needs besides the report: the rules and where the user stands."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from skf.check.findings import Finding
from skf.check.rule import RuleMeta


@dataclass(frozen=True)
class RenderContext:
    rules: Sequence[type[RuleMeta]] = ()
    """Every rule skf has (SARIF lists them all, so that `ruleIndex` is stable)."""
    path_prefix: str = ""
    """The project root as seen from the working directory (POSIX, "" or ending in "/").

    Findings hold paths relative to the project root (the JSON contract); text, SARIF and
    GitHub annotations show them from where skf runs, which is the repository root in CI.
    """
    unsafe_fixes: bool = False
    """Whether unsafe fixes count as available (`--unsafe-fixes`)."""
    root: Path | None = None
    """The project root, for reporters that show code around a finding (html)."""

    def display_path(self, finding: Finding) -> str:
        return f"{self.path_prefix}{finding.path}"

    def location(self, finding: Finding) -> str:
        """`path:line:column` as far as the finding knows them, from where skf runs."""
        parts = [self.display_path(finding)]
        if finding.line is not None:
            parts.append(str(finding.line))
            if finding.column is not None:
                parts.append(str(finding.column))
        return ":".join(parts)

    def fixable(self, finding: Finding) -> bool:
        if finding.fix is None:
            return False
        return finding.fix.applicability == "safe" or self.unsafe_fixes
