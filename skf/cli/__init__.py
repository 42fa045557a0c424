"""The `skf` command line. Thin: parse, call the library, render its results.

Each command module registers its commands on the root app (`skf.cli.root.app`) when it is
imported. `main()` imports only the module of the command being run: importing the checker
alone costs a quarter of a second, which `skf new` or `skf init` would otherwise pay on every
start. `skf.cli.app` (for tests and embedding) is the root app with every command registered.
"""

import importlib
import sys
from collections.abc import Iterable

import typer

# Command name -> the module under skf.cli that registers it.
COMMAND_MODULES = {
    "check": "check",
    "checklist": "checklist",
    "docs": "docs",
    "init": "init",
    "list": "list",
    "new": "new",
    "remove": "remove",
    "rules": "rules",
    "template": "template",
    "update": "update",
}

__all__ = ["COMMAND_MODULES", "app", "main"]


def _app_with(modules: Iterable[str]) -> typer.Typer:
    for module in modules:
        importlib.import_module(f"skf.cli.{module}")
    from skf.cli.root import app

    return app


def __getattr__(name: str) -> typer.Typer:
    if name == "app":
        return _app_with(COMMAND_MODULES.values())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    command = next((arg for arg in sys.argv[1:] if not arg.startswith("-")), None)
    if command in COMMAND_MODULES:
        _app_with([COMMAND_MODULES[command]])()
    else:  # help, --version, or an unknown command (whose error lists every command)
        _app_with(COMMAND_MODULES.values())()
