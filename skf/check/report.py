"""One `skf check` run as the user sees it: the engine's findings, less the suppressed ones
(`# skf: ignore[...]`) and those recorded in a baseline, plus the suppression findings."""

from dataclasses import dataclass, field

from skf.check.findings import CheckResult, Finding


@dataclass
class Report:
    result: CheckResult
    """What is reported: `result.findings` decides the exit code and is the JSON output."""
    suppressed: list[Finding] = field(default_factory=list)
    """Findings silenced by a `# skf: ignore[...]` comment."""
    baselined: list[Finding] = field(default_factory=list)
    """Findings hidden because the baseline records them."""

    @property
    def exit_code(self) -> int:
        return self.result.exit_code
