"""What a company's own template must be to be saved. No database."""

from __future__ import annotations

import pytest

from cobro.notice.checks import check_template, check_translations, known_names
from cobro.notice.errors import NoticeError


def test_a_template_using_known_variables_and_filters_is_accepted() -> None:
    check_template(
        "Dear {{ recipient }}, {% for item in items %}{{ item.number }} "
        "{{ item.open_amount | money(item.currency) }} {{ item.due_date | date('long') }}"
        "{% endfor %} {{ amount_due }} {{ company_iban | iban }}",
        "text",
        "email",
    )


def test_an_unknown_variable_is_refused_by_name_with_the_nearest_known_one() -> None:
    with pytest.raises(NoticeError, match=r"unknown variable 'custmer_name' \(did you mean "):
        check_template("Hello {{ custmer_name }}", "text", "email")
    with pytest.raises(NoticeError) as refused:
        check_template("Hello {{ custmer_name }}", "text", "email")
    assert "'customer_name'" in refused.value.message


def test_every_unknown_variable_is_named() -> None:
    with pytest.raises(NoticeError, match="unknown variables 'balance', 'nickname'"):
        check_template("{{ nickname }} owes {{ balance }}", "text", "email")


def test_variables_a_template_sets_itself_are_not_unknown() -> None:
    check_template(
        "{% set who = recipient %}{% for i in items %}{{ who }}{% endfor %}", "text", "sms"
    )


def test_a_syntax_error_is_refused_with_its_line() -> None:
    with pytest.raises(NoticeError, match=r"email text template, line 2: .*"):
        check_template("Hello\n{% if consumer %}dear", "text", "email")


def test_an_unknown_filter_is_refused() -> None:
    with pytest.raises(NoticeError, match="No filter named 'euro'"):
        check_template("{{ 5 | euro }}", "text", "email")


def test_an_attribute_that_does_not_exist_is_caught_on_sample_data() -> None:
    with pytest.raises(NoticeError, match=r"fails on sample data.*has no attribute 'nmber'"):
        check_template("{% for item in items %}{{ item.nmber }}{% endfor %}", "text", "email")


def test_a_float_where_an_amount_is_expected_is_caught_on_sample_data() -> None:
    with pytest.raises(NoticeError, match="not an amount in minor units"):
        check_template("{{ 12.5 | money('EUR') }}", "text", "email")


def test_templates_cannot_reach_other_templates() -> None:
    with pytest.raises(NoticeError, match="include, import and extends are not available"):
        check_template('{% include "layout/footer.text.j2" %}', "text", "email")


def test_the_sandbox_refuses_python_internals() -> None:
    with pytest.raises(NoticeError, match="fails on sample data"):
        check_template("{{ items.__class__.__mro__ }}", "text", "email")


@pytest.mark.parametrize(
    ("channel", "part", "problem"),
    [
        ("sms", "html", "a sms template has no 'html' part"),
        ("sms", "subject", "a sms template has no 'subject' part"),
        ("fax", "text", "unknown channel 'fax'"),
    ],
)
def test_a_part_the_channel_does_not_have_is_refused(channel: str, part: str, problem: str) -> None:
    with pytest.raises(NoticeError, match=problem):
        check_template("Hello", part, channel)


def test_an_empty_template_is_refused() -> None:
    with pytest.raises(NoticeError, match="is empty"):
        check_template("  \n", "subject", "email")


def test_the_known_variables_are_the_context_fields_and_the_helpers() -> None:
    names = known_names()
    assert {"customer_name", "items", "charges", "unsubscribe_url", "payment_link"} <= names
    assert {"totals", "amount_due", "deadline", "recipient", "single", "locale"} <= names
    assert "_words" not in names  # the built-in layouts' plumbing stays private


def test_every_language_the_company_needs_must_be_there() -> None:
    parts = [("en", "text"), ("en", "subject")]
    with pytest.raises(NoticeError, match="missing translation into es") as refused:
        check_translations("reminder-1", "email", parts, ["en", "es"])
    assert refused.value.field == "language"
    with pytest.raises(NoticeError, match="missing translation into de and es"):
        check_translations("reminder-1", "email", parts, ["en", "es", "de"])


def test_each_language_must_have_the_same_parts() -> None:
    parts = [("en", "text"), ("en", "subject"), ("es", "text")]
    with pytest.raises(NoticeError, match="missing translation of the subject into es"):
        check_translations("reminder-1", "email", parts, ["en", "es"])


def test_a_language_without_built_in_wording_needs_every_part() -> None:
    parts = [("en", "text"), ("fr", "text")]
    with pytest.raises(NoticeError, match="missing translation of the html and subject into fr"):
        check_translations("reminder-1", "email", parts, ["en", "fr"])


def test_complete_translations_pass() -> None:
    parts = [("en", "text"), ("es", "text"), ("en_GB", "text")]
    check_translations("reminder-1", "email", parts, ["en", "es"])
    check_translations("reminder-1", "email", [], ["en", "es"])  # nothing custom: the built-ins
