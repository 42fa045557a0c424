import sys
from pathlib import Path

# Helpers live next to the tests (and the generator's in tests/generate); with
# --import-mode=importlib these directories are not on sys.path by themselves.
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "generate"))
