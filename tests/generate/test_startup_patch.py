"""The startup patch: applied, already applied, anchor missing, unusual but legal formatting."""

from pathlib import Path

import pytest
from example_hosts import write_files

from skf.changes import ChangeSet
from skf.errors import ProjectError
from skf.generate.startup_patch import register_setup_call

PATH = "src/main.py"
MAIN = '''"""Startup."""

from contextlib import asynccontextmanager

from src.scheduler_instance import scheduler
from src.services.email_sender_scheduler import setup_email_sender_scheduler


@asynccontextmanager
async def background_services():
    setup_email_sender_scheduler()
    scheduler.start()
    yield
'''


def patch(root: Path, text: str, service: str = "widget_pinger") -> ChangeSet:
    write_files(root, {PATH: text})
    changes = ChangeSet(root)
    register_setup_call(
        changes,
        path=PATH,
        module_name="src.main",
        function="background_services",
        setup_module=f"src.services.{service}_scheduler",
        setup_function=f"setup_{service}_scheduler",
        scheduler="src.scheduler_instance.scheduler",
    )
    return changes


def test_the_call_follows_the_last_setup_call_and_is_imported_in_order(tmp_path: Path) -> None:
    patched = patch(tmp_path, MAIN).read(PATH)
    assert patched == MAIN.replace(
        "import setup_email_sender_scheduler\n",
        "import setup_email_sender_scheduler\n"
        "from src.services.widget_pinger_scheduler import setup_widget_pinger_scheduler\n",
    ).replace(
        "    setup_email_sender_scheduler()\n",
        "    setup_email_sender_scheduler()\n    setup_widget_pinger_scheduler()\n",
    )


def test_applying_twice_changes_nothing(tmp_path: Path) -> None:
    once = patch(tmp_path, MAIN).read(PATH)
    assert once is not None
    assert patch(tmp_path, once).is_empty


def test_an_import_sorting_before_the_others_goes_first(tmp_path: Path) -> None:
    patched = patch(tmp_path, MAIN, service="alerts").read(PATH)
    assert patched is not None
    assert (
        "from src.scheduler_instance import scheduler\n"
        "from src.services.alerts_scheduler import setup_alerts_scheduler\n"
        "from src.services.email_sender_scheduler import" in patched
    )


def test_with_no_setup_call_yet_the_call_goes_before_the_scheduler_starts(tmp_path: Path) -> None:
    text = MAIN.replace(
        "from src.services.email_sender_scheduler import setup_email_sender_scheduler\n", ""
    )
    text = text.replace("    setup_email_sender_scheduler()\n", "")
    patched = patch(tmp_path, text).read(PATH)
    assert patched is not None
    assert "    setup_widget_pinger_scheduler()\n    scheduler.start()\n" in patched


@pytest.mark.parametrize(
    ("text", "anchor"),
    [
        (
            MAIN.replace("def background_services", "def services"),
            "no function background_services",
        ),
        (
            MAIN.replace(
                "    setup_email_sender_scheduler()\n    scheduler.start()\n", "    pass\n"
            ),
            "calls no setup_\\*_scheduler\\(\\) and not scheduler.start\\(\\)",
        ),
    ],
)
def test_a_missing_anchor_is_named_and_nothing_is_changed(
    tmp_path: Path, text: str, anchor: str
) -> None:
    with pytest.raises(ProjectError, match=anchor):
        patch(tmp_path, text)
    assert (tmp_path / PATH).read_text() == text


def test_aliases_and_module_imports_are_resolved(tmp_path: Path) -> None:
    text = """from contextlib import asynccontextmanager

import src.services.email_sender_scheduler as email
from src.scheduler_instance import scheduler as shared


@asynccontextmanager
async def background_services():
    try:
        email.setup_email_sender_scheduler()  # the first service
    finally:
        pass
    shared.start()
    yield
"""
    patched = patch(tmp_path, text).read(PATH)
    assert patched is not None
    # Inserted after the resolved setup call, inside the same block.
    assert (
        "        email.setup_email_sender_scheduler()  # the first service\n"
        "        setup_widget_pinger_scheduler()\n" in patched
    )
    assert (
        "from src.services.widget_pinger_scheduler import setup_widget_pinger_scheduler\n"
        in patched
    )
    compile(patched, PATH, "exec")


def test_an_existing_aliased_import_of_the_setup_function_is_reused(tmp_path: Path) -> None:
    text = MAIN.replace(
        "from src.scheduler_instance import scheduler\n",
        "from src.scheduler_instance import scheduler\n"
        "from src.services.widget_pinger_scheduler import (\n"
        "    setup_widget_pinger_scheduler as pinger,\n"
        ")\n",
    )
    patched = patch(tmp_path, text).read(PATH)
    assert patched is not None
    assert "    setup_email_sender_scheduler()\n    pinger()\n" in patched
    assert patched.count("widget_pinger_scheduler import") == 1


def test_a_name_that_merely_looks_like_the_scheduler_is_not_an_anchor(tmp_path: Path) -> None:
    text = """from contextlib import asynccontextmanager

from other.lib import scheduler


@asynccontextmanager
async def background_services():
    scheduler.start()
    yield
"""
    with pytest.raises(ProjectError, match="anchors"):
        patch(tmp_path, text)
