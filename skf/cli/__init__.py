"""The `skf` command line. Thin: parse, call the library, render its results."""

from skf.cli import check as _check  # noqa: F401  (registers `skf check`)
from skf.cli import checklist as _checklist  # noqa: F401  (registers `skf checklist`)
from skf.cli import docs as _docs  # noqa: F401  (registers `skf docs`)
from skf.cli import init as _init  # noqa: F401  (registers `skf init`)
from skf.cli import list as _list  # noqa: F401  (registers `skf list`)
from skf.cli import new as _new  # noqa: F401  (registers `skf new`)
from skf.cli import remove as _remove  # noqa: F401  (registers `skf remove`)
from skf.cli import rules as _rules  # noqa: F401  (registers `skf rules`)
from skf.cli import template as _template  # noqa: F401  (registers `skf template`)
from skf.cli import update as _update  # noqa: F401  (registers `skf update`)
from skf.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    app()
