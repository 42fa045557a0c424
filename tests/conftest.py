import sys
from pathlib import Path

import pytest

# Helpers every test directory shares (ci_requirements, benchmark_runs, git_repos,
# example_hosts) live here; --import-mode=importlib does not put this directory on sys.path
# by itself.
sys.path.insert(0, str(Path(__file__).parent))

from example_hosts import copy_example


@pytest.fixture
def host(tmp_path: Path) -> Path:
    """A fresh copy of example_service (the compliant host app) to change, check and break."""
    return copy_example(tmp_path / "host")
