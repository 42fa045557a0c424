"""The host project's Python files, read once and cached."""

import hashlib
import io
import os
import tokenize
from collections import OrderedDict
from pathlib import Path

from skf.config import Layout
from skf.errors import ProjectError
from skf.project.source import ParseFailure, SourceFile


def decode_source(path: str, data: bytes) -> str:
    """Python source bytes as text, honouring a PEP 263 coding cookie (UTF-8 otherwise).

    Raises ParseFailure, like Python itself does, when the bytes are not valid in the declared
    encoding (or the cookie names no encoding).
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        raise ParseFailure(path, error.lineno or 1, 1, str(error.msg)) from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ParseFailure(path, line, 1, f"cannot decode as {encoding}: {error.reason}") from None
    return text.removeprefix("\ufeff")


_PARSED_LIMIT = 512
_parsed: OrderedDict[tuple[str, str, str], SourceFile] = OrderedDict()
"""Sources already parsed in this process, by (path, import name, content hash): a syntax
tree and its metadata depend on nothing else, and repeated checks of the same tree (tests,
`--fix` re-checking) then parse each file once."""


def _shared_source(path: str, module_name: str, data: bytes) -> SourceFile | None:
    key = (path, module_name, hashlib.blake2b(data, digest_size=16).hexdigest())
    found = _parsed.get(key)
    if found is not None:
        _parsed.move_to_end(key)
    return found


def _remember(path: str, module_name: str, data: bytes, source: SourceFile) -> None:
    key = (path, module_name, hashlib.blake2b(data, digest_size=16).hexdigest())
    _parsed[key] = source
    while len(_parsed) > _PARSED_LIMIT:
        _parsed.popitem(last=False)


class ProjectFiles:
    """Lists and reads the project's Python files (layout exclusions applied)."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.root = layout.root
        self._sources: dict[str, SourceFile] = {}
        self._listing: list[str] | None = None
        self.parse_failures: dict[str, ParseFailure] = {}
        """Files that `parsed()` found not to be valid Python, by path."""

    def python_files(self) -> list[str]:
        if self._listing is None:
            excluded = set(self.layout.exclude)
            found: list[str] = []
            for directory, subdirectories, files in os.walk(self.root):
                subdirectories[:] = sorted(
                    d for d in subdirectories if d not in excluded and not d.startswith(".")
                )
                base = Path(directory).relative_to(self.root)
                found.extend(
                    (base / name).as_posix() for name in sorted(files) if name.endswith(".py")
                )
            self._listing = found
        return self._listing

    def source(self, path: str) -> SourceFile:
        """The file at `path` (relative POSIX). Raises ProjectError when unreadable."""
        cached = self._sources.get(path)
        if cached is not None:
            return cached
        try:
            data = (self.root / path).read_bytes()
        except FileNotFoundError:
            raise ProjectError(f"{path}: no such file") from None
        except OSError as error:
            raise ProjectError(f"{path}: cannot read: {error}") from None
        try:
            module_name = self.layout.module_name(path)
        except ValueError:  # outside source_root: not importable by that name
            module_name = path.removesuffix(".py").replace("/", ".")
        shared = _shared_source(path, module_name, data)
        if shared is not None:
            self._sources[path] = shared
            return shared
        try:
            source = SourceFile(path, module_name, decode_source(path, data))
        except ParseFailure as failure:
            source = SourceFile(path, module_name, "", failure=failure)
        _remember(path, module_name, data, source)
        self._sources[path] = source
        return source

    def parsed(self, path: str, *, names: bool = True) -> SourceFile | None:
        """The file at `path` with its syntax tree built (and, with `names`, its names and
        positions resolved), or None when it is not valid Python (the failure is kept in
        `parse_failures`, to be reported)."""
        if path in self.parse_failures:
            return None
        source = self.source(path)
        try:
            if names:
                source.analyse()
            else:
                source.module  # noqa: B018 - parses, or raises ParseFailure
        except ParseFailure as failure:
            self.parse_failures[path] = failure
            return None
        return source

    def module(self, module_name: str) -> SourceFile | None:
        """The project file defining import name `module_name`, if the project has it."""
        path = self.module_file(module_name)
        return None if path is None else self.source(path)

    def module_file(self, module_name: str) -> str | None:
        """The relative path of the file defining import name `module_name`, if any."""
        if not module_name or any(not part.isidentifier() for part in module_name.split(".")):
            return None
        path = self.layout.module_path(module_name)
        return path if (self.root / path).is_file() else None

    def is_package(self, module_name: str) -> bool:
        """Whether `module_name` is a directory of the project (a package, with or without
        `__init__.py`)."""
        if not module_name or any(not part.isidentifier() for part in module_name.split(".")):
            return False
        base = Path(self.layout.source_root, *module_name.split("."))
        return (self.root / base).is_dir()
