"""The docker-compose patch: applied, already applied, anchor missing, unusual but legal
formatting. Every line that was there stays byte for byte."""

from pathlib import Path

import pytest
from example_hosts import EXAMPLE, write_files
from generate_support import COMPOSE_ENTRIES, COMPOSE_LIST_FORM

from skf.changes import ChangeSet
from skf.errors import ProjectError
from skf.generate.compose_patch import add_environment

PATH = "docker-compose.yml"


def patch(root: Path, text: str, service: str = "app") -> ChangeSet:
    write_files(root, {PATH: text})
    changes = ChangeSet(root)
    add_environment(
        changes,
        path=PATH,
        service=service,
        entries=COMPOSE_ENTRIES,
        comment="pinger background service",
    )
    return changes


def added_lines(before: str, after: str) -> list[str]:
    """The lines `after` has that `before` lacks, asserting nothing else changed."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    remaining = list(new)
    for line in old:
        assert line in remaining, f"lost: {line!r}"
        remaining.remove(line)
    # Order of the old lines is kept too.
    assert [line for line in new if line in old] == old
    return remaining


def test_the_example_compose_file_gains_the_entries_after_the_last_one(tmp_path: Path) -> None:
    text = (EXAMPLE / PATH).read_text()
    patched = patch(tmp_path, text).read(PATH)
    assert patched is not None
    assert added_lines(text, patched) == [
        "      # pinger background service\n",
        '      PINGER_BATCH_SIZE: "50"\n',
        '      PINGER_WAKEUP_ENABLED: "false"\n',
    ]
    last = '      EMAIL_SENDER_WAKEUP_ENABLED: "true"\n'
    assert patched.index(last) < patched.index("PINGER_BATCH_SIZE") < patched.index("\n  db:\n")


def test_applying_twice_changes_nothing(tmp_path: Path) -> None:
    once = patch(tmp_path, (EXAMPLE / PATH).read_text()).read(PATH)
    assert once is not None
    assert patch(tmp_path, once).is_empty


def test_the_list_form_gets_list_items_in_its_quoting(tmp_path: Path) -> None:
    patched = patch(tmp_path, COMPOSE_LIST_FORM).read(PATH)
    assert patched is not None
    assert added_lines(COMPOSE_LIST_FORM, patched) == [
        "      # pinger background service\n",
        '      - "PINGER_BATCH_SIZE=50"\n',
        '      - "PINGER_WAKEUP_ENABLED=false"\n',
    ]
    assert patched.index("LOG_LEVEL") < patched.index("PINGER") < patched.index("ports:")


def test_plain_list_items_stay_plain(tmp_path: Path) -> None:
    text = "services:\n  app:\n    environment:\n    - A=1\n    - B=2\n"
    patched = patch(tmp_path, text).read(PATH)
    assert patched == text + (
        "    # pinger background service\n"
        "    - PINGER_BATCH_SIZE=50\n"
        "    - PINGER_WAKEUP_ENABLED=false\n"
    )


def test_unusual_indentation_comments_single_quotes_and_crlf(tmp_path: Path) -> None:
    text = (
        "version: '3.9'\r\n"
        "services:\r\n"
        "    app:\r\n"
        "        environment:\r\n"
        "            A: 'one'   # first\r\n"
        "\r\n"
        "            B: >-\r\n"
        "              folded\r\n"
        "              value\r\n"
        "        # comment about volumes\r\n"
        "        volumes: [data:/data]\r\n"
    )
    patched = patch(tmp_path, text).read(PATH)
    assert patched is not None
    assert added_lines(text, patched) == [
        "            # pinger background service\r\n",
        "            PINGER_BATCH_SIZE: '50'\r\n",
        "            PINGER_WAKEUP_ENABLED: 'false'\r\n",
    ]
    assert patched.index("value\r\n") < patched.index("PINGER") < patched.index("# comment about")


def test_a_missing_environment_is_added_to_the_service(tmp_path: Path) -> None:
    text = "services:\n  app:\n    build: .\n    command: [run]\n  db:\n    image: pg\n"
    patched = patch(tmp_path, text).read(PATH)
    assert patched == (
        "services:\n  app:\n    build: .\n    command: [run]\n"
        "    environment:\n      # pinger background service\n"
        '      PINGER_BATCH_SIZE: "50"\n      PINGER_WAKEUP_ENABLED: "false"\n'
        "  db:\n    image: pg\n"
    )


def test_an_empty_environment_key_gets_the_entries(tmp_path: Path) -> None:
    text = "services:\n  app:\n    environment:\n    build: .\n"
    patched = patch(tmp_path, text).read(PATH)
    assert patched == (
        "services:\n  app:\n    environment:\n      # pinger background service\n"
        '      PINGER_BATCH_SIZE: "50"\n      PINGER_WAKEUP_ENABLED: "false"\n    build: .\n'
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("services:\n  web:\n    image: x\n", "no service 'app' under `services:`"),
        ("version: '3'\n", "no service 'app'"),
        ("services:\n  app:\n    environment: {A: '1'}\n", "flow style"),
        ("services:\n  app:\n    environment: {}\n", "flow style"),
        ("services: [\n", "invalid YAML"),
    ],
)
def test_what_cannot_be_patched_is_refused_by_name(tmp_path: Path, text: str, reason: str) -> None:
    with pytest.raises(ProjectError, match=reason):
        patch(tmp_path, text)
    assert (tmp_path / PATH).read_text() == text


def test_a_missing_compose_file_says_to_run_init(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="skf init"):
        add_environment(
            ChangeSet(tmp_path), path=PATH, service="app", entries=COMPOSE_ENTRIES, comment="x"
        )
