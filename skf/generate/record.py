"""The record skf keeps of every generated service: `.skf/services/<name>.yml`.

`skf new service` writes it in the same change as the service; `skf update` and `skf remove`
read it to know what was generated, from which template version, with which answers. Format
(YAML, one mapping):

    record_version: 1          # the format of this file
    service: sitemap_scanner
    skf_version: 0.1.0         # the skf that wrote it
    template_version: 1        # `_skf_template_version` of template/copier.yml
    answers:                   # exactly what the template was rendered with (service part;
      service_name: ...        #   the layout answers come from [tool.skf] at render time)
    settings:                  # the settings' defaults: answer name -> value
      interval_seconds: 60
    added_statuses: []         # enum members added with --add-status: {member, value}
    files:
      created: [...]           # files the service brought (POSIX, relative to the root)
      modified: [...]          # shared files it patched

The file is written by this module only; hand edits that break the format are reported as
errors when it is read.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from io import StringIO
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from skf import __version__
from skf.config import Layout
from skf.errors import ProjectError

RECORD_VERSION = 1
RECORDS_DIR = ".skf/services"
HEADER = (
    "# Written by skf when it generated this service; `skf update` and `skf remove` read it.\n"
    "# Format: skf/generate/record.py.\n"
)


@dataclass(frozen=True)
class ServiceRecord:
    service: str
    template_version: int
    answers: Mapping[str, Any]
    settings: Mapping[str, int | float | bool]
    added_statuses: Sequence[Mapping[str, str]] = ()
    created: Sequence[str] = ()
    modified: Sequence[str] = ()
    skf_version: str = __version__
    record_version: int = RECORD_VERSION

    def same_answers(self, other: "ServiceRecord") -> bool:
        """Whether `other` was asked for with the same answers (versions aside)."""
        return (
            dict(self.answers) == dict(other.answers)
            and dict(self.settings) == dict(other.settings)
            and list(map(dict, self.added_statuses)) == list(map(dict, other.added_statuses))
        )


def record_path(service: str) -> str:
    return f"{RECORDS_DIR}/{service}.yml"


def names(layout: Layout) -> list[str]:
    """Every service of the project at `layout` with a record, by name."""
    directory = layout.path(RECORDS_DIR)
    if not directory.is_dir():
        return []
    return sorted(file.stem for file in directory.glob("*.yml"))


def read(layout: Layout, service: str) -> "ServiceRecord | None":
    """The record of `service`, None when it has none; ProjectError when it is broken."""
    path = record_path(service)
    file = layout.path(path)
    if not file.is_file():
        return None
    return load(file.read_text(encoding="utf-8"), path)


def others(layout: Layout, service: str) -> list["ServiceRecord"]:
    """The records of every service of the project but `service`."""
    found = (read(layout, name) for name in names(layout) if name != service)
    return [other for other in found if other is not None]


def dump(record: ServiceRecord) -> str:
    data = {
        "record_version": record.record_version,
        "service": record.service,
        "skf_version": record.skf_version,
        "template_version": record.template_version,
        "answers": dict(record.answers),
        "settings": dict(record.settings),
        "added_statuses": [dict(status) for status in record.added_statuses],
        "files": {"created": list(record.created), "modified": list(record.modified)},
    }
    return write_yaml(HEADER, data)


def write_yaml(header: str, data: Mapping[str, Any]) -> str:
    """A record's text: `header` (comments), then `data` in block style, keys in the given
    order (the service and host records are both written this way)."""
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    stream = StringIO()
    yaml.dump(dict(data), stream)
    return header + stream.getvalue()


def read_yaml(text: str, path: str, kind: str, version: int) -> dict[str, Any]:
    """A record's mapping, once its YAML and its `record_version` (`version`, the format of
    that kind of record) are checked; ProjectError naming `path` and `kind` otherwise."""
    try:
        data = YAML(typ="safe", pure=True).load(text)
    except YAMLError as error:
        raise ProjectError(f"{path}: invalid YAML: {str(error).splitlines()[0]}") from None
    if not isinstance(data, dict) or data.get("record_version") != version:
        raise ProjectError(f"{path}: not an skf {kind} record (record_version {version})")
    return data


def load(text: str, path: str) -> ServiceRecord:
    data = read_yaml(text, path, "service", RECORD_VERSION)
    try:
        files = data.get("files") or {}
        return ServiceRecord(
            service=str(data["service"]),
            template_version=int(data["template_version"]),
            answers=dict(data["answers"]),
            settings=dict(data["settings"]),
            added_statuses=[dict(status) for status in data.get("added_statuses") or []],
            created=list(files.get("created") or []),
            modified=list(files.get("modified") or []),
            skf_version=str(data.get("skf_version", "")),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ProjectError(f"{path}: malformed service record ({error})") from None
