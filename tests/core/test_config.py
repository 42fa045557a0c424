"""[tool.skf]: pattern defaults, overrides, and refusal of unknown or malformed keys."""

import re
from pathlib import Path

import pytest

from skf.config import Layout, known_keys, load_layout, non_default_settings
from skf.errors import ConfigError


def write_pyproject(root: Path, body: str) -> None:
    (root / "pyproject.toml").write_text(f"[project]\nname = 'host'\n\n{body}")


def test_defaults_are_the_patterns_layout(tmp_path: Path) -> None:
    layout = load_layout(tmp_path)
    assert layout.scheduler_module == "src/scheduler_instance.py"
    assert layout.session_module == "src/session/async_session.py"
    assert layout.settings_module == "src/config/settings.py"
    assert layout.models_package == "src/models"
    assert layout.compose_file == "docker-compose.yml"
    assert layout.architecture_doc == (
        "Docs/Docs_6_Architecture_and_Status/BACKGROUND_SERVICES_ARCHITECTURE.md"
    )
    assert layout.tests_dir == "tests"
    assert non_default_settings(layout) == {}


def test_tool_skf_overrides_any_key(tmp_path: Path) -> None:
    write_pyproject(
        tmp_path,
        '[tool.skf]\nscheduler_module = "app/core/scheduler.py"\nexclude = ["legacy"]\n',
    )
    layout = load_layout(tmp_path)
    assert layout.scheduler_module == "app/core/scheduler.py"
    assert layout.scheduler_import == "app.core.scheduler"
    assert layout.exclude == ("legacy",)
    assert non_default_settings(layout) == {
        "scheduler_module": "app/core/scheduler.py",
        "exclude": ("legacy",),
    }


def test_an_unknown_key_is_an_error_that_lists_the_known_ones(tmp_path: Path) -> None:
    write_pyproject(tmp_path, '[tool.skf]\nscheduler_modul = "x.py"\n')
    expected = re.escape("unknown [tool.skf] key(s) scheduler_modul;")
    with pytest.raises(ConfigError, match=expected) as error:
        load_layout(tmp_path)
    assert "scheduler_module" in str(error.value)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('settings_module = "../elsewhere.py"', "relative path inside the project"),
        ('settings_module = "/abs/settings.py"', "relative path inside the project"),
        ("settings_module = 3", "must be a non-empty string"),
        ('exclude = "legacy"', "must be a list of strings"),
    ],
)
def test_malformed_values_are_errors(tmp_path: Path, body: str, message: str) -> None:
    write_pyproject(tmp_path, f"[tool.skf]\n{body}\n")
    with pytest.raises(ConfigError, match=message):
        load_layout(tmp_path)


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.skf\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_layout(tmp_path)


def test_module_names_follow_the_source_root(tmp_path: Path) -> None:
    layout = Layout(root=tmp_path, source_root="backend")
    assert layout.module_name("backend/src/config/settings.py") == "src.config.settings"
    assert layout.module_name("backend/src/models/__init__.py") == "src.models"
    (tmp_path / "backend/src/models").mkdir(parents=True)
    (tmp_path / "backend/src/models/__init__.py").write_text("")
    assert layout.module_path("src.models") == "backend/src/models/__init__.py"
    assert layout.module_path("src.models.domain") == "backend/src/models/domain.py"


def test_every_layout_key_is_configurable() -> None:
    assert "root" not in known_keys()
    assert {"scheduler_module", "runtime_module", "compose_service", "exclude"} <= set(known_keys())
