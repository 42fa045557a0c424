"""Add a service's environment variables to the app service in docker-compose.yml.

ruamel.yaml's round-trip parser finds where things are (the app service, its `environment`,
the line and column of its last entry) and how values are written (quoted or not); the new
entries are then inserted as lines at that place, in that style, under a
`# <service> background service` comment. Nothing else in the file changes, not even the
indentation or line wrapping of a file ruamel would dump differently, which is why the
insertion is textual. The result is parsed again and checked before it is accepted.
Both forms of `environment:` are handled: the mapping (`KEY: "value"`) and the list
(`- KEY=value`). Variables already present are left alone: applying twice changes nothing;
when some of them are present, the missing ones go after the last of those.
"""

from collections.abc import Sequence
from io import StringIO
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from skf.changes import ChangeSet
from skf.errors import ProjectError


def _load(text: str, path: str) -> Any:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    try:
        return yaml.load(StringIO(text))
    except YAMLError as error:
        raise ProjectError(f"{path}: invalid YAML: {str(error).splitlines()[0]}") from None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _entry_end(lines: list[str], line: int, column: int) -> int:
    """Index of the line after the entry starting at `line` (its continuation lines included,
    trailing blank and comment lines excluded)."""
    end = line + 1
    index = line + 1
    while index < len(lines):
        content = lines[index].strip()
        if content and not content.startswith("#"):
            if _indent(lines[index]) <= column:
                break
            end = index + 1
        index += 1
    return end


DOUBLE = '"'


def _quote(style: str, value: str) -> str:
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style == '"':
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


def _style(values: Sequence[object]) -> str:
    for value in values:
        if isinstance(value, DoubleQuotedScalarString):
            return '"'
        if isinstance(value, SingleQuotedScalarString):
            return "'"
    return ""


def _service(document: Any, path: str, service: str) -> CommentedMap:
    services = document.get("services") if isinstance(document, CommentedMap) else None
    if not isinstance(services, CommentedMap) or not isinstance(
        services.get(service), CommentedMap
    ):
        raise ProjectError(
            f"{path}: no service {service!r} under `services:` (the anchor skf adds the "
            "service's environment variables to)"
        )
    found: CommentedMap = services[service]
    return found


def _new_lines(
    env: Any,
    lines: list[str],
    entries: Sequence[tuple[str, str]],
    comment: str | None,
    newline: str,
    after: str | None = None,
) -> tuple[int, list[str]]:
    """Where to insert, and the lines to insert, for an existing block `environment`: after
    the entry named `after`, else after the last one, under `comment` if given."""
    names = _names(env)
    position = names.index(after) if after in names else len(names) - 1
    if isinstance(env, CommentedMap):
        last = list(env.keys())[position]
        line, column = env.lc.key(last)
        # Plain YAML would read 60 or true as numbers and booleans: quote those.
        style = _style(list(env.values())) or DOUBLE
        rendered = [
            f"{' ' * column}{name}: {_quote(style, value)}{newline}" for name, value in entries
        ]
    else:
        line, column = env.lc.item(position)
        column = lines[line].index("-")
        style = _style(list(env))
        rendered = [
            f"{' ' * column}- {_quote(style, f'{name}={value}')}{newline}"
            for name, value in entries
        ]
    heading = [] if comment is None else [f"{' ' * column}# {comment}{newline}"]
    return _entry_end(lines, line, column), [*heading, *rendered]


def add_environment(
    changes: ChangeSet,
    *,
    path: str,
    service: str,
    entries: Sequence[tuple[str, str]],
    comment: str,
) -> None:
    """Give the compose `service` the env vars `entries` ((name, value) in order)."""
    text = changes.read(path)
    if text is None:
        raise ProjectError(f"{path}: no such file (the compose file); run `skf init` to add it")
    newline = "\r\n" if "\r\n" in text else "\n"
    document = _load(text, path)
    app = _service(document, path, service)
    env = app.get("environment")
    present = set(_names(env))
    missing = [(name, value) for name, value in entries if name not in present]
    if not missing:
        return
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += newline
    if isinstance(env, CommentedMap | CommentedSeq) and len(env) > 0:
        if env.fa.flow_style():
            raise ProjectError(
                f"{path}: {service}.environment is written in flow style ({{...}} or [...]); "
                "write it as a block to let skf add to it"
            )
        ours = [name for name, _value in entries if name in present]
        if ours:  # some are there already (`skf update`): the rest join them, no new heading
            at, new = _new_lines(env, lines, missing, None, newline, after=ours[-1])
        else:
            at, new = _new_lines(env, lines, missing, comment, newline)
    else:
        at, new = _new_block(app, env, lines, missing, comment, newline, path, service)
    lines[at:at] = new
    patched = "".join(lines)
    _verify(patched, path, service, present, dict(missing))
    changes.write(path, patched)


def _names(env: Any) -> list[str]:
    if isinstance(env, CommentedMap):
        return [str(key) for key in env]
    if isinstance(env, CommentedSeq):
        return [str(item).split("=", 1)[0] for item in env]
    return []


def _new_block(
    app: CommentedMap,
    env: Any,
    lines: list[str],
    entries: Sequence[tuple[str, str]],
    comment: str,
    newline: str,
    path: str,
    service: str,
) -> tuple[int, list[str]]:
    """Lines for an `environment:` that is missing or empty."""
    if env is not None:
        raise ProjectError(
            f"{path}: {service}.environment is empty in flow style; write it as a block "
            "(or add one variable) to let skf add to it"
        )
    keys = list(app.keys())
    key_line, key_column = app.lc.key(keys[-1])
    inner = " " * (key_column + 2)
    body = [f"{inner}{name}: {_quote(DOUBLE, value)}{newline}" for name, value in entries]
    if "environment" in app:  # `environment:` with nothing under it
        return app.lc.key("environment")[0] + 1, [f"{inner}# {comment}{newline}", *body]
    header = f"{' ' * key_column}environment:{newline}"
    end = _entry_end(lines, key_line, key_column)
    return end, [header, f"{inner}# {comment}{newline}", *body]


def _verify(text: str, path: str, service: str, before: set[str], expected: dict[str, str]) -> None:
    env = _service(_load(text, path), path, service).get("environment")
    if isinstance(env, CommentedMap):
        found = {str(key): str(value) for key, value in env.items()}
    else:
        found = dict(str(item).split("=", 1) for item in env or [] if "=" in str(item))
    wrong = [name for name, value in expected.items() if found.get(name) != value]
    wrong += sorted(before - set(_names(env)))
    if wrong:  # the file's layout defeated the insertion: refuse rather than corrupt it
        raise ProjectError(
            f"{path}: cannot add {', '.join(wrong)} to {service}.environment safely; "
            "add them by hand"
        )


def remove_environment(
    changes: ChangeSet, *, path: str, service: str, names: Sequence[str], comment: str
) -> list[str]:
    """Remove the env vars `names` from the compose `service` (with the `# <comment>` line
    heading them, and an `environment:` left empty); returns the names removed."""
    text = changes.read(path)
    if text is None:
        return []
    app = _service(_load(text, path), path, service)
    env = app.get("environment")
    present = _names(env)
    wanted = set(names)
    removed = [name for name in present if name in wanted]
    if not removed or not isinstance(env, CommentedMap | CommentedSeq) or env.fa.flow_style():
        return []
    lines = text.splitlines(keepends=True)
    doomed: set[int] = set()
    for index, name in enumerate(present):
        if name not in removed:
            continue
        if isinstance(env, CommentedMap):
            line, column = env.lc.key(name)
        else:
            line, column = env.lc.item(index)
            column = lines[line].index("-")
        doomed.update(range(line, _entry_end(lines, line, column)))
        above = line - 1
        while above in doomed:
            above -= 1
        if above >= 0 and lines[above].strip() == f"# {comment}":
            doomed.add(above)
    if len(removed) == len(present):  # nothing left under `environment:`: it goes too
        doomed.add(app.lc.key("environment")[0])
    patched = "".join(line for index, line in enumerate(lines) if index not in doomed)
    after = _service(_load(patched, path), path, service).get("environment")
    if set(_names(after)) != set(present) - set(removed):
        raise ProjectError(
            f"{path}: cannot remove {', '.join(removed)} from {service}.environment safely; "
            "remove them by hand"
        )
    changes.write(path, patched)
    return removed
