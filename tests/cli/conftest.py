import sys
from pathlib import Path

# Helpers (cli_support) live next to the tests; --import-mode=importlib does not put this
# directory on sys.path by itself.
sys.path.insert(0, str(Path(__file__).parent))
