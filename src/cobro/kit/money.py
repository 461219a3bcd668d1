"""Money as integer minor units with an ISO 4217 currency. Never a float.

`parse_amount` reads what people type or export: "1.234,56", "1,234.56", "-12", "€ 3,50".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from babel.numbers import format_currency, get_currency_precision, list_currencies

from cobro.errors import Invalid

_NOT_NUMBER = re.compile(r"[^0-9.,\-+]")


@cache
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def check_currency(code: str) -> str:
    """Return the upper-cased ISO 4217 code, or raise `Invalid` naming it."""
    clean = code.strip().upper()
    if len(clean) != 3 or clean not in _known_currencies():
        raise Invalid(f"unknown currency {code!r} (expected an ISO 4217 code such as EUR, USD)")
    return clean


@cache
def exponent(currency: str) -> int:
    """Digits after the decimal point for this currency: EUR 2, JPY 0, BHD 3."""
    return int(get_currency_precision(check_currency(currency)))


def to_minor(value: Decimal, currency: str) -> int:
    """Exact conversion; more decimals than the currency has is an error, not a rounding."""
    scaled = value.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise Invalid(f"{value} has more decimals than {currency} allows ({exponent(currency)})")
    return int(scaled)


def to_decimal(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-exponent(currency))


def parse_amount(text: str, currency: str, decimal_mark: str | None = None) -> int:
    """Parse a written amount into minor units.

    With both "," and "." present, the last one is the decimal mark. With one kind only, it is the
    decimal mark unless it repeats or is followed by exactly three digits (then it groups
    thousands). `decimal_mark` forces the reading when a file is known to use one convention.
    """
    raw = _NOT_NUMBER.sub("", text.replace("\u2212", "-"))
    if not raw or not any(ch.isdigit() for ch in raw):
        raise Invalid(f"{text!r} is not an amount")
    mark = decimal_mark or _guess_decimal_mark(raw)
    group = "," if mark == "." else "."
    normal = raw.replace(group, "").replace(mark, ".")
    try:
        value = Decimal(normal)
    except InvalidOperation:
        raise Invalid(f"{text!r} is not an amount") from None
    if not value.is_finite():
        raise Invalid(f"{text!r} is not an amount")
    return to_minor(value, currency)


def _guess_decimal_mark(raw: str) -> str:
    last_dot, last_comma = raw.rfind("."), raw.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        return "." if last_dot > last_comma else ","
    sep = "." if last_dot >= 0 else ","
    pos = max(last_dot, last_comma)
    if pos < 0:
        return "."
    digits_after = len(raw) - pos - 1
    if raw.count(sep) > 1 or digits_after == 3:
        return "," if sep == "." else "."
    return sep


@dataclass(frozen=True, order=True)
class Money:
    amount: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError("money amounts are integer minor units")

    def format(self, locale: str = "en") -> str:
        return str(
            format_currency(to_decimal(self.amount, self.currency), self.currency, locale=locale)
        )

    def __str__(self) -> str:
        return f"{to_decimal(self.amount, self.currency):f} {self.currency}"


def format_minor(minor: int, currency: str) -> str:
    """Plain "1234.56" text for files and tables (no symbol, no grouping)."""
    return f"{to_decimal(minor, currency):f}"


def display(minor: int, currency: str) -> str:
    """Grouped text for tables on screen: "1,234.56"."""
    return f"{to_decimal(minor, currency):,.{exponent(currency)}f}"
