"""The environment docker-compose gives each service: `environment` (mapping or `KEY=value`
list) and the `env_file`s that exist, with the line of every entry."""

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from skf.errors import ProjectError


@dataclass(frozen=True)
class EnvEntry:
    name: str
    value: str | None
    path: str
    """The compose file or the env file that sets it (relative POSIX)."""
    line: int | None
    """1-based."""


@dataclass
class ComposeService:
    name: str
    line: int
    environment: dict[str, EnvEntry] = field(default_factory=dict)
    """Env var name -> entry; `environment` wins over `env_file`, as in docker compose."""
    environment_line: int | None = None
    env_files: list[str] = field(default_factory=list)
    """The env files it names that exist (relative POSIX)."""


@dataclass
class ComposeInfo:
    path: str
    services: dict[str, ComposeService]
    inputs: list[str] = field(default_factory=list)
    """Every file read (the compose file and its env files): what a cached result depends on."""

    def set_elsewhere(
        self, env_key: str, except_service: str, *, case_sensitive: bool
    ) -> list[str]:
        """The other services that set `env_key`."""
        return [
            name
            for name, service in self.services.items()
            if name != except_service
            and any(_key(n, case_sensitive) == env_key for n in service.environment)
        ]


def _key(name: str, case_sensitive: bool) -> str:
    return name if case_sensitive else name.upper()


def read_compose(root: Path, relative: str) -> ComposeInfo | None:
    """The compose file at `relative` under `root`; None when it does not exist.

    ProjectError when it cannot be read or is not valid YAML."""
    file = root / relative
    if not file.is_file():
        return None
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ProjectError(f"{relative}: cannot read: {error}") from None
    try:
        document = YAML(typ="rt").load(text)
    except YAMLError as error:
        raise ProjectError(f"{relative}: invalid YAML: {_one_line(error)}") from None
    info = ComposeInfo(relative, {}, [relative])
    services = document.get("services") if isinstance(document, dict) else None
    if not isinstance(services, dict):
        return info
    base = PurePosixPath(relative).parent
    for name, body in services.items():
        line = _line(services, name)
        service = ComposeService(str(name), line or 1)
        if isinstance(body, dict):
            for env_file in _env_files(body.get("env_file")):
                path = str(base / env_file) if str(base) != "." else env_file
                if (root / path).is_file():
                    service.env_files.append(path)
                    info.inputs.append(path)
                    service.environment.update(_read_env_file(root, path))
            environment = body.get("environment")
            if environment is not None:
                service.environment_line = _line(body, "environment")
                service.environment.update(_environment(environment, relative))
        info.services[str(name)] = service
    return info


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


def _line(mapping: Any, key: Any) -> int | None:
    try:
        return int(mapping.lc.key(key)[0]) + 1
    except (AttributeError, KeyError, TypeError):
        return None


def _env_files(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        found: list[str] = []
        for item in value:
            if isinstance(item, str):
                found.append(item)
            elif isinstance(item, dict) and isinstance(item.get("path"), str):
                found.append(item["path"])
        return found
    return []


def _environment(value: Any, path: str) -> dict[str, EnvEntry]:
    entries: dict[str, EnvEntry] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            text = None if item is None else _scalar(item)
            entries[str(key)] = EnvEntry(str(key), text, path, _line(value, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if not isinstance(item, str):
                continue
            key, separator, text = item.partition("=")
            line = None
            try:
                line = int(value.lc.item(index)[0]) + 1  # type: ignore[attr-defined]
            except (AttributeError, KeyError, TypeError):
                line = None
            entries[key.strip()] = EnvEntry(key.strip(), text if separator else None, path, line)
    return entries


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _read_env_file(root: Path, path: str) -> dict[str, EnvEntry]:
    try:
        text = (root / path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ProjectError(f"{path}: cannot read: {error}") from None
    entries: dict[str, EnvEntry] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, separator, value = line.partition("=")
        if not separator or not key.strip():
            continue
        entries[key.strip()] = EnvEntry(key.strip(), value.strip().strip("'\""), path, number)
    return entries
