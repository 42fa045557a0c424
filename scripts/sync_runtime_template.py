"""Re-cut the template's runtime module from example_service's `src/status_queue.py`.

example_service is where the runtime is developed and tested; the template renders it into
hosts (`skf init`). Run this after changing example_service/src/status_queue.py, then
`pytest tests/generate/test_template_identity.py` proves the two agree byte for byte.

    python scripts/sync_runtime_template.py
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "example_service" / "src" / "status_queue.py"
TARGET = ROOT / "template" / "host" / "{{ runtime_module }}.jinja"
# The one host-specific line: the runtime logs under its own import name.
LOGGER_LINE = 'logger = logging.getLogger("src.status_queue")\n'


def template_text(source: str) -> str:
    if source.count(LOGGER_LINE) != 1:
        raise SystemExit(f"{SOURCE}: expected exactly one line {LOGGER_LINE.strip()!r}")
    if "{% endraw %}" in source:
        raise SystemExit(f"{SOURCE}: contains '{{% endraw %}}', which cannot be kept raw")
    before, after = source.split(LOGGER_LINE)
    return (
        "{% raw %}" + before + "{% endraw %}"
        'logger = logging.getLogger("{{ runtime_import }}")\n'
        "{% raw %}" + after + "{% endraw %}"
    )


def main() -> int:
    text = template_text(SOURCE.read_text(encoding="utf-8"))
    if TARGET.is_file() and TARGET.read_text(encoding="utf-8") == text:
        print(f"{TARGET.relative_to(ROOT)} is up to date")
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
