"""`skf check`: verify every background service against the pattern's checklist.

Exit codes: 0 no findings, 1 findings, 2 usage, configuration or unreadable input (raised as
SkfError and turned into one line by the CLI root).
"""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from skf.changes import ChangeSet
from skf.check.baseline import load_baseline, write_baseline
from skf.check.findings import plural
from skf.check.fixes import plan_fixes
from skf.check.output import RenderContext, render
from skf.check.report import Report, check_project
from skf.check.rules import ALL_RULES
from skf.cli.root import app
from skf.errors import UsageError


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"
    html = "html"


def project_paths(root: Path, paths: list[str]) -> list[str]:
    """PATHS as relative POSIX paths under `root`: each as typed (relative to the working
    directory) if it exists, otherwise relative to the project root."""
    resolved_root = root.resolve()
    normalized: list[str] = []
    for typed in paths:
        candidates = [Path(typed)] if Path(typed).is_absolute() else [Path(typed), root / typed]
        existing = next((c.resolve() for c in candidates if c.exists()), None)
        if existing is None:
            raise UsageError(f"{typed}: no such file or directory")
        if existing != resolved_root and resolved_root not in existing.parents:
            raise UsageError(f"{typed} is outside the project root {root}")
        relative = existing.relative_to(resolved_root).as_posix()
        normalized.append(relative)
    return normalized


def path_prefix(root: Path) -> str:
    """The project root as the user sees it from the working directory ("" when it is it)."""
    resolved = root.resolve()
    try:
        relative = resolved.relative_to(Path.cwd().resolve())
    except ValueError:
        return resolved.as_posix() + "/"
    return "" if relative == Path() else relative.as_posix() + "/"


def _refuse_combinations(
    *, fix: bool, diff: bool, baseline: Path | None, write: Path | None, since: str | None
) -> None:
    if write is not None and (fix or diff):
        raise UsageError("--write-baseline records findings; use it without --fix or --diff")
    if write is not None and baseline is not None:
        raise UsageError("--write-baseline records every finding; use it without --baseline")
    if write is not None and since is not None:
        raise UsageError(
            "--write-baseline records the whole project; use it without --changed-since"
        )


def _write_output(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text, nl=False)
        return
    target = output.absolute()
    if target.is_dir():
        raise UsageError(f"--output {output} is a directory")
    changes = ChangeSet(target.parent)
    changes.write(target.name, text)
    changes.apply()


def _fix(root: Path, report: Report, *, unsafe: bool, diff_only: bool, to_stdout: bool) -> bool:
    """Apply (or, with `diff_only`, show) the fixes; whether anything would change."""
    changes, fixed = plan_fixes(root, report.result, unsafe=unsafe)
    if diff_only:
        typer.echo(changes.diff(), nl=False)
        typer.echo(
            f"Would fix {len(fixed)} of {plural(len(report.result.findings), 'finding')} "
            f"in {plural(len(changes.paths), 'file')} (nothing written).",
            err=True,
        )
        return not changes.is_empty
    applied = changes.apply()
    lines = [
        f"Fixed {plural(len(fixed), 'finding')} in {plural(len(applied), 'file')}:"
        if applied
        else "Nothing to fix."
    ]
    lines += [f"  {change.kind:<7} {path_prefix(root)}{change.path}" for change in applied]
    typer.echo("\n".join(lines), err=not to_stdout)
    return bool(applied)


@app.command("check")
def check(
    project_root: Annotated[
        Path, typer.Argument(help="The host project (default: the current directory).")
    ] = Path("."),
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Only check these files or directories of the project.", show_default=False
        ),
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="text, json, sarif, github or html.")
    ] = OutputFormat.text,
    fix: Annotated[
        bool, typer.Option("--fix", help="Apply the safe fixes, then re-check.")
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Print the fixes as a diff; write nothing.")
    ] = False,
    unsafe_fixes: Annotated[
        bool, typer.Option("--unsafe-fixes", help="Also apply (or show) the unsafe fixes.")
    ] = False,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline", help="Report only findings not recorded in this file.", show_default=False
        ),
    ] = None,
    write_baseline_file: Annotated[
        Path | None,
        typer.Option(
            "--write-baseline", help="Record today's findings in this file.", show_default=False
        ),
    ] = None,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            help="Only services whose files changed since this git revision.",
            show_default=False,
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Ignore and do not update the parse cache.")
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", help="Write the report to this file instead of stdout.", show_default=False
        ),
    ] = None,
) -> None:
    """Check every background service of the project against the pattern's checklist.

    Exit codes: 0 no findings, 1 findings, 2 usage, configuration or unreadable input.
    Suppress one finding with `# skf: ignore[CODE] reason` on its line.
    """
    _refuse_combinations(
        fix=fix, diff=diff, baseline=baseline, write=write_baseline_file, since=changed_since
    )
    if not project_root.is_dir():
        raise UsageError(f"project root {project_root} is not a directory")
    relative_paths = project_paths(project_root, paths or [])
    known = load_baseline(baseline) if baseline is not None else None

    def run() -> Report:
        return check_project(
            project_root.resolve(),
            relative_paths,
            changed_since=changed_since,
            baseline=known,
            use_cache=not no_cache,
        )

    report = run()
    if write_baseline_file is not None:
        write_baseline(write_baseline_file, report.result.findings)
        typer.echo(
            f"Recorded {plural(len(report.result.findings), 'finding')} in {write_baseline_file}.",
            err=True,
        )
        return
    if diff:
        _fix(project_root.resolve(), report, unsafe=unsafe_fixes, diff_only=True, to_stdout=False)
        raise typer.Exit(report.exit_code)
    if fix:
        text_out = output_format is OutputFormat.text and output is None
        if _fix(
            project_root.resolve(), report, unsafe=unsafe_fixes, diff_only=False, to_stdout=text_out
        ):
            report = run()
    context = RenderContext(
        rules=ALL_RULES,
        path_prefix=path_prefix(project_root),
        unsafe_fixes=unsafe_fixes,
        root=project_root.resolve(),
    )
    _write_output(render(report, output_format.value, context), output)
    raise typer.Exit(report.exit_code)
