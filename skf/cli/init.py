"""`skf init`: add the shared pieces of the pattern to a codebase (reusing what exists)."""

from pathlib import Path
from typing import Annotated

import typer

from skf.cli.root import app
from skf.config import load_layout
from skf.generate.host import plan_init
from skf.generate.host_record import HOST_RECORD


@app.command("init")
def init(
    project: Annotated[
        Path | None, typer.Option("--project", metavar="DIR", help="The host project's root.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the diff of every file; write nothing.")
    ] = False,
) -> None:
    """Add the scheduler, session, settings, runtime, startup, docs and test fixtures the
    generated services need; pieces that exist are found and reused."""
    plan = plan_init(load_layout(project or Path.cwd()))
    for found in plan.found:
        typer.echo(f"found    {found}")
    for key, value in plan.tool_skf.items():
        typer.echo(f"found    {key} = {value} (recorded in [tool.skf])")
    for path, version in plan.recorded.items():
        typer.echo(
            f"owned    {path}: template v{version}'s render, kept current by skf update --host"
        )
    if plan.changes.is_empty:
        for note in plan.notes:
            typer.echo(f"note: {note}")
        typer.echo("nothing to do: the project has every piece the pattern assumes")
        return
    if dry_run:
        typer.echo(plan.changes.diff(), nl=False)
        typer.echo(f"(dry run: {len(plan.changes.paths)} files would change; nothing written)")
        return
    for change in plan.changes.apply():
        typer.echo(f"{'created ' if change.kind == 'create' else 'modified'} {change.path}")
    for note in plan.notes:
        typer.echo(f"note: {note}")
    if set(plan.changes.paths) <= {HOST_RECORD}:
        return  # every piece was there: only the record of the files skf keeps current
    typer.echo(
        "next: skf new service NAME --new-model CLASS (or --model MODULE:CLASS "
        "--status-column COLUMN); the generated tests need pytest, pytest-asyncio, aiosqlite "
        "and, for PostgreSQL, asyncpg"
    )
