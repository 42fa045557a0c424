"""Making names importable in a module: reuse, extend a `from` import, or add one in order."""

import libcst as cst

from skf.generate.imports import Need, add_imports, bindings
from skf.project.source import SourceFile


def add(text: str, *needs: Need, module: str = "src.models.x") -> tuple[str, dict[str, str]]:
    source = SourceFile("src/models/x.py", module, text)
    patched, spelled = add_imports(source.module, bindings(source), list(needs), "src")
    assert isinstance(patched, cst.Module)
    return patched.code, spelled


def test_names_already_bound_are_reused_under_their_local_spelling() -> None:
    text = "import sqlalchemy as sa\nfrom uuid import UUID as Id\n\nX = 1\n"
    code, spelled = add(text, Need("sqlalchemy", "Index"), Need("uuid", "UUID"))
    assert code == text
    assert spelled == {"sqlalchemy.Index": "sa.Index", "uuid.UUID": "Id"}


def test_a_from_import_gains_names_in_isort_order() -> None:
    code, _ = add("from sqlalchemy import String, func\n\nX = 1\n", Need("sqlalchemy", "Index"))
    assert code == "from sqlalchemy import Index, String, func\n\nX = 1\n"
    code, _ = add("from m import A\n", Need("m", "CONSTANT"), Need("m", "value"))
    assert code == "from m import CONSTANT, A, value\n"


def test_a_from_import_that_grows_too_long_is_exploded() -> None:
    names = ", ".join(f"Name{n:02d}" for n in range(11))
    code, _ = add(f"from package.module import {names}\n", Need("package.module", "Zeta"))
    assert code.startswith("from package.module import (\n    Name00,\n")
    assert code.endswith("    Name10,\n    Zeta,\n)\n")


def test_a_commented_parenthesized_import_keeps_its_comments() -> None:
    text = "from m import (\n    A,  # first\n    C,\n)\n"
    code, _ = add(text, Need("m", "B"))
    assert code == "from m import (\n    A,  # first\n    B,\n    C,\n)\n"
    code, _ = add("from m import (\n    A,\n    B,  # last\n)\n", Need("m", "Z"))
    assert code == "from m import (\n    A,\n    B,  # last\n    Z,\n)\n"


def test_new_statements_go_to_their_section() -> None:
    text = '"""Doc."""\n\nimport enum\n\nimport sqlalchemy\n\nfrom src.base import Base\n\nX = 1\n'
    code, _ = add(text, Need("uuid"), Need("pydantic", "Field"), Need("src.zed", "Zed"))
    assert code == (
        '"""Doc."""\n\nimport enum\nimport uuid\n\n'
        "import sqlalchemy\nfrom pydantic import Field\n\n"
        "from src.base import Base\nfrom src.zed import Zed\n\nX = 1\n"
    )


def test_a_missing_section_is_created_in_its_place() -> None:
    text = '"""Doc."""\n\nimport enum\n\nfrom src.base import Base\n\nX = 1\n'
    code, _ = add(text, Need("sqlalchemy", "Index"))
    assert code == (
        '"""Doc."""\n\nimport enum\n\nfrom sqlalchemy import Index\n\nfrom src.base import Base\n\n'
        "X = 1\n"
    )
    code, _ = add('"""Doc."""\n\nfrom src.base import Base\n', Need("enum"))
    assert code == '"""Doc."""\n\nimport enum\n\nfrom src.base import Base\n'


def test_a_module_without_imports_gets_them_after_its_docstring() -> None:
    code, _ = add('"""Doc."""\n\nX = 1\n', Need("enum"))
    assert code == '"""Doc."""\n\nimport enum\n\nX = 1\n'


def test_relative_imports_count_as_bindings() -> None:
    text = "from .base import Base\n"
    code, spelled = add(text, Need("src.models.base", "Base"))
    assert (code, spelled) == (text, {"src.models.base.Base": "Base"})
