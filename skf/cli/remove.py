"""`skf remove service NAME`: revoke everything `skf new service` added."""

from pathlib import Path
from typing import Annotated

import typer

from skf.cli.root import app
from skf.config import load_layout
from skf.lifecycle.remove import plan_remove

remove_app = typer.Typer(
    name="remove",
    help="Remove something skf generated.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
app.add_typer(remove_app)


@remove_app.command("service")
def remove_service(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The generated service to remove.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the diff of every file; write nothing.")
    ] = False,
    project: Annotated[
        Path | None, typer.Option("--project", metavar="DIR", help="The host project's root.")
    ] = None,
) -> None:
    """Remove a generated service: its files, settings, compose entries, startup call, docs,
    the model changes it made and its record (refused while something else uses them)."""
    plan = plan_remove(load_layout(project or Path.cwd()), name)
    if dry_run:
        typer.echo(plan.changes.diff(), nl=False)
        typer.echo(f"(dry run: {len(plan.changes.paths)} files would change; nothing written)")
        return
    plan.changes.apply()
    for path in plan.deleted:
        typer.echo(f"deleted  {path}")
    for path in plan.modified:
        typer.echo(f"modified {path}")
    for note in plan.notes:
        typer.echo(f"note: {note}")
