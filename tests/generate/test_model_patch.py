"""Model patches: bookkeeping columns and indexes, enum members, exporting a new model."""

from pathlib import Path

import pytest
from example_hosts import EXAMPLE, write_files

from skf.changes import ChangeSet
from skf.errors import ProjectError
from skf.generate.model_patch import (
    Bookkeeping,
    Member,
    add_bookkeeping,
    add_enum_members,
    export_model,
)

PATH = "src/models/domain.py"
SPEC = Bookkeeping(
    class_name="Domain",
    service="sitemap_scanner",
    prefix="sitemap_",
    table="domains",
    runtime_import="src.status_queue",
    runtime_module="src/status_queue.py",
    status_column_sql="sitemap_status",
    monitored_sql="Queued",
    processing_sql="Processing",
    index_names=("ix_domains_sitemap_queued_due", "ix_domains_sitemap_processing_claimed"),
)
DOMAIN = '''"""Domains."""

import enum

import sqlalchemy as sa
from sqlalchemy import orm

from src.models.base import Base


class Domain(Base):
    __tablename__ = "domains"
    __table_args__ = (sa.UniqueConstraint("hostname"), {"comment": "tracked domains"})

    id: orm.Mapped[int] = orm.mapped_column(sa.Integer, primary_key=True)
    hostname: orm.Mapped[str] = orm.mapped_column(sa.String(253))

    def label(self) -> str:
        return self.hostname
'''


def patch(root: Path, text: str, spec: Bookkeeping = SPEC) -> tuple[ChangeSet, list[str]]:
    write_files(root, {PATH: text})
    changes = ChangeSet(root)
    added = add_bookkeeping(changes, PATH, "src.models.domain", spec)
    return changes, added


def test_the_example_domain_gains_its_own_prefixed_columns_and_indexes(tmp_path: Path) -> None:
    text = (EXAMPLE / PATH).read_text()
    bare = text.split("    # Queue bookkeeping of sitemap_scanner")[0]
    bare = bare.split("    __table_args__")[0] + bare.split("    )\n", 1)[1]
    changes, added = patch(tmp_path, bare)
    assert added[:6] == [
        f"sitemap_{name}"
        for name in (
            "available_at",
            "claim_token",
            "claimed_at",
            "attempts",
            "last_error",
            "completed_at",
        )
    ]
    assert changes.read(PATH) == text  # what skf wrote into example_service


def test_applying_twice_changes_nothing(tmp_path: Path) -> None:
    changes, added = patch(tmp_path, (EXAMPLE / PATH).read_text())
    assert (changes.is_empty, added) == (True, [])


def test_aliased_sqlalchemy_and_a_literal_table_args_tuple(tmp_path: Path) -> None:
    changes, _added = patch(tmp_path, DOMAIN)
    patched = changes.read(PATH)
    assert patched is not None
    compile(patched, PATH, "exec")
    # Names are spelled through the module's own imports.
    assert (
        "    sitemap_attempts: orm.Mapped[int] = orm.mapped_column(sa.Integer, default=0)\n"
        in patched
    )
    assert (
        "sitemap_claim_token: orm.Mapped[uuid.UUID | None] = orm.mapped_column(sa.Uuid" in patched
    )
    assert "from src.status_queue import UtcDateTime, utcnow\n" in patched
    assert "import enum\nimport uuid\nfrom datetime import datetime\n" in patched
    # The indexes join the tuple before its trailing options dict; the columns go before
    # the methods.
    table_args = patched.split("__table_args__ = (")[1].split("\n    )\n")[0]
    assert (
        table_args.index("UniqueConstraint")
        < table_args.index("sa.Index(")
        < table_args.index('{"comment": "tracked domains"}')
    )
    assert "postgresql_where=sa.text(\"sitemap_status = 'Queued'\")" in table_args
    assert patched.index("sitemap_completed_at") < patched.index("def label")


def test_a_multi_line_table_args_keeps_its_comments(tmp_path: Path) -> None:
    text = DOMAIN.replace(
        '    __table_args__ = (sa.UniqueConstraint("hostname"), {"comment": "tracked domains"})',
        "    __table_args__ = (\n"
        "        # one row per host\n"
        '        sa.UniqueConstraint("hostname"),  # keep\n'
        "    )",
    )
    changes, _added = patch(tmp_path, text)
    patched = changes.read(PATH) or ""
    compile(patched, PATH, "exec")
    assert "        # one row per host\n" in patched
    assert '        sa.UniqueConstraint("hostname"),  # keep\n        sa.Index(\n' in patched
    assert "        ),\n    )\n" in patched


def test_a_table_args_dict_becomes_a_tuple_ending_with_it(tmp_path: Path) -> None:
    text = DOMAIN.replace(
        '(sa.UniqueConstraint("hostname"), {"comment": "tracked domains"})', '{"schema": "app"}'
    )
    patched = patch(tmp_path, text)[0].read(PATH) or ""
    compile(patched, PATH, "exec")
    assert '        {"schema": "app"},\n    )\n' in patched


def test_a_computed_table_args_is_refused(tmp_path: Path) -> None:
    text = DOMAIN.replace(
        '(sa.UniqueConstraint("hostname"), {"comment": "tracked domains"})', "table_args()"
    )
    with pytest.raises(ProjectError, match="not a literal tuple or dict"):
        patch(tmp_path, text)
    assert (tmp_path / PATH).read_text() == text


def test_a_missing_model_class_is_named(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="no class Domain"):
        patch(tmp_path, DOMAIN.replace("class Domain", "class Site"))


def test_values_stored_by_name_are_indexed_by_name(tmp_path: Path) -> None:
    spec = Bookkeeping(**{**SPEC.__dict__, "monitored_sql": "QUEUED", "processing_sql": "RUNNING"})
    patched = patch(tmp_path, DOMAIN, spec)[0].read(PATH) or ""
    assert "sitemap_status = 'QUEUED'" in patched
    assert "sitemap_status = 'RUNNING'" in patched


def test_enum_members_are_appended_once(tmp_path: Path) -> None:
    text = (
        'import enum\n\n\nclass Fit(enum.Enum):\n    """Fit."""\n\n    Yes = "Yes"\n\n'
        "    def label(self) -> str:\n        return self.value\n"
    )
    write_files(tmp_path, {"src/models/fit.py": text})
    changes = ChangeSet(tmp_path)
    members = [Member("Not_a_Fit", "Not a Fit")]
    add_enum_members(changes, "src/models/fit.py", "src.models.fit", "Fit", members)
    patched = changes.read("src/models/fit.py") or ""
    assert '    Yes = "Yes"\n    Not_a_Fit = "Not a Fit"\n\n    def label' in patched
    changes.apply()
    again = ChangeSet(tmp_path)
    add_enum_members(again, "src/models/fit.py", "src.models.fit", "Fit", members)
    assert again.is_empty


def test_a_new_model_is_exported_like_its_siblings(tmp_path: Path) -> None:
    path = "src/models/__init__.py"
    write_files(tmp_path, {path: (EXAMPLE / path).read_text()})
    changes = ChangeSet(tmp_path)
    export_model(changes, path, "src.models", "src.models.widget", ["Widget", "WidgetStatus"])
    patched = changes.read(path) or ""
    assert patched.endswith(
        "from src.models.email_message import EmailMessage, EmailStatus\n"
        "from src.models.widget import Widget, WidgetStatus\n\n"
        "__all__ = [\n"
        '    "Base",\n    "Domain",\n    "EmailMessage",\n    "EmailStatus",\n'
        '    "SitemapStatus",\n    "Widget",\n    "WidgetStatus",\n]\n'
    )
    changes.apply()
    again = ChangeSet(tmp_path)
    export_model(again, path, "src.models", "src.models.widget", ["Widget", "WidgetStatus"])
    assert again.is_empty


def test_an_unsorted_all_is_appended_to(tmp_path: Path) -> None:
    path = "src/models/__init__.py"
    write_files(tmp_path, {path: 'from src.models.base import Base\n\n__all__ = ("Zed", "Base")\n'})
    changes = ChangeSet(tmp_path)
    export_model(changes, path, "src.models", "src.models.widget", ["Widget"])
    assert '__all__ = ["Zed", "Base", "Widget"]\n' in (changes.read(path) or "")
