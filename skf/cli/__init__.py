"""The `skf` command line. Thin: parse, call the library, render its results.

Each command module registers its commands on the root app (`skf.cli.root.app`) when it is
imported. `main()` imports only the module of the command being run: importing the checker
alone costs a quarter of a second, which `skf new` or `skf init` would otherwise pay on every
start. `skf.cli.app` (for tests and embedding) is the root app with every command registered.
"""

import importlib
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # typer is imported with the command modules, after the renderer is forked
    import typer

# Commands that take the renderer forked before anything heavy is imported (see
# skf.generate.renderer; the others that render fork theirs when they need it).
EARLY_RENDERER_COMMANDS = frozenset({"new"})

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


def _app_with(modules: Iterable[str]) -> "typer.Typer":
    for module in modules:
        importlib.import_module(f"skf.cli.{module}")
    from skf.cli.root import app

    return app


def __getattr__(name: str) -> "typer.Typer":
    if name == "app":
        return _app_with(COMMAND_MODULES.values())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    command = next((arg for arg in sys.argv[1:] if not arg.startswith("-")), None)
    if command not in COMMAND_MODULES:  # help, --version, or an unknown command (listing all)
        _app_with(COMMAND_MODULES.values())()
        return
    from skf.generate import renderer  # the standard library only

    if command in EARLY_RENDERER_COMMANDS and "--help" not in sys.argv:
        renderer.start_early()
    try:
        _app_with([COMMAND_MODULES[command]])()
    finally:
        renderer.release_early()
