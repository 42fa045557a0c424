"""`skf checklist`: the pattern's Implementation Checklist for a pull request, ticked by
`skf check`.

Exit codes: 0 every item ticked, 1 an item is not, 2 usage (an unknown service),
configuration or unreadable input.
"""

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from skf.cli.root import app
from skf.errors import UsageError
from skf.pr_checklist import checklists


class ChecklistFormat(StrEnum):
    markdown = "markdown"
    json = "json"


@app.command("checklist")
def checklist(
    names: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[NAME]...", help="Services (default: every service).", show_default=False
        ),
    ] = None,
    output_format: Annotated[
        ChecklistFormat, typer.Option("--format", help="markdown or json.")
    ] = ChecklistFormat.markdown,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            help="Only services whose files changed since this git revision.",
            show_default=False,
        ),
    ] = None,
    project: Annotated[
        Path, typer.Option("--project", metavar="DIR", help="The host project's root.")
    ] = Path("."),
) -> None:
    """Print the Implementation Checklist of a service as Markdown for its pull request:
    each item ticked only when `skf check` finds it satisfied, with its evidence (file:line);
    an unticked item says what is missing and how to fix it.

    Exit codes: 0 every item ticked, 1 an item is not, 2 an unknown service, usage,
    configuration or unreadable input.
    """
    if not project.is_dir():
        raise UsageError(f"project root {project} is not a directory")
    found = checklists(project, names or [], changed_since=changed_since)
    if output_format is ChecklistFormat.json:
        document = {"version": 1, "checklists": [c.to_json() for c in found]}
        typer.echo(json.dumps(document, indent=2))
    elif not found:
        typer.echo("No service to check (none found, or none changed).")
    else:
        typer.echo("\n".join(c.markdown() for c in found), nl=False)
    raise typer.Exit(0 if all(c.complete for c in found) else 1)
