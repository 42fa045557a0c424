"""The Settings patch: applied, already applied, anchor missing, unusual but legal formatting."""

from pathlib import Path

import pytest
from example_hosts import write_files

from skf.changes import ChangeSet
from skf.errors import ProjectError
from skf.generate.settings_patch import SettingsField, add_settings_fields

PATH = "src/config/settings.py"
FIELDS = [
    SettingsField("PINGER_INTERVAL_SECONDS", "PositiveInt", 60),
    SettingsField("PINGER_DRAIN_SECONDS", "NonNegativeFloat", 0.0),
    SettingsField("PINGER_WAKEUP_ENABLED", "bool", False),
]
PLAIN = '''"""Settings."""

from pydantic import PositiveInt
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    DATABASE_URL: str = "sqlite://"
    POOL: PositiveInt = 5


settings = Settings()
'''


def patch(root: Path, text: str, fields: list[SettingsField] = FIELDS) -> ChangeSet:
    write_files(root, {PATH: text})
    changes = ChangeSet(root)
    add_settings_fields(
        changes,
        path=PATH,
        module_name="src.config.settings",
        class_name="Settings",
        instance="settings",
        fields=fields,
        comment="pinger background service",
    )
    return changes


def test_fields_join_the_class_under_a_comment_with_their_types_imported(tmp_path: Path) -> None:
    changes = patch(tmp_path, PLAIN)
    assert (
        changes.read(PATH)
        == '''"""Settings."""

from pydantic import NonNegativeFloat, PositiveInt
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    DATABASE_URL: str = "sqlite://"
    POOL: PositiveInt = 5

    # pinger background service
    PINGER_INTERVAL_SECONDS: PositiveInt = 60
    PINGER_DRAIN_SECONDS: NonNegativeFloat = 0.0
    PINGER_WAKEUP_ENABLED: bool = False


settings = Settings()
'''
    )
    assert (tmp_path / PATH).read_text() == PLAIN  # in memory only


def test_applying_twice_changes_nothing(tmp_path: Path) -> None:
    once = patch(tmp_path, PLAIN).read(PATH)
    assert once is not None
    twice = patch(tmp_path, once)
    assert twice.is_empty


def test_a_field_already_there_is_kept_as_the_team_set_it(tmp_path: Path) -> None:
    tuned = PLAIN.replace("    POOL", "    PINGER_INTERVAL_SECONDS: PositiveInt = 5\n    POOL")
    text = patch(tmp_path, tuned).read(PATH)
    assert text is not None
    assert text.count("PINGER_INTERVAL_SECONDS") == 1
    assert "PINGER_INTERVAL_SECONDS: PositiveInt = 5" in text
    assert "# pinger background service" not in text  # a partial block gets no heading


@pytest.mark.parametrize(
    ("text", "anchor"),
    [
        (
            PLAIN.replace("class Settings", "class AppSettings").replace("= Settings()", "= 1"),
            "class Settings",
        ),
        (PLAIN.replace("settings = Settings()", "config = Settings()"), "`settings`"),
    ],
)
def test_a_missing_anchor_is_named_and_nothing_is_changed(
    tmp_path: Path, text: str, anchor: str
) -> None:
    with pytest.raises(ProjectError, match=anchor) as refused:
        patch(tmp_path, text)
    assert "anchor" in str(refused.value) or "instance" in str(refused.value)
    assert (tmp_path / PATH).read_text() == text


def test_an_aliased_pydantic_type_is_used_under_its_alias(tmp_path: Path) -> None:
    text = PLAIN.replace(
        "from pydantic import PositiveInt", "from pydantic import PositiveInt as PInt"
    )
    text = text.replace("POOL: PositiveInt", "POOL: PInt")
    patched = patch(tmp_path, text).read(PATH)
    assert patched is not None
    assert "PINGER_INTERVAL_SECONDS: PInt = 60" in patched
    assert "import NonNegativeFloat, PositiveInt as PInt" in patched


def test_module_qualified_pydantic_is_used_as_such(tmp_path: Path) -> None:
    text = PLAIN.replace("from pydantic import PositiveInt", "import pydantic")
    text = text.replace("POOL: PositiveInt", "POOL: pydantic.PositiveInt")
    patched = patch(tmp_path, text).read(PATH)
    assert patched is not None
    assert "PINGER_INTERVAL_SECONDS: pydantic.PositiveInt = 60" in patched
    assert "from pydantic import" not in patched


def test_fields_go_before_the_methods_and_the_class_keeps_its_tabs(tmp_path: Path) -> None:
    text = (
        "from pydantic_settings import BaseSettings\n\n\n"
        "class Settings(BaseSettings):\n"
        '\t"""App settings."""\n\n'
        "\tDEBUG: bool = False  # noqa: ERA001 keep me\n\n"
        "\tdef dsn(self) -> str:\n"
        '\t\treturn "x"\n\n\n'
        "settings = Settings()\n"
    )
    patched = patch(tmp_path, text).read(PATH)
    assert patched is not None
    assert (
        "\tDEBUG: bool = False  # noqa: ERA001 keep me\n\n\t# pinger background service\n"
        in patched
    )
    assert patched.index("PINGER_WAKEUP_ENABLED") < patched.index("def dsn")
    compile(patched, PATH, "exec")


def test_windows_line_endings_stay_windows_line_endings(tmp_path: Path) -> None:
    patched = patch(tmp_path, PLAIN.replace("\n", "\r\n")).read(PATH)
    assert patched is not None
    assert "\n" not in patched.replace("\r\n", "")
    assert "PINGER_INTERVAL_SECONDS: PositiveInt = 60\r\n" in patched


def test_a_class_body_on_the_class_line_is_refused(tmp_path: Path) -> None:
    text = (
        "from pydantic_settings import BaseSettings\n\n\n"
        "class Settings(BaseSettings): X: int = 1\n\n\n"
        "settings = Settings()\n"
    )
    with pytest.raises(ProjectError, match="body on the class line"):
        patch(tmp_path, text)


def test_the_env_prefix_is_reported_for_the_compose_names(tmp_path: Path) -> None:
    text = PLAIN.replace(
        "    DATABASE_URL",
        '    model_config = SettingsConfigDict(env_prefix="APP_")\n    DATABASE_URL',
    )
    write_files(tmp_path, {PATH: text})
    changes = ChangeSet(tmp_path)
    prefix = add_settings_fields(
        changes,
        path=PATH,
        module_name="src.config.settings",
        class_name="Settings",
        instance="settings",
        fields=FIELDS,
        comment="pinger background service",
    )
    assert prefix == "APP_"
