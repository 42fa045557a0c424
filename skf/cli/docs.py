"""`skf docs`: write the architecture doc's service and enum blocks from the code.

Exit codes: 0 done or in sync; 1 with `--check` when the doc has drifted; 2 usage,
configuration or unreadable input.
"""

from pathlib import Path
from typing import Annotated

import typer

from skf.cli.root import app
from skf.docs_sync import DocsPlan, plan_docs
from skf.errors import UsageError


def _drift_lines(plan: DocsPlan) -> list[str]:
    return [f"  {line}" for drift in plan.drift for line in drift.describe()]


def _notes(plan: DocsPlan) -> None:
    for section in plan.hand_written:
        typer.echo(
            f"note: {section} is written by hand; skf leaves it alone (delete it and run "
            "`skf docs` to let skf maintain it)",
            err=True,
        )
    for note in plan.notes:
        typer.echo(f"note: {note}", err=True)


@app.command("docs")
def docs(
    project_root: Annotated[
        Path, typer.Argument(help="The host project (default: the current directory).")
    ] = Path("."),
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Write nothing; exit 1 when the doc has drifted from the code."
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the changes as a diff; write nothing.")
    ] = False,
) -> None:
    """Write the architecture doc's service sections and Authoritative ENUMs entries from the
    code (only the blocks between skf markers; prose outside them is never touched).

    Exit codes: 0 written or already in sync, 1 drifted (with --check), 2 usage,
    configuration or unreadable input.
    """
    if not project_root.is_dir():
        raise UsageError(f"project root {project_root} is not a directory")
    plan = plan_docs(project_root)
    _notes(plan)
    counts = f"{len(plan.in_sync) + len(plan.drift)} blocks"
    if plan.is_empty:
        typer.echo(f"{plan.path} is in sync with the code ({counts}); nothing to do.")
        return
    if check or dry_run:
        if dry_run:
            typer.echo(plan.changes.diff(), nl=False)
        if check:
            typer.echo(f"{plan.path} has drifted from the code:")
            typer.echo("\n".join(_drift_lines(plan)))
            typer.echo("Run `skf docs` to rewrite the skf blocks from the code.")
            raise typer.Exit(1)
        typer.echo(f"(dry run: {len(plan.drift)} blocks would change; nothing written)", err=True)
        return
    plan.changes.apply()
    done = {"missing": "added", "changed": "rewritten from the code", "stale": "removed"}
    typer.echo(f"Updated {plan.path}:")
    typer.echo("\n".join(f"  {d.kind} {d.name}: {done[d.state]}" for d in plan.drift))
