"""Answers are validated identifiers or plain values before any rendering: nothing an answer
says can reach the template as Jinja or as code."""

import pytest

from skf.errors import UsageError
from skf.generate import names


@pytest.mark.parametrize(
    "value", ["sitemap_scanner", "x", "a1", "email_sender_2", "s" * names.MAX_SERVICE]
)
def test_snake_case_names(value: str) -> None:
    assert names.snake_name("service name", value, max_length=names.MAX_SERVICE) == value


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("SitemapScanner", "snake_case"),
        ("sitemap-scanner", "snake_case"),
        ("_private", "snake_case"),
        ("double__underscore", "snake_case"),
        ("trailing_", "snake_case"),
        ("1st", "snake_case"),
        ("", "snake_case"),
        ("class", "keyword"),
        ("match", "keyword"),  # a soft keyword
        ("a/b", "path separators"),
        ("a\\b", "path separators"),
        ("..", "path separators"),
        ("a..b", "path separators"),
        ("s" * (names.MAX_SERVICE + 1), "at most"),
        ("{{ 7 * 7 }}", "snake_case"),
        ("x{%raw%}", "snake_case"),
        ("name\nimport os", "snake_case"),
    ],
)
def test_names_that_are_refused(value: str, reason: str) -> None:
    with pytest.raises(UsageError, match=reason) as refused:
        names.snake_name("service name", value, max_length=names.MAX_SERVICE)
    assert "\n" not in str(refused.value).replace(repr(value), "")


def test_module_level_names_may_not_shadow_builtins() -> None:
    with pytest.raises(UsageError, match="shadow the Python builtin"):
        names.snake_name("handler_function", "print", module_level=True)
    assert names.snake_name("status_column", "id") == "id"  # an attribute shadows nothing


@pytest.mark.parametrize("value", ["Widget", "EmailMessage", "HTTPCheck", "A1b"])
def test_class_names(value: str) -> None:
    assert names.class_name("new_model", value) == value


@pytest.mark.parametrize("value", ["widget", "URL", "Wid-get", "Wid get", "Widget()", "None"])
def test_class_names_that_are_refused(value: str) -> None:
    with pytest.raises(UsageError):
        names.class_name("new_model", value)


@pytest.mark.parametrize("value", ["Queued", "Not a Fit", "in_progress", "done-ok", "404"])
def test_status_values(value: str) -> None:
    assert names.status_value("monitored", value) == value


@pytest.mark.parametrize(
    "value", ['Qu"eued', "Queued'", " Queued", "Queued ", "a\\b", "{{x}}", "a\nb", "", "é"]
)
def test_status_values_that_could_break_out_of_a_literal_are_refused(value: str) -> None:
    with pytest.raises(UsageError, match="letters, digits"):
        names.status_value("monitored", value)


def test_new_members_are_named_after_their_values() -> None:
    assert names.member_for_value("Not a Fit") == "Not_a_Fit"
    assert names.member_for_value("in-progress") == "in_progress"
    with pytest.raises(UsageError, match="cannot name an enum member"):
        names.member_for_value("404")


@pytest.mark.parametrize("value", ['say """hi', "back\\slash", "{{ x }}", "{% if %}", "a\nb", "#x"])
def test_summaries_cannot_carry_quotes_braces_or_newlines(value: str) -> None:
    with pytest.raises(UsageError):
        names.summary_text("summary", value)


def test_import_names() -> None:
    assert names.dotted_module("model", "src.models.domain") == "src.models.domain"
    for bad in ("src/models", "src..models", ".models", "src.class", "src.1x"):
        with pytest.raises(UsageError):
            names.dotted_module("model", bad)


def test_snake_case_of_class_names() -> None:
    assert names.snake_case("EmailMessage") == "email_message"
    assert names.snake_case("HTTPCheck") == "http_check"
    assert names.snake_case("Widget2Go") == "widget2_go"
