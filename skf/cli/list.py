"""`skf list`: a table of every background service the codebase has."""

import io
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from skf.cli.root import app
from skf.errors import UsageError
from skf.service_list import ServiceListing, ServiceRow, list_services


class ListFormat(StrEnum):
    text = "text"
    json = "json"


def _template(row: ServiceRow, current: int | None) -> str:
    if row.template_version is None:
        return "-"
    if current is not None and row.update_available:
        return f"v{row.template_version} (v{current} available)"
    return f"v{row.template_version}"


def _compliance(row: ServiceRow) -> str:
    if not row.findings:
        return "ok"
    parts = [f"items {', '.join(map(str, row.failing_items))}"] if row.failing_items else []
    parts += list(row.hazards)
    return f"{row.findings} ({'; '.join(parts)})"


def _table(listing: ServiceListing) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for title in (
        "SERVICE", "MODULE", "JOB", "MODEL / TABLE", "MONITORS", "SETS",
        "SCHEDULE", "BATCH", "MAX INSTANCES", "MISFIRE GRACE", "TEMPLATE", "FINDINGS",
    ):  # fmt: skip
        table.add_column(title, no_wrap=True)
    for row in listing.rows:
        model = row.model.rpartition(".")[2] if row.model else "?"
        table.add_row(
            row.name,
            row.module,
            row.job_function,
            f"{model} / {row.table or '?'}",
            row.monitored or "?",
            ", ".join(row.sets) or "-",
            row.schedule.cell(),
            row.batch_size.cell(),
            row.max_instances.cell(),
            row.misfire_grace.cell(" s"),
            _template(row, listing.current_template_version),
            _compliance(row),
        )
    return table


def render_table(listing: ServiceListing, *, terminal: bool) -> str:
    """The table as text: colours and the terminal's width on a terminal; otherwise plain,
    as wide as its content (stable for scripts and tests)."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=terminal,
        no_color=not terminal,
        color_system="auto" if terminal else None,
        width=None if terminal else 10_000,
        highlight=False,
    )
    console.print(_table(listing))
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


@app.command("list")
def list_command(
    project_root: Annotated[
        Path, typer.Argument(help="The host project (default: the current directory).")
    ] = Path("."),
    output_format: Annotated[
        ListFormat, typer.Option("--format", help="text (a table) or json.")
    ] = ListFormat.text,
) -> None:
    """List every background service: module, job, model and table, statuses, schedule,
    batch size, max instances and misfire grace (and where each comes from), template
    version, and the number of findings `skf check` reports for it."""
    if not project_root.is_dir():
        raise UsageError(f"project root {project_root} is not a directory")
    listing = list_services(project_root)
    if output_format is ListFormat.json:
        typer.echo(json.dumps(listing.to_json(), indent=2))
        return
    if not listing.rows:
        typer.echo("No background services found (a job added to a scheduler with add_job).")
        return
    typer.echo(render_table(listing, terminal=sys.stdout.isatty()), nl=False)
