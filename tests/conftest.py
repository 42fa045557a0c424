import sys
from pathlib import Path

# Helpers every test directory shares (ci_requirements, benchmark_runs, git_repos,
# example_hosts) live here; --import-mode=importlib does not put this directory on sys.path
# by itself.
sys.path.insert(0, str(Path(__file__).parent))
