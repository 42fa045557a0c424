"""The inverse of each shared-file patch (what `skf remove` runs): patch then unpatch gives the
file back byte for byte, unpatching what is not there changes nothing, and whatever else is
in the file stays. Also: a later patch adds a missing entry to its service's group."""

from pathlib import Path

import pytest
from example_hosts import EXAMPLE, write_files
from generate_support import COMPOSE_ENTRIES, COMPOSE_LIST_FORM

from skf.changes import ChangeSet
from skf.generate import compose_patch, imports, model_patch, settings_patch, startup_patch
from skf.project.source import SourceFile

COMPOSE = "docker-compose.yml"
SETTINGS = "src/config/settings.py"
MAIN = "src/main.py"
FIELDS = [
    settings_patch.SettingsField("PINGER_BATCH_SIZE", "PositiveInt", 50),
    settings_patch.SettingsField("PINGER_DRAIN_SECONDS", "NonNegativeFloat", 0.0),
]

NO_ENVIRONMENT = """services:
  app:
    image: app
  db:
    image: postgres
"""
SETTINGS_MODULE = '''"""Settings."""

from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    DEBUG: bool = False


settings = Settings()
'''


def _add_env(changes: ChangeSet, entries: list[tuple[str, str]] = COMPOSE_ENTRIES) -> None:
    compose_patch.add_environment(
        changes, path=COMPOSE, service="app", entries=entries, comment="pinger background service"
    )


def _remove_env(changes: ChangeSet) -> list[str]:
    return compose_patch.remove_environment(
        changes,
        path=COMPOSE,
        service="app",
        names=[name for name, _ in COMPOSE_ENTRIES],
        comment="pinger background service",
    )


@pytest.mark.parametrize(
    "text", [(EXAMPLE / COMPOSE).read_text(), COMPOSE_LIST_FORM, NO_ENVIRONMENT]
)
def test_compose_entries_come_off_with_their_heading(tmp_path: Path, text: str) -> None:
    write_files(tmp_path, {COMPOSE: text})
    changes = ChangeSet(tmp_path)
    _add_env(changes)
    assert changes.read(COMPOSE) != text
    assert _remove_env(changes) == ["PINGER_BATCH_SIZE", "PINGER_WAKEUP_ENABLED"]
    assert changes.read(COMPOSE) == text
    assert _remove_env(changes) == []
    assert changes.is_empty


def test_a_later_compose_entry_joins_its_group_without_a_second_heading(tmp_path: Path) -> None:
    write_files(tmp_path, {COMPOSE: COMPOSE_LIST_FORM})
    changes = ChangeSet(tmp_path)
    _add_env(changes, COMPOSE_ENTRIES[:1])
    compose_patch.add_environment(
        changes, path=COMPOSE, service="app", entries=[("OTHER", "1")], comment="other"
    )
    _add_env(changes)
    text = changes.read(COMPOSE)
    assert text is not None
    assert (
        '      # pinger background service\n      - "PINGER_BATCH_SIZE=50"\n'
        '      - "PINGER_WAKEUP_ENABLED=false"\n      # other\n      - "OTHER=1"\n'
    ) in text
    assert text.count("# pinger background service") == 1


def _add_fields(changes: ChangeSet, fields: list[settings_patch.SettingsField] = FIELDS) -> None:
    settings_patch.add_settings_fields(
        changes,
        path=SETTINGS,
        module_name="src.config.settings",
        class_name="Settings",
        instance="settings",
        fields=fields,
        comment="pinger background service",
    )


def _remove_fields(changes: ChangeSet) -> list[str]:
    removed = settings_patch.remove_settings_fields(
        changes,
        path=SETTINGS,
        module_name="src.config.settings",
        class_name="Settings",
        names=[field.name for field in FIELDS],
    )
    return removed.names


@pytest.mark.parametrize("text", [(EXAMPLE / SETTINGS).read_text(), SETTINGS_MODULE])
def test_settings_fields_come_off_with_the_imports_only_they_used(
    tmp_path: Path, text: str
) -> None:
    write_files(tmp_path, {SETTINGS: text})
    changes = ChangeSet(tmp_path)
    _add_fields(changes)
    assert "PINGER_DRAIN_SECONDS: NonNegativeFloat = 0.0" in (changes.read(SETTINGS) or "")
    assert _remove_fields(changes) == ["PINGER_BATCH_SIZE", "PINGER_DRAIN_SECONDS"]
    assert changes.read(SETTINGS) == text
    assert _remove_fields(changes) == []
    assert changes.is_empty


def test_a_later_settings_field_joins_its_group(tmp_path: Path) -> None:
    write_files(tmp_path, {SETTINGS: SETTINGS_MODULE})
    changes = ChangeSet(tmp_path)
    _add_fields(changes, FIELDS[:1])
    settings_patch.add_settings_fields(
        changes,
        path=SETTINGS,
        module_name="src.config.settings",
        class_name="Settings",
        instance="settings",
        fields=[settings_patch.SettingsField("OTHER", "bool", True)],
        comment="other",
    )
    _add_fields(changes)
    assert (
        "    # pinger background service\n"
        "    PINGER_BATCH_SIZE: PositiveInt = 50\n"
        "    PINGER_DRAIN_SECONDS: NonNegativeFloat = 0.0\n"
        "\n    # other\n"
    ) in (changes.read(SETTINGS) or "")


def test_the_startup_call_and_its_import_come_off(tmp_path: Path) -> None:
    text = (EXAMPLE / MAIN).read_text()
    write_files(tmp_path, {MAIN: text})
    changes = ChangeSet(tmp_path)
    arguments = {
        "path": MAIN,
        "module_name": "src.main",
        "function": "background_services",
        "setup_module": "src.services.pinger_scheduler",
        "setup_function": "setup_pinger_scheduler",
    }
    startup_patch.register_setup_call(
        changes, **arguments, scheduler="src.scheduler_instance.scheduler"
    )
    assert "setup_pinger_scheduler()" in (changes.read(MAIN) or "")
    assert startup_patch.unregister_setup_call(changes, **arguments) is True
    assert changes.read(MAIN) == text
    assert startup_patch.unregister_setup_call(changes, **arguments) is False
    assert changes.is_empty


def test_enum_members_come_off(tmp_path: Path) -> None:
    path = "src/models/domain.py"
    text = (EXAMPLE / path).read_text()
    write_files(tmp_path, {path: text})
    changes = ChangeSet(tmp_path)
    members = [model_patch.Member("Not_a_Fit", "Not a Fit")]
    model_patch.add_enum_members(changes, path, "src.models.domain", "SitemapStatus", members)
    assert 'Not_a_Fit = "Not a Fit"' in (changes.read(path) or "")
    removed = model_patch.remove_enum_members(
        changes, path, "src.models.domain", "SitemapStatus", ["Not_a_Fit"]
    )
    assert removed == ["Not_a_Fit"]
    assert changes.is_empty


def test_bookkeeping_comes_off_a_table_args_that_has_more(tmp_path: Path) -> None:
    """A model whose __table_args__ was there before keeps it, and what else it holds."""
    path = "src/models/thing.py"
    text = (
        '"""Things."""\n\nimport enum\n\n'
        "from sqlalchemy import Integer, UniqueConstraint\n"
        "from sqlalchemy.orm import Mapped, mapped_column\n\n"
        "from src.models.base import Base\nfrom src.status_queue import status_enum\n\n\n"
        'class ThingStatus(enum.Enum):\n    Queued = "Queued"\n    Processing = "Processing"\n'
        '    Completed = "Completed"\n    Error = "Error"\n\n\n'
        'class Thing(Base):\n    __tablename__ = "things"\n'
        '    __table_args__ = (UniqueConstraint("code"),)\n\n'
        "    id: Mapped[int] = mapped_column(Integer, primary_key=True)\n"
        "    code: Mapped[int] = mapped_column(Integer)\n"
        "    status: Mapped[ThingStatus] = mapped_column(\n"
        '        status_enum(ThingStatus, "thing_status"), default=ThingStatus.Queued\n    )\n'
    )
    write_files(tmp_path, {path: text})
    changes = ChangeSet(tmp_path)
    spec = model_patch.Bookkeeping(
        class_name="Thing",
        service="thinger",
        prefix="",
        table="things",
        runtime_import="src.status_queue",
        runtime_module="src/status_queue.py",
        status_column_sql="status",
        monitored_sql="Queued",
        processing_sql="Processing",
        index_names=("ix_things_queued_due", "ix_things_processing_claimed"),
    )
    model_patch.add_bookkeeping(changes, path, "src.models.thing", spec)
    removed = model_patch.remove_bookkeeping(changes, path, "src.models.thing", spec)
    assert removed == [
        *(name for name in model_patch.BOOKKEEPING),
        "ix_things_queued_due",
        "ix_things_processing_claimed",
    ]
    after = changes.read(path) or ""
    assert 'UniqueConstraint("code"),' in after
    assert "Index" not in after
    assert "available_at" not in after
    assert "from sqlalchemy import Integer, UniqueConstraint\n" in after
    assert "import uuid" not in after
    assert model_patch.remove_bookkeeping(changes, path, "src.models.thing", spec) == []


def test_removing_an_import_gives_its_blank_lines_to_the_next_statement() -> None:
    text = "import os\n\nfrom a import b\n\nfrom c import d as e\n\nX = os\n"
    source = SourceFile("m.py", "m", text)
    unused = imports.unused_imports(source, {"a.b", "c.d", "os"})
    assert unused == {"b", "e"}
    assert imports.remove_imports(source.module, unused).code == "import os\n\nX = os\n"
