"""`skf update [NAME ... | --all] [--host]`: bring generated services and the host's files to the
current template."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from skf.check.findings import plural
from skf.cli.root import app
from skf.config import load_layout
from skf.errors import UsageError
from skf.generate.versions import TemplateSource
from skf.lifecycle.merge_files import FileOutcome, PartUpdate
from skf.lifecycle.update import UpdatePlan, plan_update, refuse_uncommitted


class ConflictOption(StrEnum):
    merge = "merge"
    rej = "rej"


def _outcomes(outcomes: list[FileOutcome]) -> None:
    for outcome in outcomes:
        conflicting = plural(outcome.conflicts, "conflicting hunk")
        detail = f" ({conflicting})" if outcome.action == "conflict" else ""
        if outcome.rej:
            detail += f", the template's hunks in {outcome.rej}"
        typer.echo(f"  {outcome.action:<10} {outcome.path}{detail}")


def _part(heading: str, update: PartUpdate) -> None:
    """One updated part (a service, or the host's files): its files, patches and notes."""
    typer.echo(f"{heading}: template v{update.old} -> v{update.new}")
    _outcomes(update.files)
    for path in update.shared:
        typer.echo(f"  {'patched':<10} {path}")
    for note in update.notes:
        typer.echo(f"  note: {note}")


def _report(plan: UpdatePlan, dry_run: bool) -> None:
    verb = "would update" if dry_run else "updated"
    for name in plan.current:
        typer.echo(f"nothing to do: {name} is at template v{plan.version} (current)")
    for update in plan.updated:
        _part(f"{verb} {update.service}", update)
    if plan.host_current:
        typer.echo(f"nothing to do: the host's files are at template v{plan.version} (current)")
    if plan.host is not None:
        _part(f"{verb} the host's files", plan.host)
    for note in plan.notes:
        typer.echo(f"note: {note}")


@app.command("update")
def update(
    names: Annotated[
        list[str] | None,
        typer.Argument(metavar="NAME", help="Services to update.", show_default=False),
    ] = None,
    all_services: Annotated[
        bool,
        typer.Option(
            "--all", help="Update every generated (recorded) service, and the host's files."
        ),
    ] = False,
    host: Annotated[
        bool,
        typer.Option(
            "--host",
            help="Update the host's files skf keeps current (runtime module, session module, "
            "test fixtures: those .skf/host.yml lists).",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the merged result as a diff; write nothing.")
    ] = False,
    conflict: Annotated[
        ConflictOption,
        typer.Option(
            "--conflict",
            help="merge: conflict markers in the file; rej: the file keeps its lines and the "
            "template's conflicting hunks go to <file>.rej.",
        ),
    ] = ConflictOption.merge,
    allow_dirty: Annotated[
        bool,
        typer.Option("--allow-dirty", help="Run even over uncommitted changes in those files."),
    ] = False,
    template: Annotated[
        Path | None,
        typer.Option(
            "--template",
            metavar="DIR",
            help="Template versions to use (default: $SKF_TEMPLATE, else skf's own).",
        ),
    ] = None,
    project: Annotated[
        Path | None, typer.Option("--project", metavar="DIR", help="The host project's root.")
    ] = None,
) -> None:
    """Merge what changed in the template since each service was generated into its files
    (and, with --host or --all, into the host files skf keeps current).

    Exit codes: 0 updated (or nothing to do), 1 conflicts left to resolve, 2 refused.
    """
    if names and all_services:
        raise UsageError("give the services to update (skf update NAME ...) or --all, not both")
    if not (names or all_services or host):
        raise UsageError(
            "give the services to update (skf update NAME ...), --all, or --host (the host's files)"
        )
    layout = load_layout(project or Path.cwd())
    plan = plan_update(
        layout,
        None if all_services else names or [],
        host="required" if host else "if recorded" if all_services else "skip",
        source=TemplateSource.given(template),
        conflict=conflict.value,
    )
    if dry_run:
        typer.echo(plan.changes.diff(), nl=False)
        _report(plan, dry_run=True)
        typer.echo(f"(dry run: {len(plan.changes.paths)} files would change; nothing written)")
    else:
        if not allow_dirty:
            refuse_uncommitted(layout, plan.changes)
        plan.changes.apply()
        _report(plan, dry_run=False)
    conflicted = plan.conflicted
    if conflicted:
        paths = ", ".join(outcome.path for outcome in conflicted)
        how = (
            "apply the hunks in the .rej files by hand"
            if conflict is ConflictOption.rej
            else "resolve the <<<<<<< markers"
        )
        typer.echo(f"conflicts in {paths}: {how}, then run skf check", err=True)
        raise typer.Exit(1)
