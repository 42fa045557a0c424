"""The `skf` command line. Thin: parse, call the library, render its results."""

from skf.cli import init as _init  # noqa: F401  (registers `skf init`)
from skf.cli import new as _new  # noqa: F401  (registers `skf new`)
from skf.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    app()
