"""One `skf check` run as the user sees it: the engine's findings, less the suppressed ones
(`# skf: ignore[...]`) and those recorded in a baseline, plus the suppression findings."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from skf.check.baseline import Baseline
from skf.check.changed import changed_files
from skf.check.findings import CheckResult, Finding
from skf.check.suppression import apply_suppressions, read_suppressions
from skf.config import load_layout
from skf.project.files import ProjectFiles


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


def in_scope(path: str, paths: Sequence[str]) -> bool:
    """Whether `path` is one of `paths` or under one of them (all relative POSIX)."""
    if not paths:
        return True
    return any(path == p or p in (".", "") or path.startswith(p.rstrip("/") + "/") for p in paths)


def check_project(
    root: Path,
    paths: Sequence[str] = (),
    *,
    changed_since: str | None = None,
    baseline: Baseline | None = None,
    use_cache: bool = True,
) -> Report:
    """Check the project at `root` as `skf check` does: the engine's findings (restricted to
    `paths`, relative POSIX, and to services touched since the git revision `changed_since`),
    then suppressions, then the baseline."""
    from skf.check.engine import run_check  # the engine imports every rule
    from skf.check.rules import ALL_RULES

    changed = None if changed_since is None else changed_files(root, changed_since)
    raw = run_check(root, paths, changed_files=changed, use_cache=use_cache)
    # Suppressions apply wherever a finding points (a service's findings can be in files
    # outside PATHS), but are judged (reason, use) only in the files being checked. Reading
    # is prefiltered: a file without "skf:" is not tokenized.
    checked = {
        path
        for path in ProjectFiles(load_layout(root)).python_files()
        if in_scope(path, paths) and (changed is None or path in changed)
    }
    pointed_at = {f.path for f in raw.findings if f.path.endswith(".py")}
    outcome = apply_suppressions(
        raw.findings,
        read_suppressions(root, sorted(checked | pointed_at)),
        {rule.code for rule in ALL_RULES},
    )
    problems = [problem for problem in outcome.problems if problem.path in checked]
    findings = outcome.kept + problems
    baselined: list[Finding] = []
    if baseline is not None:
        findings, baselined = baseline.split(findings)
    result = CheckResult(
        findings=sorted(findings, key=Finding.sort_key),
        services=raw.services,
        files_scanned=raw.files_scanned,
    )
    return Report(result=result, suppressed=outcome.suppressed, baselined=baselined)
