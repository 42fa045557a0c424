"""The records of generated services (`.skf/services/<name>.yml`), read back for update and
remove: which services skf generated, and the ServiceSpec their answers give today."""

import dataclasses
import hashlib
from typing import Any

from skf.config import Layout
from skf.errors import ProjectError, UsageError
from skf.generate import record
from skf.generate.host_record import HOST_RECORD
from skf.generate.spec import ServiceSpec, resolve
from skf.generate.template import template_version
from skf.project.files import ProjectFiles
from skf.service_settings import SERVICE_SETTINGS
from skf.vocabulary import ROLES

_SPEC_ANSWERS = ("summary", "entity", "job_function", "handler_function", "queue_name")


def load_record(layout: Layout, name: str) -> record.ServiceRecord:
    path = record.record_path(name)
    loaded = record.read(layout, name)
    if loaded is None:
        known = ", ".join(record.names(layout)) or "none"
        raise UsageError(
            f"no record {path}: skf works only on services it generated and recorded "
            f"(recorded services: {known})"
        )
    if loaded.service != name:
        raise ProjectError(f"{path}: records service {loaded.service!r}, not {name!r}")
    return loaded


def _answers(recorded: record.ServiceRecord) -> dict[str, Any]:
    """The `skf new service` answers that reproduce `recorded` (statuses by value)."""
    given = recorded.answers
    answers: dict[str, Any] = {"service_name": recorded.service}
    answers.update({key: given[key] for key in _SPEC_ANSWERS if key in given})
    answers["statuses"] = [str(given[f"{role.value}_value"]) for role in ROLES]
    answers["status_column"] = given["status_column"]
    if given["new_model"]:
        answers["new_model"] = given["model_class"]
        answers["table"] = given["table"]
        answers["status_enum"] = given["status_enum"]
        answers["enum_type_name"] = given["enum_type_name"]
    else:
        answers["model"] = f"{given['model_module']}:{given['model_class']}"
    known = {setting.answer for setting in SERVICE_SETTINGS}
    answers.update({k: v for k, v in recorded.settings.items() if k in known})
    return answers


def spec_from_record(
    layout: Layout, recorded: record.ServiceRecord, files: ProjectFiles | None = None
) -> ServiceSpec:
    """The recorded answers resolved against the project as it is now.

    Raises ProjectError when the code no longer matches the record (the model or its status
    column renamed, say): updating or removing by the record would then edit the wrong
    things.
    """
    path = record.record_path(recorded.service)
    try:
        answers = _answers(recorded)
        spec = resolve(layout, answers, files)
    except KeyError as missing:
        raise ProjectError(f"{path}: the record lacks the answer {missing}") from None
    except UsageError as error:
        raise ProjectError(
            f"service {recorded.service} no longer matches its record {path}: {error}"
        ) from None
    now = spec.template_data()
    for key, value in recorded.answers.items():
        if key in now and now[key] != value:
            raise ProjectError(
                f"service {recorded.service} no longer matches its record {path}: "
                f"{key} is {now[key]!r} in the code, {value!r} in the record"
            )
    settings = {**spec.settings, **recorded.settings}
    return dataclasses.replace(spec, settings=settings)


def template_state(layout: Layout) -> str:
    """A digest of what tells whether generated services and the host's files are behind:
    the current template version, every service record and the host record (the check
    engine keys its cached results on it)."""
    hasher = hashlib.blake2b(str(template_version()).encode(), digest_size=16)
    files = [layout.path(record.record_path(name)) for name in record.names(layout)]
    for file in [*files, layout.path(HOST_RECORD)]:
        hasher.update(b"\0" + file.name.encode() + b"\0")
        try:
            hasher.update(file.read_bytes())
        except OSError:
            hasher.update(b"unreadable")
    return hasher.hexdigest()
