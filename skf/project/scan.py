"""One pass over the project's Python files: content hashes and a cheap text prefilter.

Parsing is what costs (libcst needs ~50 µs a line). Only files whose bytes contain a marker
of something skf looks for are ever parsed up front; everything else is reached, if at all,
by following imports from those files.
"""

import hashlib
import re
from dataclasses import dataclass, field

from skf.errors import ProjectError
from skf.project.cache import digest
from skf.project.files import ProjectFiles

# Each marker is a set of alternatives: a plain substring, and the pattern that must match
# where it occurs. The substring search (memchr-fast) rules out nearly every file; a pattern
# that begins with `\b` or an alternation gets no literal-prefix search from `re` and costs
# twenty times as much on a large tree (measured by benchmarks/check_speed.py).
MARKERS: dict[str, tuple[tuple[bytes, re.Pattern[bytes]], ...]] = {
    # A job registration: `<scheduler>.add_job(...)`.
    "registration": ((b"add_job", re.compile(rb"\badd_job\b")),),
    # A reference to a setup function (its callers: the startup code).
    "setup_reference": ((b"_scheduler", re.compile(rb"\bsetup_\w*_scheduler\b")),),
    # HTTP routes (FastAPI), where trigger endpoints and requeue APIs live.
    "route": (
        (b"APIRouter", re.compile(rb"\bAPIRouter\b")),
        (b"FastAPI", re.compile(rb"\bFastAPI\b")),
        (b"@", re.compile(rb"@\s*\w+\.(?:get|post|put|patch|delete|api_route)\s*\(")),
    ),
}


def is_marked(data: bytes, marker: str) -> bool:
    """Whether `data` holds what `marker` (one of MARKERS) looks for."""
    return any(needle in data and pattern.search(data) for needle, pattern in MARKERS[marker])


@dataclass
class Scan:
    """Every Python file of the project with its content hash, and the prefilter's answers."""

    digests: dict[str, str]
    """Relative POSIX path -> content hash."""
    _data: dict[str, bytes] = field(repr=False)
    _marked: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def tree_digest(self) -> str:
        hasher = hashlib.blake2b(digest_size=16)
        for path in sorted(self.digests):
            hasher.update(f"{path}\0{self.digests[path]}\0".encode())
        return hasher.hexdigest()

    def marked(self, marker: str) -> list[str]:
        """The files whose text contains `marker` (one of MARKERS), in path order."""
        found = self._marked.get(marker)
        if found is None:
            found = [path for path, data in sorted(self._data.items()) if is_marked(data, marker)]
            self._marked[marker] = found
        return found

    def containing(self, paths: list[str], needles: list[str]) -> list[str]:
        """Those of `paths` whose text contains every one of `needles` (plain substrings)."""
        encoded = [needle.encode() for needle in needles]
        return [
            path
            for path in paths
            if path in self._data and all(needle in self._data[path] for needle in encoded)
        ]

    def containing_any(self, paths: list[str], needles: list[str]) -> list[str]:
        """Those of `paths` whose text contains at least one of `needles`."""
        encoded = [needle.encode() for needle in needles if needle]
        return [
            path
            for path in paths
            if path in self._data and any(needle in self._data[path] for needle in encoded)
        ]

    def data(self, path: str) -> bytes | None:
        return self._data.get(path)


def scan_project(files: ProjectFiles) -> Scan:
    """Read and hash every Python file. A file that vanished or is a dangling link is
    skipped; one that exists but cannot be read is a ProjectError (it may be a service)."""
    digests: dict[str, str] = {}
    data: dict[str, bytes] = {}
    for path in files.python_files():
        try:
            content = (files.root / path).read_bytes()
        except FileNotFoundError:
            continue
        except IsADirectoryError:
            continue
        except OSError as error:
            raise ProjectError(f"{path}: cannot read: {error.strerror or error}") from None
        digests[path] = digest(content)
        data[path] = content
    return Scan(digests, data)
