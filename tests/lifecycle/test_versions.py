"""Template versions: the frozen history, the release discipline, the template sources."""

import io
import shutil
import tarfile
from pathlib import Path

import pytest

from skf.errors import SkfError, UsageError
from skf.generate.versions import (
    HISTORY_DIR,
    TEMPLATE_DIR,
    TemplateSource,
    archive_bytes,
    archive_files,
    extract,
    freeze,
    history_problems,
    read_version,
    template_files,
)

FIXTURE_V2 = Path(__file__).resolve().parents[1] / "fixtures" / "templates" / "2"


def test_the_installed_template_keeps_the_release_discipline() -> None:
    """Fails when template/ changed without a version bump (or a bump lacks its changelog
    entry or its frozen archive); the message says what to run."""
    assert history_problems() == []


@pytest.fixture
def maintained(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the template and its history, as a maintainer's checkout has them."""
    template = tmp_path / "template"
    shutil.copytree(TEMPLATE_DIR, template)
    history = tmp_path / "history"
    shutil.copytree(HISTORY_DIR, history)
    return template, history


CURRENT = read_version(TEMPLATE_DIR)
NEXT = CURRENT + 1


def _bump(template: Path, changelog: bool) -> None:
    copier = template / "copier.yml"
    copier.write_text(
        copier.read_text().replace(
            f"_skf_template_version: {CURRENT}", f"_skf_template_version: {NEXT}"
        )
    )
    if changelog:
        with (template / "CHANGELOG.md").open("a") as handle:
            handle.write(f"\n## {NEXT}\n\n- the setup docstring says more.\n")


def test_changing_the_template_without_a_bump_fails_with_the_command(
    maintained: tuple[Path, Path],
) -> None:
    template, history = maintained
    module = next((template / "service").rglob("*_scheduler.py.jinja"))
    module.write_text(module.read_text().replace("Register the", "Registers the"))
    (problem,) = history_problems(template, history)
    assert problem.startswith(f"template/ differs from the frozen version {CURRENT} (service/")
    assert problem.endswith(
        f"bump _skf_template_version in copier.yml to {NEXT}, add a `## {NEXT}` entry to "
        "CHANGELOG.md, then run `skf template freeze`"
    )
    with pytest.raises(UsageError, match="already frozen with other contents"):
        freeze(template, history)


def test_a_bump_needs_its_changelog_entry_and_its_archive(maintained: tuple[Path, Path]) -> None:
    template, history = maintained
    _bump(template, changelog=False)
    assert history_problems(template, history) == [
        f"template version {NEXT} is not frozen: run `skf template freeze` "
        f"(writes history/{NEXT}.tar.gz)",
        f"CHANGELOG.md has no `## {NEXT}` entry: bumping the template version requires one",
    ]
    with pytest.raises(UsageError, match=f"has no `## {NEXT}` entry"):
        freeze(template, history)
    _bump(template, changelog=True)
    result = freeze(template, history)
    assert (result.version, result.written) == (NEXT, True)
    assert history_problems(template, history) == []
    assert freeze(template, history).written is False  # frozen already, same contents
    assert archive_files(history / f"{NEXT}.tar.gz") == template_files(template)
    assert "CHANGELOG.md" not in archive_files(history / f"{NEXT}.tar.gz")


def test_a_lost_archive_of_an_older_version_is_reported(maintained: tuple[Path, Path]) -> None:
    template, history = maintained
    _bump(template, changelog=True)
    freeze(template, history)
    (history / "1.tar.gz").unlink()
    assert history_problems(template, history) == [
        "history/ lacks version(s) 1: services generated from them could not be updated"
    ]


def test_every_released_version_is_kept_and_renderable() -> None:
    source = TemplateSource.installed()
    assert source.versions == list(range(1, CURRENT + 1))
    for number in source.versions:
        with source.open(number) as version:
            assert version.number == number


def test_archives_are_deterministic_and_hold_only_plain_files(tmp_path: Path) -> None:
    files = {"copier.yml": b"_skf_template_version: 7\n", "service/a.jinja": b"{{ x }}\n"}
    assert archive_bytes(files) == archive_bytes(dict(reversed(files.items())))
    evil = tmp_path / "7.tar.gz"
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        info = tarfile.TarInfo("../escape")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    evil.write_bytes(raw.getvalue())
    with pytest.raises(SkfError, match=r"unexpected entry '\.\./escape'"):
        archive_files(evil)


def test_a_directory_source_serves_directories_and_archives(tmp_path: Path) -> None:
    shutil.copy(HISTORY_DIR / "1.tar.gz", tmp_path / "1.tar.gz")
    extract(HISTORY_DIR / "1.tar.gz", tmp_path / "2")
    shutil.copytree(FIXTURE_V2, tmp_path / "2", dirs_exist_ok=True)
    source = TemplateSource.from_directory(tmp_path)
    assert (source.versions, source.current) == ([1, 2], 2)
    assert source.current_directory() == tmp_path / "2"
    with source.open(1) as first:
        assert first.number == 1
        assert (first.directory / "copier.yml").is_file()
        assert [s.answer for s in first.settings][-1] == "wakeup_enabled"
        opened = first.directory
    assert not opened.exists()  # extracted for the while only
    with source.open(2) as second:
        jitter = second.settings[-1]
        assert (jitter.env_name("widget"), jitter.annotation, jitter.default) == (
            "WIDGET_JITTER_SECONDS",
            "NonNegativeInt",
            5,
        )
    missing = r"template version 3 is not available from .* \(it has 1, 2\)"
    with pytest.raises(UsageError, match=missing), source.open(3):
        pass


def test_a_single_template_directory_is_a_source_of_its_one_version() -> None:
    source = TemplateSource.from_directory(TEMPLATE_DIR)
    assert source.versions == [source.current]


BAD_SETTINGS = [
    ("{suffix: lower, answer: lower, annotation: PositiveInt, default: 1, meaning: m}", "UPPER"),
    (
        "{suffix: BATCH_SIZE, answer: batch_size, annotation: PositiveInt, default: 1, meaning: m}",
        "every",
    ),
    ("{suffix: X, answer: x, annotation: str, default: 1, meaning: m}", "annotation 'str'"),
    ("{suffix: X, answer: x, annotation: bool, default: 1, meaning: m}", "does not fit bool"),
    ("{suffix: X, answer: x}", "exactly"),
    ("{suffix: Y, answer: x, annotation: bool, default: true, meaning: m}", "upper-cased"),
]


@pytest.mark.parametrize(("entry", "reason"), BAD_SETTINGS)
def test_declared_settings_are_validated(tmp_path: Path, entry: str, reason: str) -> None:
    template = tmp_path / "9"
    template.mkdir()
    (template / "copier.yml").write_text(f"_skf_template_version: 9\n_skf_settings:\n  - {entry}\n")
    with pytest.raises(SkfError, match=reason), TemplateSource.from_directory(tmp_path).open(9):
        pass
