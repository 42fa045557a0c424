"""The `skf` command line. Thin: parse, call the library, render its results."""

from skf.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    app()
