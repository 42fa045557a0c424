"""An installed skf (not only an editable checkout) carries its Copier template."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from skf.generate.template import template_version

ROOT = Path(__file__).parents[2]


@pytest.mark.slow
def test_the_wheel_ships_the_template(tmp_path: Path) -> None:
    # Build from a copy: an in-tree build would leave build/ behind in the checkout.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("skf", "template"):
        shutil.copytree(
            ROOT / name, source / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__")
        )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("skf-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {n.removeprefix("skf/_template/") for n in names if n.startswith("skf/_template/")}
    on_disk = {
        p.relative_to(ROOT / "template").as_posix()
        for p in (ROOT / "template").rglob("*")
        if p.is_file()
    }
    assert shipped == on_disk
    copier_yml = zipfile.ZipFile(wheel).read("skf/_template/copier.yml").decode()
    assert f"_skf_template_version: {template_version()}" in copier_yml
