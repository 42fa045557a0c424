"""The Copier template (`template/` at the root of skf's source tree, shipped in the package as
`skf/_template`): where it is, its version, and the layout answers it is rendered with.
"""

import os
from pathlib import Path
from typing import Any

from skf.config import Layout
from skf.errors import ConfigError, SkfError
from skf.generate import names, renderer
from skf.generate.versions import ENV_VAR, TEMPLATE_DIR, TemplateSource, read_version
from skf.project.models import DeclarativeBaseInfo


def template_dir() -> Path:
    """The current template: the newest version of `$SKF_TEMPLATE` when that is set (see
    skf.generate.versions), else the one installed with skf."""
    if os.environ.get(ENV_VAR):
        return TemplateSource.default().current_directory()
    if not (TEMPLATE_DIR / "copier.yml").is_file():
        raise SkfError(f"skf's template is missing: {TEMPLATE_DIR / 'copier.yml'} (reinstall skf)")
    return TEMPLATE_DIR


def template_version() -> int:
    """The template's version (`_skf_template_version` in copier.yml; see CHANGELOG.md)."""
    return read_version(template_dir())


def render(part: str, data: dict[str, Any], template: Path | None = None) -> dict[str, bytes]:
    """Render the `part` ("service" or "host") of `template` (default: the current template)
    with `data` (validated answers), in this process; see skf.generate.renderer.

    Returns the rendered files by POSIX path relative to the project root.
    """
    return renderer.render(part, data, template or template_dir())


def _checked_import(key: str, value: str) -> str:
    try:
        return names.dotted_module(key, value)
    except SkfError as error:
        raise ConfigError(f"[tool.skf] {key}: {error}") from None


def _checked_name(key: str, value: str) -> str:
    try:
        return names.identifier(key, value, max_length=24)
    except SkfError as error:
        raise ConfigError(f"[tool.skf] {key}: {error}") from None


def layout_data(
    layout: Layout, base: DeclarativeBaseInfo | None, base_import: str
) -> dict[str, str]:
    """The template's layout answers: where the host keeps each piece, and its import names."""
    base_module = base.module if base is not None else f"{layout.models_import}.base"
    base_class = base.name if base is not None else "Base"
    imports = {
        "models_import": layout.models_import,
        "runtime_import": layout.runtime_import,
        "settings_import": layout.settings_import,
        "scheduler_import": layout.scheduler_import,
        "session_import": layout.session_import,
        "startup_import": layout.module_name(layout.startup_module),
        "services_import": layout.services_import,
        "base_module": base_module,
        "base_import": base_import,
    }
    identifiers = {
        "settings_class": layout.settings_class,
        "settings_instance": layout.settings_instance,
        "scheduler_name": layout.scheduler_name,
        "session_factory": layout.session_factory,
        "startup_function": layout.startup_function,
        "base_class": base_class,
    }
    return {
        "services_dir": layout.services_dir,
        "tests_dir": layout.tests_dir,
        "models_package": layout.models_package,
        "runtime_module": layout.runtime_module,
        "settings_module": layout.settings_module,
        "scheduler_module": layout.scheduler_module,
        "session_module": layout.session_module,
        "startup_module": layout.startup_module,
        "architecture_doc": layout.architecture_doc,
        "compose_file": layout.compose_file,
        "compose_service": layout.compose_service,
        **{key: _checked_import(key, value) for key, value in imports.items()},
        **{key: _checked_name(key, value) for key, value in identifiers.items()},
    }
