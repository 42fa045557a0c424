"""The host project's Python files, read once and cached."""

import os
from pathlib import Path

from skf.config import Layout
from skf.errors import ProjectError
from skf.project.source import SourceFile


class ProjectFiles:
    """Lists and reads the project's Python files (layout exclusions applied)."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.root = layout.root
        self._sources: dict[str, SourceFile] = {}
        self._listing: list[str] | None = None

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
            text = (self.root / path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ProjectError(f"{path}: no such file") from None
        except (OSError, UnicodeDecodeError) as error:
            raise ProjectError(f"{path}: cannot read: {error}") from None
        source = SourceFile(path, self.layout.module_name(path), text)
        self._sources[path] = source
        return source

    def module(self, module_name: str) -> SourceFile | None:
        """The project file defining import name `module_name`, if the project has it."""
        path = self.layout.module_path(module_name)
        if not (self.root / path).is_file():
            return None
        return self.source(path)
