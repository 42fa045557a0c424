"""The architecture doc patch: service and enum blocks; prose outside the markers untouched."""

from pathlib import Path

import pytest
from example_hosts import EXAMPLE, write_files

from skf.archdoc import ArchitectureDoc, ServiceFacts
from skf.changes import ChangeSet
from skf.errors import ProjectError
from skf.generate.docs_patch import EnumUse, document_enum, document_service

PATH = "Docs/ARCH.md"
FACTS = ServiceFacts(
    name="widget_pinger",
    summary="Pings widgets.",
    module_path="src/services/widget_pinger_scheduler.py",
    job_function="process_pending_widgets",
    job_id="process_pending_widgets",
    setup_function="setup_widget_pinger_scheduler",
    model="Widget",
    table="widgets",
    status_column="status",
    status_enum="WidgetStatus",
    monitored="Queued",
    processing="Processing",
    completed="Completed",
    error="Error",
    env=(("WIDGET_PINGER_BATCH_SIZE", "50", "rows claimed per batch"),),
)
MEANINGS = {"Queued": "waiting", "Processing": "claimed", "Completed": "done", "Error": "failed"}


def use(enum: str = "WidgetStatus", values: tuple[str, ...] = tuple(MEANINGS)) -> EnumUse:
    return EnumUse(
        enum=enum,
        type_name="widget_status",
        place="widgets.status",
        values=values,
        meanings=MEANINGS,
        monitored="Queued",
        service="widget_pinger",
    )


def outside_blocks(text: str) -> str:
    doc = ArchitectureDoc(text)
    lines = list(doc.lines)
    for block in sorted(doc.blocks.values(), key=lambda b: b.begin, reverse=True):
        del lines[block.begin : block.end + 1]
    return "".join(line for line in lines if line.strip())


def test_the_service_block_goes_under_services_and_prose_stays(tmp_path: Path) -> None:
    text = (
        EXAMPLE / "Docs/Docs_6_Architecture_and_Status/BACKGROUND_SERVICES_ARCHITECTURE.md"
    ).read_text()
    write_files(tmp_path, {PATH: text})
    changes = ChangeSet(tmp_path)
    document_service(changes, PATH, FACTS)
    patched = changes.read(PATH)
    assert patched is not None
    assert outside_blocks(patched) == outside_blocks(text)
    assert ArchitectureDoc(patched).services()["widget_pinger"].managed
    assert patched.index("skf:end service email_sender") < patched.index("### widget_pinger")


def test_applying_twice_changes_nothing(tmp_path: Path) -> None:
    write_files(tmp_path, {PATH: "# Doc\n\n## Authoritative ENUMs\n\n## Services\n"})
    first = ChangeSet(tmp_path)
    document_service(first, PATH, FACTS)
    document_enum(first, PATH, use())
    first.apply()
    second = ChangeSet(tmp_path)
    document_service(second, PATH, FACTS)
    document_enum(second, PATH, use())
    assert second.is_empty


def test_an_undocumented_enum_gets_its_block_with_the_monitoring_service(tmp_path: Path) -> None:
    write_files(tmp_path, {PATH: "# Doc\n\nProse.\n\n## Authoritative ENUMs\n\n## Services\n"})
    changes = ChangeSet(tmp_path)
    document_enum(changes, PATH, use())
    entry = ArchitectureDoc(changes.read(PATH) or "").enums()["WidgetStatus"]
    assert entry.values == ("Queued", "Processing", "Completed", "Error")
    assert entry.managed
    assert "| `Queued` | waiting (monitored by widget_pinger) |" in (changes.read(PATH) or "")


def test_a_managed_enum_block_gains_added_statuses_and_who_monitors(tmp_path: Path) -> None:
    text = (
        EXAMPLE / "Docs/Docs_6_Architecture_and_Status/BACKGROUND_SERVICES_ARCHITECTURE.md"
    ).read_text()
    write_files(tmp_path, {PATH: text})
    changes = ChangeSet(tmp_path)
    document_enum(
        changes,
        PATH,
        EnumUse(
            enum="EmailStatus",
            type_name="email_status",
            place="email_messages.retry_status",
            values=("Queued", "Processing", "Completed", "Error", "Bounced"),
            meanings={"Bounced": "rejected by the receiving server"},
            monitored="Queued",
            service="bounce_checker",
        ),
    )
    patched = changes.read(PATH) or ""
    block = ArchitectureDoc(patched).block_text("enum", "EmailStatus") or ""
    assert (
        "| `Queued` | waiting to be claimed (monitored by email_sender, bounce_checker) |" in block
    )
    assert "| `Bounced` | rejected by the receiving server |\n" in block
    assert "`email_messages.status`, `email_messages.retry_status`." in block
    assert outside_blocks(patched) == outside_blocks(text)


def test_a_hand_written_enum_section_is_never_rewritten(tmp_path: Path) -> None:
    text = "## Authoritative ENUMs\n\n### WidgetStatus\n\n- `Queued`: waiting\n- `Error`: bad\n"
    write_files(tmp_path, {PATH: text})
    with pytest.raises(ProjectError, match="does not list Processing, Completed; add them there"):
        document_enum(ChangeSet(tmp_path), PATH, use())
    full = text.replace("- `Error`", "- `Processing`: x\n- `Completed`: y\n- `Error`")
    write_files(tmp_path, {PATH: full})
    changes = ChangeSet(tmp_path)
    document_enum(changes, PATH, use())
    assert changes.is_empty


def test_a_hand_written_service_section_is_not_duplicated(tmp_path: Path) -> None:
    write_files(tmp_path, {PATH: "## Services\n\n### widget_pinger\n\nHand-written.\n"})
    with pytest.raises(ProjectError, match="hand-written section `### widget_pinger`"):
        document_service(ChangeSet(tmp_path), PATH, FACTS)


def test_a_doc_without_the_sections_gets_them(tmp_path: Path) -> None:
    write_files(tmp_path, {PATH: "# Our services\n\nWe document everything.\n"})
    changes = ChangeSet(tmp_path)
    document_service(changes, PATH, FACTS)
    document_enum(changes, PATH, use())
    patched = changes.read(PATH) or ""
    assert patched.startswith("# Our services\n\nWe document everything.\n\n## Services\n")
    assert "## Authoritative ENUMs" in patched


def test_a_missing_doc_says_to_run_init(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="run `skf init`"):
        document_service(ChangeSet(tmp_path), PATH, FACTS)
