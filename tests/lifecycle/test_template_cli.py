"""`skf template test` and `skf template freeze` (exit codes and output). `make test` runs
`skf template test --quick` on skf's own template; these run it on a broken copy."""

import shutil
from pathlib import Path

from generate_support import cli, one_line_error

from skf.generate.versions import HISTORY_DIR, TEMPLATE_DIR, read_version


def test_a_template_that_generates_a_non_compliant_service_fails(tmp_path: Path) -> None:
    broken = tmp_path / "template"
    shutil.copytree(TEMPLATE_DIR, broken)
    module = next((broken / "service").rglob("*_scheduler.py.jinja"))
    text = module.read_text()
    assert text.count(".with_for_update(skip_locked=True)") == 1
    module.write_text(text.replace(".with_for_update(skip_locked=True)", ".with_for_update()"))

    result = cli("template", "test", "--only", "new-model", "--template", str(broken))
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"template v{read_version(broken)} ({broken})"
    header, row = lines[1], lines[2]
    assert header.split() == [
        "combination", "host", "generate", "skf", "check", "sqlite", "postgresql"
    ]  # fmt: skip
    assert row.split()[:5] == ["new-model", "init", "ok", "1", "finding"]
    assert any(
        line.startswith("new-model: SKF102 src/services/widget_pinger_scheduler.py:")
        for line in lines
    ), result.output
    assert lines[-1] == "0 passed, 1 failed"


def test_an_unknown_combination_is_a_usage_error() -> None:
    line = one_line_error(cli("template", "test", "--only", "nope"))
    assert line.startswith("skf: error: no combination nope; known: new-model, ")


def test_freeze_writes_a_bumped_version_once(tmp_path: Path) -> None:
    template, history = tmp_path / "template", tmp_path / "history"
    shutil.copytree(TEMPLATE_DIR, template)
    shutil.copytree(HISTORY_DIR, history)
    current = read_version(template)
    args = ("template", "freeze", "--template", str(template), "--history", str(history))
    assert cli(*args).output == f"nothing to do: template v{current} is frozen as it is\n"

    copier = template / "copier.yml"
    copier.write_text(
        copier.read_text().replace(
            f"_skf_template_version: {current}", f"_skf_template_version: {current + 1}"
        )
    )
    line = one_line_error(cli(*args))
    assert line.endswith(f"has no `## {current + 1}` entry: say what version {current + 1} "
                         "changes before freezing it")  # fmt: skip
    with (template / "CHANGELOG.md").open("a") as changelog:
        changelog.write(f"\n## {current + 1}\n\n- nothing, really.\n")
    result = cli(*args)
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"froze template v{current + 1} into {history / f'{current + 1}.tar.gz'}\n"
    )
