"""The service and host records read back what they wrote, and refuse a broken file with one
line naming it."""

import pytest

from skf.errors import ProjectError
from skf.generate import host_record, record
from skf.generate.host_record import HOST_RECORD, HostRecord


def test_both_records_round_trip() -> None:
    service = record.ServiceRecord(
        service="widget_pinger",
        template_version=3,
        answers={"service_name": "widget_pinger"},
        settings={"interval_seconds": 60},
        added_statuses=[],
        created=["src/services/widget_pinger_scheduler.py"],
        modified=[],
    )  # lists, as a record reads them back
    text = record.dump(service)
    assert text.startswith(record.HEADER)
    assert record.load(text, ".skf/services/widget_pinger.yml") == service
    host = HostRecord({"src/status_queue.py": 3, "tests/conftest.py": 2})
    text = host_record.dump(host)
    assert text.startswith(host_record.HEADER)
    assert host_record.load(text) == host


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("files: [\n", "invalid YAML"),
        ("- a list\n", "not an skf {kind} record (record_version 1)"),
        ("record_version: 2\n", "not an skf {kind} record (record_version 1)"),
    ],
)
def test_a_broken_record_is_one_line_naming_its_file(text: str, message: str) -> None:
    path = ".skf/services/widget_pinger.yml"
    with pytest.raises(ProjectError) as service_error:
        record.load(text, path)
    assert str(service_error.value).startswith(f"{path}: {message.format(kind='service')}")
    with pytest.raises(ProjectError) as host_error:
        host_record.load(text)
    assert str(host_error.value).startswith(f"{HOST_RECORD}: {message.format(kind='host')}")
    assert "\n" not in str(service_error.value) + str(host_error.value)
