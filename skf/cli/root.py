"""The root `skf` command; command groups register themselves on `app`.

This is the one boundary where library errors become user-facing output: an `SkfError`
anywhere below becomes `skf: error: <message>` on stderr and exit code 2.
"""

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from skf import __version__
from skf.errors import SkfError


class _SkfGroup(TyperGroup):
    def invoke(self, ctx: Any) -> Any:  # a click Context (typer vendors click)
        try:
            return super().invoke(ctx)
        except SkfError as error:
            typer.echo(f"skf: error: {error}", err=True)
            raise typer.Exit(error.exit_code) from None


app = typer.Typer(
    cls=_SkfGroup,
    name="skf",
    help="Generate and check status-driven background services.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"skf {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Generate and check status-driven background services."""
