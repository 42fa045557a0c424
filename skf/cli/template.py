"""`skf template test` and `skf template freeze`: for the template's maintainers."""

from pathlib import Path
from typing import Annotated

import typer

from skf.cli.root import app
from skf.generate.versions import HISTORY_DIR, TEMPLATE_DIR, freeze
from skf.lifecycle.matrix import MATRIX, MatrixReport, run_matrix, select

template_app = typer.Typer(
    name="template",
    help="For the template's maintainers: test it, freeze a released version.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
app.add_typer(template_app)

_COLUMNS = ("combination", "host", "generate", "skf check", "sqlite", "postgresql")


def _table(report: MatrixReport) -> list[str]:
    cells = [
        (r.combination.name, r.combination.host, r.generated, r.checked, r.sqlite, r.postgresql)
        for r in report.rows
    ]
    widths = [max(len(row[i]) for row in [_COLUMNS, *cells]) for i in range(len(_COLUMNS))]

    def line(values: tuple[str, ...]) -> str:
        return "  ".join(value.ljust(width) for value, width in zip(values, widths, strict=True))

    return [line(_COLUMNS).rstrip(), *(line(row).rstrip() for row in cells)]


@template_app.command("test")
def template_test(
    quick: Annotated[
        bool, typer.Option("--quick", help="Only the combinations marked quick (CI).")
    ] = False,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            metavar="NAME",
            help="Run this combination (repeatable): " + ", ".join(c.name for c in MATRIX) + ".",
        ),
    ] = None,
    template: Annotated[
        Path | None,
        typer.Option(
            "--template", metavar="DIR", help="The template to test (default: skf's own)."
        ),
    ] = None,
    example: Annotated[
        Path | None,
        typer.Option("--example", metavar="DIR", help="The example host to copy."),
    ] = None,
) -> None:
    """Generate services from the template with representative answers into temporary hosts,
    run skf check and their tests (SQLite, and PostgreSQL when reachable).

    Exit codes: 0 every combination passed, 1 something failed, 2 usage error.
    """
    combinations = select(quick, only or ())
    report = run_matrix(combinations, template=template, example=example)
    typer.echo(f"template v{report.version} ({report.origin})")
    if report.discipline:
        for problem in report.discipline:
            typer.echo(f"release discipline: {problem}")
    elif template is None:
        typer.echo("release discipline: ok (frozen history, changelog entries)")
    for line in _table(report):
        typer.echo(line)
    for row in report.rows:
        for problem in row.problems:
            typer.echo(f"{row.combination.name}: {problem}")
    for problem in report.host_problems:
        typer.echo(problem)
    failed = sum(1 for row in report.rows if not row.ok)
    passed = len(report.rows) - failed
    typer.echo(f"{passed} passed, {failed} failed")
    if not report.ok:
        raise typer.Exit(1)


@template_app.command("freeze")
def template_freeze(
    template: Annotated[
        Path, typer.Option("--template", metavar="DIR", help="The template to freeze.")
    ] = TEMPLATE_DIR,
    history: Annotated[
        Path, typer.Option("--history", metavar="DIR", help="Where the frozen versions live.")
    ] = HISTORY_DIR,
) -> None:
    """Freeze the current template version into skf/template_history/<version>.tar.gz (the
    release step after bumping _skf_template_version and adding its CHANGELOG entry)."""
    result = freeze(template, history)
    if result.written:
        typer.echo(f"froze template v{result.version} into {result.archive}")
    else:
        typer.echo(f"nothing to do: template v{result.version} is frozen as it is")
