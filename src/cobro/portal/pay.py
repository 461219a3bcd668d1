"""The payment-provider hook: a "Pay online" button on the portal, shown only when the operator
has configured the provider's page as a URL template (COBRO_PAYMENT_LINK). Pure.

Cobro takes no card details and talks to no provider: the button opens the provider's own page
(a Stripe Payment Link, a Redsys/PayPal checkout behind the company's web shop…) with what
identifies the payment filled in; the money then arrives on the bank account, and cash
application matches it by its reference like any transfer.

    https://pay.example.com/checkout?ref={reference}&amount={amount}&currency={currency}

Placeholders: {reference} (the invoice's RF reference), {amount} (the open amount in major
units, "1234.56"), {currency} ("EUR"), {invoice} (its number), {customer} (the customer's
external id). Values are URL-encoded. Only https links are accepted (http for a local host, to
try it out); a template that breaks these rules shows no button rather than a broken one.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Formatter
from urllib.parse import quote, urlsplit

from babel.numbers import get_currency_precision

from cobro.errors import Invalid

PLACEHOLDERS = frozenset({"reference", "amount", "currency", "invoice", "customer"})
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
MAX_LENGTH = 2000


@dataclass(frozen=True)
class PaymentRequest:
    reference: str
    amount: int  # minor units
    currency: str
    invoice: str
    customer: str


def check_payment_template(template: str) -> str:
    """The template, stripped; `Invalid` naming what is wrong."""
    clean = template.strip()
    try:
        fields = {
            name for _text, name, _spec, _conv in Formatter().parse(clean) if name is not None
        }
    except ValueError as error:
        raise Invalid(f"payment link template: {error}", field="payment_link") from None
    unknown = sorted(fields - PLACEHOLDERS)
    if unknown:
        raise Invalid(
            f"payment link template: unknown placeholder {{{unknown[0]}}} "
            f"(use {', '.join('{' + p + '}' for p in sorted(PLACEHOLDERS))})",
            field="payment_link",
        )
    parts = urlsplit(clean.format(**dict.fromkeys(PLACEHOLDERS, "x")))
    secure = parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOCAL_HOSTS)
    if not secure or not parts.hostname:
        raise Invalid("payment link template: an https:// address is needed", field="payment_link")
    return clean


def major_units(amount: int, currency: str) -> str:
    """1234.56 for 123456 cents; 1500 for 1500 yen: the provider's usual way to read it."""
    digits = get_currency_precision(currency)
    if digits == 0:
        return str(amount)
    sign = "-" if amount < 0 else ""
    whole, part = divmod(abs(amount), 10**digits)
    return f"{sign}{whole}.{part:0{digits}d}"


def payment_url(template: str, request: PaymentRequest) -> str | None:
    """The provider's address for this payment; None when the template is unusable or the
    result too long for a link."""
    try:
        clean = check_payment_template(template)
    except Invalid:
        return None
    values = {
        "reference": request.reference,
        "amount": major_units(request.amount, request.currency),
        "currency": request.currency,
        "invoice": request.invoice,
        "customer": request.customer,
    }
    url = clean.format(**{name: quote(value, safe="") for name, value in values.items()})
    return url if len(url) <= MAX_LENGTH else None
