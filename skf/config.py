"""Where the host project keeps the pieces the pattern assumes.

The defaults are the pattern's own layout; `[tool.skf]` in the host's pyproject.toml overrides
any of them. Unknown keys are an error (a typo must not silently fall back to a default).
Paths are POSIX, relative to the project root; Python modules are imported relative to
`source_root`.
"""

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path, PurePosixPath
from typing import Any

from skf.errors import ConfigError

DEFAULT_EXCLUDE = (
    ".git",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    ".tox",
    ".nox",
    "build",
    "dist",
    ".skf",
)


@dataclass(frozen=True)
class Layout:
    root: Path
    source_root: str = "."
    scheduler_module: str = "src/scheduler_instance.py"
    scheduler_name: str = "scheduler"
    session_module: str = "src/session/async_session.py"
    session_factory: str = "get_background_session"
    settings_module: str = "src/config/settings.py"
    settings_class: str = "Settings"
    settings_instance: str = "settings"
    models_package: str = "src/models"
    services_dir: str = "src/services"
    runtime_module: str = "src/status_queue.py"
    startup_module: str = "src/main.py"
    startup_function: str = "background_services"
    compose_file: str = "docker-compose.yml"
    compose_service: str = "app"
    architecture_doc: str = (
        "Docs/Docs_6_Architecture_and_Status/BACKGROUND_SERVICES_ARCHITECTURE.md"
    )
    tests_dir: str = "tests"
    exclude: tuple[str, ...] = field(default=DEFAULT_EXCLUDE)

    def path(self, relative: str) -> Path:
        return self.root / relative

    def module_name(self, relative_path: str) -> str:
        """The import name of a module file: `src/config/settings.py` -> `src.config.settings`."""
        path = PurePosixPath(relative_path)
        source = PurePosixPath(self.source_root)
        if source != PurePosixPath("."):
            path = path.relative_to(source)
        parts = list(path.with_suffix("").parts)
        if parts and parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts)

    def module_path(self, module_name: str) -> str:
        """The file of an import name, as a relative POSIX path (module or package)."""
        base = PurePosixPath(self.source_root, *module_name.split("."))
        package = base / "__init__.py"
        if (self.root / package).is_file():
            return str(package)
        return str(base.with_suffix(".py"))

    @property
    def scheduler_import(self) -> str:
        return self.module_name(self.scheduler_module)

    @property
    def session_import(self) -> str:
        return self.module_name(self.session_module)

    @property
    def settings_import(self) -> str:
        return self.module_name(self.settings_module)

    @property
    def runtime_import(self) -> str:
        return self.module_name(self.runtime_module)

    @property
    def models_init(self) -> str:
        """The models package's `__init__.py` (relative POSIX), where models are exported."""
        return self.models_package.rstrip("/") + "/__init__.py"

    @property
    def models_import(self) -> str:
        return self.module_name(self.models_init)

    @property
    def services_init(self) -> str:
        """The services package's `__init__.py` (derived, like `models_init`)."""
        return self.services_dir.rstrip("/") + "/__init__.py"

    @property
    def services_import(self) -> str:
        return self.module_name(self.services_init)


_KEYS = {f.name: f for f in fields(Layout) if f.name != "root"}


def known_keys() -> list[str]:
    return sorted(_KEYS)


def _coerce(key: str, value: Any) -> Any:
    if key == "exclude":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"[tool.skf] {key} must be a list of strings")
        return tuple(value)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"[tool.skf] {key} must be a non-empty string, got {value!r}")
    if key.endswith(("_module", "_package", "_dir", "_file", "_doc", "source_root")):
        posix = PurePosixPath(value)
        if posix.is_absolute() or ".." in posix.parts or "\\" in value:
            raise ConfigError(f"[tool.skf] {key} must be a relative path inside the project")
    return value


def load_layout(root: Path) -> Layout:
    """The layout of the project at `root`: defaults, overridden by `[tool.skf]`."""
    root = root.resolve()
    if not root.is_dir():
        raise ConfigError(f"project root {root} is not a directory")
    pyproject = root / "pyproject.toml"
    table: dict[str, Any] = {}
    if pyproject.is_file():
        try:
            document = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{pyproject}: invalid TOML: {exc}") from None
        table = document.get("tool", {}).get("skf", {})
        if not isinstance(table, dict):
            raise ConfigError(f"{pyproject}: [tool.skf] must be a table")
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise ConfigError(
            f"{pyproject}: unknown [tool.skf] key(s) {', '.join(unknown)}; "
            f"known keys: {', '.join(known_keys())}"
        )
    return Layout(root=root, **{key: _coerce(key, value) for key, value in table.items()})


def non_default_settings(layout: Layout) -> dict[str, Any]:
    """The keys where `layout` differs from the defaults (what `[tool.skf]` must say)."""
    default = Layout(root=layout.root)
    return {
        key: getattr(layout, key) for key in _KEYS if getattr(layout, key) != getattr(default, key)
    }
