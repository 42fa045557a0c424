"""Small host trees for checker tests, built per test (Copier style): a copy of the reference
host (example_service) with files overlaid, or a tree made only of the files a test gives."""

import re
import shutil
from collections.abc import Mapping
from pathlib import Path

from example_hosts import copy_example, write_files

from skf.check.rules._reference import REFERENCE_SERVICE, SERVICE


def remove_service(host: Path, name: str) -> None:
    """Delete a service's module and tests and its startup call (as `skf` would remove it)."""
    (host / f"src/services/{name}_scheduler.py").unlink()
    (host / f"tests/services/test_{name}.py").unlink(missing_ok=True)
    main = host / "src/main.py"
    main.write_text(
        "".join(
            line
            for line in main.read_text().splitlines(keepends=True)
            if not re.search(rf"\bsetup_{name}_scheduler\b", line)
        )
    )


def rule_host(destination: Path, files: Mapping[str, str] = {}) -> Path:
    """The base of every rule example: the reference host with only the email_sender service
    (as the examples show it) and without the slow PostgreSQL integration tests, with
    `files` overlaid."""
    host = copy_example(destination)
    shutil.rmtree(host / "tests" / "integration", ignore_errors=True)
    remove_service(host, "sitemap_scanner")
    write_files(host, {SERVICE: REFERENCE_SERVICE})
    return write_files(host, files)


def small_host(destination: Path, files: Mapping[str, str]) -> Path:
    """A host made of nothing but `files` (default layout unless a pyproject says otherwise)."""
    destination.mkdir(parents=True, exist_ok=True)
    return write_files(destination, files)
