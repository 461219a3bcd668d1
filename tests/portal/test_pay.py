"""The payment-provider hook: a URL template, its placeholders filled in and URL-encoded; a
template that breaks the rules gives no link at all, never a broken one."""

from __future__ import annotations

import pytest

from cobro.errors import Invalid
from cobro.portal.pay import PaymentRequest, check_payment_template, major_units, payment_url

REQUEST = PaymentRequest(
    reference="RF18539007547034", amount=1_234_56, currency="EUR", invoice="2026/42", customer="C&1"
)


def test_placeholders_are_filled_in_and_encoded() -> None:
    template = (
        "https://pay.example.com/c?ref={reference}&amount={amount}&cur={currency}"
        "&inv={invoice}&who={customer}"
    )
    assert payment_url(template, REQUEST) == (
        "https://pay.example.com/c?ref=RF18539007547034&amount=1234.56&cur=EUR"
        "&inv=2026%2F42&who=C%261"
    )


def test_a_template_without_placeholders_is_a_fixed_link() -> None:
    assert payment_url("https://buy.stripe.com/abc", REQUEST) == "https://buy.stripe.com/abc"


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (1_234_56, "EUR", "1234.56"),
        (5, "EUR", "0.05"),
        (1500, "JPY", "1500"),
        (1_234_567, "KWD", "1234.567"),
        (-250, "EUR", "-2.50"),
    ],
)
def test_amounts_in_major_units(amount: int, currency: str, text: str) -> None:
    assert major_units(amount, currency) == text


@pytest.mark.parametrize(
    "template",
    [
        "http://pay.example.com/{reference}",  # not https
        "javascript:alert(1)//{reference}",
        "ftp://pay.example.com/{reference}",
        "https:///{reference}",  # no host
        "https://pay.example.com/{secret}",  # unknown placeholder
        "https://pay.example.com/{}",
        "https://pay.example.com/{0}",
        "https://pay.example.com/{reference.__class__}",
        "https://pay.example.com/{reference",  # unbalanced
        "",
    ],
)
def test_bad_templates_give_no_link(template: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_payment_template(template)
    assert refused.value.field == "payment_link"
    assert payment_url(template, REQUEST) is None


def test_http_is_allowed_on_a_local_host_to_try_it_out() -> None:
    assert payment_url("http://localhost:9000/pay/{reference}", REQUEST) == (
        "http://localhost:9000/pay/RF18539007547034"
    )


def test_a_link_too_long_is_left_out() -> None:
    long = PaymentRequest("R" * 3000, 1, "EUR", "1", "c")
    assert payment_url("https://pay.example.com/{reference}", long) is None
