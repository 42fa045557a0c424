"""Reading models and status enums from source, through imports and aliases."""

import re
from pathlib import Path

import pytest

from skf.config import load_layout
from skf.errors import UsageError
from skf.project.files import ProjectFiles
from skf.project.models import ModelReader

EXAMPLE = Path(__file__).parents[2] / "example_service"


def reader_for(root: Path) -> ModelReader:
    layout = load_layout(root)
    return ModelReader(ProjectFiles(layout), layout.runtime_import)


def write(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


def test_reads_the_example_models_status_enums() -> None:
    reader = reader_for(EXAMPLE)
    email = reader.read_model("src.models.email_message", "EmailMessage")
    assert email.table == "email_messages"
    status = email.status_columns()["status"]
    assert status.enum is not None
    assert status.enum.values == ["Queued", "Processing", "Completed", "Error"]
    assert (status.stored_as, status.native, status.type_name) == ("values", True, "email_status")


def test_follows_a_reexport_from_the_models_package() -> None:
    domain = reader_for(EXAMPLE).read_model("src.models", "Domain")
    assert domain.path == "src/models/domain.py"
    assert set(domain.status_columns()) == {"sitemap_status"}


def test_enum_mappings_in_their_many_spellings(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "src/__init__.py": "",
            "src/models/__init__.py": "",
            "src/models/enums.py": (
                "import enum\n\n"
                "class Fit(str, enum.Enum):\n"
                "    Not_a_Fit = 'Not a Fit'\n"
                "    Fit = 'Fit'\n"
                "    _ignore_ = 'x'\n"
            ),
            "src/models/lead.py": (
                "import sqlalchemy as sa\n"
                "from sqlalchemy import Enum as SAEnum, String\n"
                "from sqlalchemy.orm import Mapped, mapped_column\n"
                "from .enums import Fit\n\n"
                "class Lead(Base):\n"
                "    __tablename__ = 'leads'\n"
                "    by_names: Mapped[Fit] = mapped_column(SAEnum(Fit, native_enum=False))\n"
                "    by_values: Mapped[Fit] = mapped_column(\n"
                "        sa.Enum(Fit, name='fit_status', values_callable=values_of)\n"
                "    )\n"
                "    implicit: Mapped[Fit | None] = mapped_column()\n"
                "    as_text: Mapped[Fit] = mapped_column(String(20))\n"
                "    legacy = sa.Column(sa.Enum(Fit))\n"
                "    plain: Mapped[int] = mapped_column()\n"
            ),
        },
    )
    lead = reader_for(tmp_path).read_model("src.models.lead", "Lead")
    columns = lead.columns
    assert columns["by_names"].enum is not None
    assert columns["by_names"].enum.members == {"Not_a_Fit": "Not a Fit", "Fit": "Fit"}
    assert (columns["by_names"].stored_as, columns["by_names"].native) == ("names", False)
    assert (columns["by_values"].stored_as, columns["by_values"].type_name) == (
        "values",
        "fit_status",
    )
    assert (columns["implicit"].stored_as, columns["implicit"].type_name) == ("names", "fit")
    assert columns["as_text"].plain_string
    assert columns["legacy"].stored_as == "names"
    assert columns["plain"].enum is None
    assert set(lead.status_columns()) == {"by_names", "by_values", "implicit", "as_text", "legacy"}


def test_a_missing_model_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=re.escape("model src.models.nope:Nope not found")):
        reader_for(EXAMPLE).read_model("src.models.nope", "Nope")
