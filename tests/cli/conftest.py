import shutil
import sys
from pathlib import Path

import pytest

# Helpers (cli_support) live next to the tests; --import-mode=importlib does not put this
# directory on sys.path by itself.
sys.path.insert(0, str(Path(__file__).parent))

EXAMPLE = Path(__file__).resolve().parents[2] / "example_service"
_JUNK = shutil.ignore_patterns(
    "__pycache__", "*.pyc", "*.db", "*.db-journal", ".skf-cache", "outbox", ".pytest_cache"
)


@pytest.fixture
def host(tmp_path: Path) -> Path:
    """A fresh copy of example_service (the compliant host app) to check and break."""
    destination = tmp_path / "host"
    shutil.copytree(EXAMPLE, destination, ignore=_JUNK)
    return destination
