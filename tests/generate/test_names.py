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


def test_a_new_models_class_is_limited_so_that_every_derived_name_fits() -> None:
    longest = "AbcdeFghijKlmnoPqrstUvwxYz"  # 26 characters, 31 in snake_case
    assert names.model_class("new_model", longest) == longest
    derived = names.derived_from_class(longest)
    assert derived == {
        "module": "abcde_fghij_klmno_pqrst_uvwx_yz",
        "status_enum": "AbcdeFghijKlmnoPqrstUvwxYzStatus",
        "table": "abcde_fghij_klmno_pqrst_uvwx_yzs",
        "enum_type_name": "abcde_fghij_klmno_pqrst_uvwx_yz_status",
        "entity": "abcde fghij klmno pqrst uvwx yz",
        "handler_function": "handle_abcde_fghij_klmno_pqrst_uvwx_yz",
    }
    assert len(derived["status_enum"]) == names.MAX_NAME
    assert len(derived["table"]) == names.MAX_NAME
    assert names.model_class("new_model", "Match") == "Match"  # module `match`: a soft keyword
    for value, reason in [
        ("W" + "w" * 26, "must be at most 26 characters (its status enum, Ww"),
        ("AbCdEfGhIjKlMnOpQrStUv", "its snake_case form 'ab_cd_ef_gh_ij_kl_mn_op_qr_st_uv'"),
        ("Pas", "a name derived from it is refused (table 'pass': is a Python keyword)"),
        ("Not", "a name derived from it is refused (model module 'not': must be an import"),
        ("None", "is a Python keyword"),
    ]:
        with pytest.raises(UsageError, match=f"^new_model '{value}': ") as refused:
            names.model_class("new_model", value)
        assert reason in str(refused.value)
        assert "\n" not in str(refused.value)


def test_an_existing_models_long_class_gives_an_entity_and_handler_that_fit() -> None:
    """An existing model's class may be as long as any class (names.MAX_NAME); the names
    derived from it keep its last words that fit, deterministically."""
    derived = names.derived_from_class("ABcDEfGHiJKlMNoPQrSTuVWxYZaBcDEf")
    assert derived["entity"] == "m no p qr s tu v wx y za bc d ef"  # 32 characters
    assert derived["handler_function"] == "handle_hi_j_kl_m_no_p_qr_s_tu_v_wx_y_za_bc_d_ef"  # 48
    assert names.derived_from_class("CustomerAccountSubscriptionRenew")["entity"] == (
        "account subscription renew"
    )
    assert names.fit_words("a_bb_ccc", "_", 6) == "bb_ccc"
    assert names.fit_words("a_bb_ccc", "_", 8) == "a_bb_ccc"
    assert names.fit_words("abcdefgh", "_", 4) == "abcdefgh"  # one word: left to validation
