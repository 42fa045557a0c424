import sys
from pathlib import Path

import pytest
from example_hosts import copy_example

# Helpers (cli_support) live next to the tests; --import-mode=importlib does not put this
# directory on sys.path by itself.
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def host(tmp_path: Path) -> Path:
    """A fresh copy of example_service (the compliant host app) to check and break."""
    return copy_example(tmp_path / "host")
