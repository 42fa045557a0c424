"""The root command: --version, --help, and the one error boundary."""

import subprocess
import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

from skf import __version__
from skf.cli.root import _SkfGroup
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


def test_every_command_module_is_registered_by_name() -> None:
    import skf.cli

    modules = {
        path.stem
        for path in Path(skf.cli.__file__).parent.glob("*.py")
        if path.stem not in {"__init__", "root"}
    }
    assert set(skf.cli.COMMAND_MODULES.values()) == modules
    group = typer.main.get_group(skf.cli.app)
    assert set(skf.cli.COMMAND_MODULES) == set(group.commands)


def test_running_one_command_imports_only_its_module() -> None:
    code = (
        "import sys; sys.argv = ['skf', 'init', '--help']\n"
        "import skf.cli\n"
        "try:\n    skf.cli.main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('skf.check')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "skf.check.engine" not in result.stdout.splitlines()[-1]
