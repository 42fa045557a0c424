"""Template versions that stay renderable after the template has moved on.

`skf update` renders a service twice: with the template version that generated it (the merge
base) and with the current one. An installed skf only has its current `template/`, so every
released version is frozen as a compressed archive shipped inside the package:
`skf/template_history/<version>.tar.gz`, written by `skf template freeze` (a maintainer
command) from the live template.

Why archives of whole versions, and not git history, diffs between versions or copies of
the directories:
- an installed skf has no git repository, and a service may sit several versions behind, so
  each version must be renderable on its own, from what the package ships;
- a version is a few dozen kilobytes of Jinja; an archive of it is a few kilobytes and
  obviously immutable (nobody edits a `.tar.gz` by accident, while a copied directory would
  invite fixes that silently change what old services are merged against);
- archives are written deterministically (sorted entries, zeroed times and owners), and the
  release check below compares their *contents* with `template/`, never their bytes.

The discipline (`history_problems`, run by a test and by `skf template test`): the current
version's archive exists and holds exactly what `template/` holds (so a template change
without a version bump fails CI, naming the command to run), and every version in the
history has a `## <version>` entry in `template/CHANGELOG.md`. CHANGELOG.md itself is not
part of a version: it documents them all.

A `TemplateSource` maps version numbers to templates: the installed one (the live directory
for the current version, archives for older ones), or an explicit directory given with
`--template DIR` or the `SKF_TEMPLATE` environment variable (for tests and maintainers):
either one template directory (holding copier.yml), or a directory of versions, each a
subdirectory `<n>/` or an archive `<n>.tar.gz`; its highest version is the current one.

A version may declare per-service settings of its own, next to the ones every version has
(`skf.service_settings.SERVICE_SETTINGS`), under `_skf_settings` in its copier.yml:

    _skf_settings:
      - {suffix: LOG_EVERY, answer: log_every, annotation: PositiveInt, default: 10,
         meaning: "log every Nth row"}

`skf new` and `skf update` write them into Settings, the compose file and the docs like the
others.
"""

import contextlib
import functools
import gzip
import io
import os
import re
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from skf.errors import ConfigError, SkfError, UsageError
from skf.service_settings import SERVICE_SETTINGS, ServiceSetting

PACKAGE_DIR = Path(__file__).resolve().parents[1]
TEMPLATE_DIR = PACKAGE_DIR / "_template"
HISTORY_DIR = PACKAGE_DIR / "template_history"
ENV_VAR = "SKF_TEMPLATE"
CHANGELOG = "CHANGELOG.md"
FREEZE_COMMAND = "skf template freeze"

_VERSION = re.compile(r"^_skf_template_version:\s*(\d+)\s*$", re.MULTILINE)
_ARCHIVE = re.compile(r"^(\d+)\.tar\.gz$")
_SUFFIX = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$")
_ANSWER = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_ANNOTATIONS = ("PositiveInt", "PositiveFloat", "NonNegativeInt", "NonNegativeFloat", "bool")
_NOT_PART = frozenset({CHANGELOG})
"""Files of `template/` that document versions rather than make them."""


def read_version(directory: Path) -> int:
    """`_skf_template_version` of the template in `directory`."""
    copier_yml = directory / "copier.yml"
    try:
        text = copier_yml.read_text(encoding="utf-8")
    except OSError:
        raise SkfError(f"no template in {directory} (no copier.yml)") from None
    match = _VERSION.search(text)
    if match is None:
        raise SkfError(f"{copier_yml} has no _skf_template_version")
    return int(match.group(1))


def parse_copier_yml(text: str) -> Any:
    """copier.yml as data, read as Copier reads it: with PyYAML (YAML 1.1, where `yes` is a
    boolean), through libyaml's C loader when PyYAML has it. skf reads copier.yml on every
    `skf new`; the C loader takes a fifteenth of the time of a pure-Python parser."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _declared_settings(directory: Path) -> tuple[ServiceSetting, ...]:
    copier_yml = directory / "copier.yml"
    try:
        data = parse_copier_yml(copier_yml.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise SkfError(f"{copier_yml}: cannot read: {str(error).splitlines()[0]}") from None
    declared = data.get("_skf_settings") if isinstance(data, dict) else None
    if not declared:
        return ()
    if not isinstance(declared, list):
        raise SkfError(f"{copier_yml}: _skf_settings must be a list of settings")
    return tuple(_setting(copier_yml, item) for item in declared)


def _setting(where: Path, item: Any) -> ServiceSetting:
    keys = {"suffix", "answer", "annotation", "default", "meaning"}
    if not isinstance(item, dict) or set(item) != keys:
        raise SkfError(f"{where}: each _skf_settings entry has exactly {', '.join(sorted(keys))}")
    suffix, answer, annotation = str(item["suffix"]), str(item["answer"]), item["annotation"]
    default = item["default"]
    known = {s.suffix for s in SERVICE_SETTINGS} | {s.answer for s in SERVICE_SETTINGS}
    problems = [
        (not _SUFFIX.match(suffix), f"suffix {suffix!r} is not UPPER_SNAKE"),
        (not _ANSWER.match(answer), f"answer {answer!r} is not snake_case"),
        (suffix != answer.upper(), f"suffix {suffix!r} is not the answer {answer!r} upper-cased"),
        (suffix in known or answer in known, f"{suffix}/{answer} is a setting every version has"),
        (annotation not in _ANNOTATIONS, f"annotation {annotation!r} not in {_ANNOTATIONS}"),
        (
            isinstance(default, bool) != (annotation == "bool")
            or not isinstance(default, int | float),
            f"default {default!r} does not fit {annotation}",
        ),
    ]
    for failed, why in problems:
        if failed:
            raise SkfError(f"{where}: _skf_settings: {why}")
    return ServiceSetting(suffix, answer, str(annotation), default, str(item["meaning"]))


@dataclass(frozen=True)
class TemplateVersion:
    """One version of the template, ready to render (its directory exists while open)."""

    number: int
    directory: Path
    settings: tuple[ServiceSetting, ...]
    """Every per-service setting a service of this version has."""

    @classmethod
    def at(cls, directory: Path) -> "TemplateVersion":
        return cls(
            read_version(directory),
            directory,
            (*SERVICE_SETTINGS, *_declared_settings(directory)),
        )


class TemplateSource:
    """Version number -> template (a directory, or an archive extracted when opened)."""

    def __init__(self, entries: dict[int, Path], origin: str) -> None:
        if not entries:
            raise ConfigError(f"{origin}: no template versions found")
        self.entries = dict(sorted(entries.items()))
        self.origin = origin

    @property
    def current(self) -> int:
        return max(self.entries)

    @property
    def versions(self) -> list[int]:
        return list(self.entries)

    def current_directory(self) -> Path:
        location = self.entries[self.current]
        if not location.is_dir():
            raise ConfigError(
                f"{self.origin}: the newest version ({self.current}) must be a directory, "
                "not an archive"
            )
        return location

    def files(self, number: int) -> dict[str, bytes]:
        """The files of version `number` (as `template_files` reads them), without
        extracting anything; empty when the source lacks that version."""
        location = self.entries.get(number)
        if location is None:
            return {}
        return template_files(location) if location.is_dir() else archive_files(location)

    def renders_alike(
        self, old: int, new: int, sources: Callable[[str], bool], part: str = "service"
    ) -> bool:
        """Whether versions `old` and `new` render the same files from the same answers,
        as far as the template files `sources` selects (of `part`) go (see
        `render_inputs`). False when either version is not available: then nobody can
        tell."""
        if old == new:
            return True
        before, after = self.files(old), self.files(new)
        if not before or not after:
            return False
        return render_inputs(before, sources, part) == render_inputs(after, sources, part)

    @contextlib.contextmanager
    def open(self, number: int) -> Iterator[TemplateVersion]:
        """Version `number`, extracted into a temporary directory if it is an archive."""
        location = self.entries.get(number)
        if location is None:
            listed = ", ".join(map(str, self.versions))
            raise UsageError(
                f"template version {number} is not available from {self.origin} (it has {listed})"
            )
        if location.is_dir():
            yield TemplateVersion.at(location)
            return
        with tempfile.TemporaryDirectory(prefix=f"skf-template-{number}-") as directory:
            extract(location, Path(directory))
            version = TemplateVersion.at(Path(directory))
            if version.number != number:
                raise SkfError(f"{location} holds template version {version.number}")
            yield version

    # -- the sources ---------------------------------------------------------------------

    @classmethod
    def installed(cls) -> "TemplateSource":
        """The template shipped with skf: the live directory and the frozen history."""
        if not (TEMPLATE_DIR / "copier.yml").is_file():
            raise SkfError(f"skf's template is missing: {TEMPLATE_DIR / 'copier.yml'}")
        entries = archives(HISTORY_DIR)
        entries[read_version(TEMPLATE_DIR)] = TEMPLATE_DIR
        return cls(entries, "skf's template")

    @classmethod
    def from_directory(cls, path: Path) -> "TemplateSource":
        """A template directory, or a directory of versions (`<n>/`, `<n>.tar.gz`)."""
        origin = str(path)
        if not path.is_dir():
            raise ConfigError(f"template source {origin}: not a directory")
        if (path / "copier.yml").is_file():
            return cls({read_version(path): path}, origin)
        entries = archives(path)
        for child in path.iterdir():
            if child.name.isdigit() and (child / "copier.yml").is_file():
                number = read_version(child)
                if number != int(child.name):
                    raise ConfigError(f"{child}: holds template version {number}")
                entries[number] = child
        return cls(entries, origin)

    @classmethod
    def default(cls) -> "TemplateSource":
        """`$SKF_TEMPLATE` when set, else the installed template."""
        chosen = os.environ.get(ENV_VAR)
        if chosen:
            return cls.from_directory(Path(chosen))
        return cls.installed()

    @classmethod
    def given(cls, path: Path | None) -> "TemplateSource":
        """`--template DIR` if given, else the default."""
        return cls.default() if path is None else cls.from_directory(path)


def archives(directory: Path) -> dict[int, Path]:
    """The `<n>.tar.gz` archives in `directory`, by version."""
    if not directory.is_dir():
        return {}
    return {
        int(match.group(1)): child
        for child in directory.iterdir()
        if (match := _ARCHIVE.match(child.name))
    }


# -- what a rendered file depends on ------------------------------------------------------

SHARED_SOURCES = ("_macros.jinja",)
"""Template files every rendered file may use."""
_QUESTION_PROSE = frozenset({"help", "validator"})


def service_sources(name: str) -> bool:
    """The template files of the service part (what `skf new service` renders)."""
    return name.startswith("service/")


def render_inputs(
    files: dict[str, bytes], sources: Callable[[str], bool], part: str
) -> dict[str, Any]:
    """What the template files `sources` selects (of `part`, "service" or "host") render
    from, comparable across versions: those files, the shared macros, and copier.yml as data
    without the version number, the questions' help texts and validators, and, for the host
    part, without what only services use (questions asked for the service part only, the
    settings a version declares for services).

    Every version bumps `_skf_template_version`, and a version may change only the host part
    (or only a validator, which refuses answers but renders accepted ones alike); comparing
    whole versions would call every service behind after each release. Comparing these
    inputs tells whether a service (or a host file) would render differently.
    """
    inputs: dict[str, Any] = {
        name: data for name, data in files.items() if sources(name) or name in SHARED_SOURCES
    }
    config = _copier_config(files.get("copier.yml", b""))
    if isinstance(config, dict):
        config = {
            key: _without_prose(value)
            for key, value in config.items()
            if key != "_skf_template_version" and not (part == "host" and _service_only(key, value))
        }
    inputs["copier.yml"] = config
    return inputs


@functools.lru_cache(maxsize=16)
def _copier_config(data: bytes) -> Any:
    """copier.yml as data (parsed once per content: a check compares several records with
    the same versions); its bytes when it does not parse, so that any change counts."""
    try:
        return parse_copier_yml(data.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError):
        return data


def _without_prose(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k not in _QUESTION_PROSE}
    return value


def _service_only(key: str, value: Any) -> bool:
    if key == "_skf_settings":
        return True
    return isinstance(value, dict) and "part == 'service'" in str(value.get("when", ""))


# -- archives ------------------------------------------------------------------------------


def template_files(directory: Path) -> dict[str, bytes]:
    """What a version consists of: every file under `directory` but the changelog and
    Python's caches, by POSIX path."""
    found: dict[str, bytes] = {}
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        if path.is_dir() or "__pycache__" in relative.parts or path.suffix == ".pyc":
            continue
        if relative.as_posix() in _NOT_PART:
            continue
        found[relative.as_posix()] = path.read_bytes()
    return found


def archive_bytes(files: dict[str, bytes]) -> bytes:
    """A deterministic .tar.gz of `files` (sorted, no times, owners or modes of the machine)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size = len(files[name])
            info.mode = 0o644
            info.mtime = 0
            tar.addfile(info, io.BytesIO(files[name]))
    compressed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=compressed, mtime=0) as handle:
        handle.write(raw.getvalue())
    return compressed.getvalue()


def archive_files(archive: Path) -> dict[str, bytes]:
    """The files of an archive; refuses anything but plain files at relative paths."""
    found: dict[str, bytes] = {}
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for member in tar.getmembers():
                posix = PurePosixPath(member.name)
                if not member.isfile() or posix.is_absolute() or ".." in posix.parts:
                    raise SkfError(f"{archive}: unexpected entry {member.name!r}")
                handle = tar.extractfile(member)
                assert handle is not None
                found[posix.as_posix()] = handle.read()
    except (OSError, tarfile.TarError) as error:
        raise SkfError(f"{archive}: not a readable template archive ({error})") from None
    return found


def extract(archive: Path, destination: Path) -> None:
    for name, data in archive_files(archive).items():
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


# -- the release discipline ----------------------------------------------------------------


@dataclass(frozen=True)
class FreezeResult:
    version: int
    archive: Path
    written: bool
    """False: the archive already held exactly this version."""


def freeze(template: Path = TEMPLATE_DIR, history: Path = HISTORY_DIR) -> FreezeResult:
    """Write `history/<version>.tar.gz` from `template` (the maintainer's release step).

    A version, once frozen, never changes: if its archive exists with other contents, the
    template changed without a version bump, and that is refused.
    """
    version = read_version(template)
    if not _changelog_versions(template).issuperset({version}):
        raise UsageError(
            f"{template / CHANGELOG} has no `## {version}` entry: say what version {version} "
            "changes before freezing it"
        )
    files = template_files(template)
    archive = history / f"{version}.tar.gz"
    if archive.exists():
        if archive_files(archive) == files:
            return FreezeResult(version, archive, written=False)
        raise UsageError(
            f"template version {version} is already frozen with other contents; bump "
            f"_skf_template_version in {template / 'copier.yml'} (and add its CHANGELOG entry) "
            "instead of changing a released version"
        )
    history.mkdir(parents=True, exist_ok=True)
    archive.write_bytes(archive_bytes(files))
    return FreezeResult(version, archive, written=True)


def _changelog_versions(template: Path) -> set[int]:
    try:
        text = (template / CHANGELOG).read_text(encoding="utf-8")
    except OSError:
        return set()
    return {int(number) for number in re.findall(r"^## (\d+)\s*$", text, re.MULTILINE)}


def history_problems(template: Path = TEMPLATE_DIR, history: Path = HISTORY_DIR) -> list[str]:
    """What breaks the release discipline (empty: all is well), one line each."""
    problems: list[str] = []
    version = read_version(template)
    frozen = archives(history)
    archive = frozen.get(version)
    if archive is None:
        problems.append(
            f"template version {version} is not frozen: run `{FREEZE_COMMAND}` "
            f"(writes {history.name}/{version}.tar.gz)"
        )
    else:
        differing = _differences(archive_files(archive), template_files(template))
        if differing:
            problems.append(
                f"template/ differs from the frozen version {version} ({', '.join(differing)}): "
                f"bump _skf_template_version in copier.yml to {version + 1}, add a "
                f"`## {version + 1}` entry to {CHANGELOG}, then run `{FREEZE_COMMAND}`"
            )
    missing = [number for number in range(1, version) if number not in frozen]
    if missing:
        problems.append(
            f"{history.name}/ lacks version(s) {', '.join(map(str, missing))}: services "
            "generated from them could not be updated"
        )
    newer = sorted(number for number in frozen if number > version)
    if newer:
        problems.append(
            f"the history has version(s) {', '.join(map(str, newer))}, newer than "
            f"template/ ({version})"
        )
    documented = _changelog_versions(template)
    for number in sorted(set(frozen) | {version}):
        if number not in documented:
            problems.append(
                f"{CHANGELOG} has no `## {number}` entry: bumping the template version requires one"
            )
    return problems


def _differences(frozen: dict[str, bytes], live: dict[str, bytes]) -> list[str]:
    names = sorted(set(frozen) | set(live))
    changed = [name for name in names if frozen.get(name) != live.get(name)]
    return changed[:5] + ([f"{len(changed) - 5} more"] if len(changed) > 5 else [])
