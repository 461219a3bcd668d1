"""Money as integer minor units with an ISO 4217 currency. Never a float.

`parse_amount` reads what people type or export: "1.234,56", "1,234.56", "-12", "€ 3,50".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.numbers import (
    format_currency,
    get_currency_precision,
    get_currency_symbol,
    list_currencies,
)

from cobro.errors import Invalid

# sign, currency symbol or code, sign, the number, currency symbol or code: "-€1.234,56", "3,50 EUR"
_AMOUNT = re.compile(
    r"^(?P<sign>[+-]?)\s*(?P<pre>[^\d\s.,+\-]{0,3})\s*(?P<sign2>[+-]?)\s*"
    r"(?P<number>[0-9](?:[0-9.,'\u2019\s]*[0-9])?|[.,][0-9]+)\s*(?P<post>[^\d\s.,+\-]{0,3})$"
)
_GROUP_MARKS = " '\u2019\u00a0\u202f\u2009"  # spaces and apostrophes only ever group thousands
_GROUPED = (
    re.compile(r"^[0-9]{1,3}(?:_[0-9]{3})*$"),  # 1_234_567
    re.compile(r"^[0-9]{1,2}(?:_[0-9]{2})*_[0-9]{3}$"),  # 12_34_567 (Indian lakh grouping)
)
_SYMBOL_LOCALES = ("en", "en_US", "en_GB", "es", "es_ES", "es_MX", "de", "fr")
_NOT_MONEY = frozenset({"XXX", "XTS"})  # ISO 4217 "no currency" and "testing" codes


@cache
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def check_currency(code: str) -> str:
    """Return the upper-cased ISO 4217 code, or raise `Invalid` naming it."""
    clean = code.strip().upper()
    if len(clean) != 3 or clean not in _known_currencies() or clean in _NOT_MONEY:
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


def money_text(minor: int, currency: str, locale: str) -> str:
    """`minor` units of `currency` as people of `locale` write them: "€1,234.56" (en)."""
    value = to_decimal(minor, currency)
    return str(format_currency(value, currency.upper(), locale=_babel_locale(locale)))


@cache
def _babel_locale(name: str) -> Locale:
    # Babel parses a locale name on every call: half the cost of formatting an amount
    return Locale.parse(name)


def parse_amount(text: str, currency: str, decimal_mark: str | None = None) -> int:
    """Parse a written amount into minor units.

    With both "," and "." present, the last one is the decimal mark. With one kind only, it is the
    decimal mark unless it repeats or is followed by exactly three digits after one to three
    digits other than "0" (then it groups thousands) — except for currencies with three decimals,
    where "1.500" is one and a half. Spaces and apostrophes group thousands; groups must have
    three digits. A currency symbol or code may stand before or after the number, and
    "(12,50)" is negative, as accountants write it. `decimal_mark` forces the reading when a
    file is known to use one convention.
    """
    if decimal_mark not in (None, ".", ","):
        raise ValueError(f"decimal mark must be '.' or ',', not {decimal_mark!r}")
    clean = text.strip().replace("\u2212", "-")
    negative = clean.startswith("(") and clean.endswith(")")
    match = _AMOUNT.match(clean[1:-1].strip() if negative else clean)
    if (
        not match
        or (match["sign"] and match["sign2"])
        or (negative and match["sign"] + match["sign2"])
    ):
        raise Invalid(f"{text!r} is not an amount")
    for marker in (match["pre"], match["post"]):
        if marker and marker.upper() not in _markers(check_currency(currency)):
            raise Invalid(f"{text!r}: {marker!r} is not a mark of {currency.upper()}")
    number = match["number"]
    mark = decimal_mark or _guess_decimal_mark(number, exponent(currency))
    whole, _, fraction = number.rpartition(mark) if mark in number else (number, "", "")
    group = "," if mark == "." else "."
    if (fraction and not fraction.isdigit()) or not _is_grouped(whole, group):
        raise Invalid(f"{text!r} is not an amount")
    digits = "".join(ch for ch in whole if ch.isdigit()) or "0"
    value = Decimal(f"{digits}.{fraction or 0}")
    sign = -1 if negative or "-" in (match["sign"], match["sign2"]) else 1
    return sign * to_minor(value, currency)


@cache
def _markers(currency: str) -> frozenset[str]:
    """What may stand beside an amount in this currency: its code and its symbols ("€", "US$",
    and "$" for every dollar or peso)."""
    symbols = {str(get_currency_symbol(currency, locale)).upper() for locale in _SYMBOL_LOCALES}
    symbols |= {"$" for symbol in symbols if symbol.endswith("$")}
    return frozenset({currency, *symbols})


def _guess_decimal_mark(number: str, currency_exponent: int) -> str:
    last_dot, last_comma = number.rfind("."), number.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        return "." if last_dot > last_comma else ","
    if last_dot < 0 and last_comma < 0:
        return "."
    sep = "." if last_dot >= 0 else ","
    other = "," if sep == "." else "."
    head, _, tail = number.rpartition(sep)
    if number.count(sep) > 1:
        return other
    looks_grouped = len(tail) == 3 and head.isdigit() and len(head) <= 3 and head[0] != "0"
    return other if looks_grouped and currency_exponent != 3 else sep


def _is_grouped(whole: str, group: str) -> bool:
    """Digits only, or digits in well-formed thousands groups."""
    if whole.isdigit() or not whole:
        return True
    marked = whole.replace(group, "_")
    for space in _GROUP_MARKS:
        marked = marked.replace(space, "_")
    return any(pattern.match(marked) for pattern in _GROUPED)


@dataclass(frozen=True, order=True)
class Money:
    amount: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError("money amounts are integer minor units")
        object.__setattr__(self, "currency", check_currency(self.currency))

    def format(self, locale: str = "en") -> str:
        return money_text(self.amount, self.currency, locale)

    def __str__(self) -> str:
        return f"{to_decimal(self.amount, self.currency):f} {self.currency}"


def format_minor(minor: int, currency: str) -> str:
    """Plain "1234.56" text for files and tables (no symbol, no grouping)."""
    return f"{to_decimal(minor, currency):f}"


def display(minor: int, currency: str) -> str:
    """Grouped text for tables on screen: "1,234.56"."""
    return f"{to_decimal(minor, currency):,.{exponent(currency)}f}"
