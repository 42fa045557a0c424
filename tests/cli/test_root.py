"""The root command: --version, --help, and the one error boundary."""

import subprocess
import sys

import typer
from typer.testing import CliRunner

from skf import __version__
from skf.cli.app import _SkfGroup
from skf.errors import UsageError


def test_version_through_the_installed_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "skf", "--version"], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout) == (0, f"skf {__version__}\n")


def test_help_lists_usage() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "skf", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "Generate and check status-driven background services." in result.stdout


def test_library_errors_become_one_line_and_exit_code_2() -> None:
    app = typer.Typer(cls=_SkfGroup)

    @app.command()
    def explode() -> None:
        raise UsageError("service 'x' already exists")

    @app.command()
    def other() -> None:
        pass

    result = CliRunner().invoke(app, ["explode"])
    assert result.exit_code == 2
    assert result.output == "skf: error: service 'x' already exists\n"
