"""Helpers of the lifecycle tests: template versions, git-tracked host copies, the CLI."""

import shutil
from pathlib import Path

from typer.testing import CliRunner, Result

from skf.generate.versions import HISTORY_DIR, extract

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "templates"
SERVICE = "src/services/widget_pinger_scheduler.py"
TESTS = "tests/services/test_widget_pinger.py"
RECORD = ".skf/services/widget_pinger.yml"
SETTINGS = "src/config/settings.py"
COMPOSE = "docker-compose.yml"
DOC = "Docs/Docs_6_Architecture_and_Status/BACKGROUND_SERVICES_ARCHITECTURE.md"
JITTER = "        jitter=settings.WIDGET_PINGER_JITTER_SECONDS,\n"

RUNTIME = "src/status_queue.py"
RUNTIME_TEMPLATE = "host/{{ runtime_module }}.jinja"
HOST_RECORD = ".skf/host.yml"
# Version 2 changes the host part too: the runtime module keeps longer error texts.
ERROR_LIMIT_V1 = "ERROR_TEXT_LIMIT = 2000\n"
ERROR_LIMIT_V2 = "ERROR_TEXT_LIMIT = 4000\n"
# Version 3 changes only the host part (the runtime's docstring) and how a question is asked.
DOCSTRING_V2 = '"""Shared mechanics of status-driven background services.\n'
DOCSTRING_V3 = '"""Shared mechanics of status-driven background services (kept current by skf).\n'


def template_versions(destination: Path, newest: int) -> Path:
    """A template source (`--template DIR` / $SKF_TEMPLATE) holding versions 1..`newest`.

    Version 1 is skf's real, frozen first version (kept as its archive: older versions are
    archives in the installed skf too); version 2 is tests/fixtures/templates/2 laid over it:
    it jitters the runs through a new setting, says so in the setup docstring and tests it,
    and its runtime module keeps longer error texts (ERROR_LIMIT_V2). Version 3 is version 2
    with a host-only change: the runtime's docstring (DOCSTRING_V3), and a help text.
    """
    destination.mkdir(parents=True)
    first = HISTORY_DIR / "1.tar.gz"
    if newest == 1:
        extract(first, destination / "1")
        return destination
    shutil.copy(first, destination / "1.tar.gz")
    second = destination / "2"
    extract(first, second)
    shutil.copytree(FIXTURES / "2", second, dirs_exist_ok=True)
    edit(second / RUNTIME_TEMPLATE, ERROR_LIMIT_V1, ERROR_LIMIT_V2)
    if newest == 2:
        return destination
    third = destination / "3"
    shutil.copytree(second, third)
    edit(third / "copier.yml", "_skf_template_version: 2\n", "_skf_template_version: 3\n")
    edit(third / "copier.yml", "help: Table name\n", "help: Table name (plural)\n")
    edit(third / RUNTIME_TEMPLATE, DOCSTRING_V2, DOCSTRING_V3)
    return destination


def skf(*args: str, template: Path | None = None) -> Result:
    """The skf CLI in-process, with $SKF_TEMPLATE set to `template` if given."""
    from skf.cli import app

    env = {"SKF_TEMPLATE": str(template)} if template is not None else None
    return CliRunner().invoke(app, list(args), env=env)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))
