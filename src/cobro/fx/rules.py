"""FX rates as rules: reading a rate people type or export, and converting an amount in minor
units of one currency into minor units of the reporting currency. Pure: no database, no clock.

A rate is the number of units of the reporting currency one unit of the other currency is
worth: with EUR reporting, "USD 0.92" means 1 USD = 0.92 EUR.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Context, Decimal

from cobro.errors import Invalid
from cobro.kit.money import exponent

RATE_DECIMALS = 10  # fx_rate.rate is NUMERIC(20, 10)
RATE_LIMIT = Decimal(10) ** (20 - RATE_DECIMALS)  # rates are below this (10 integer digits)
_RATE = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
# Exact arithmetic for any amount a BIGINT holds times any rate the column holds (≤ 40 digits)
_EXACT = Context(prec=60)


def check_rate(rate: Decimal) -> Decimal:
    """`rate` if the database can keep it exactly: positive, finite, below 10¹⁰, with at
    most 10 decimals; else `Invalid` (field "rate") saying which rule it breaks."""
    if not isinstance(rate, Decimal):
        raise TypeError("rates are Decimal, never float")
    if not rate.is_finite():
        raise Invalid(f"rate {rate}: not a number", field="rate")
    if rate <= 0:
        raise Invalid(f"rate {rate:f}: a rate must be more than 0", field="rate")
    if rate >= RATE_LIMIT:
        raise Invalid(f"rate {rate:f}: too large (below {RATE_LIMIT:,.0f})", field="rate")
    exponent_ = rate.normalize().as_tuple().exponent
    if isinstance(exponent_, int) and -exponent_ > RATE_DECIMALS:
        raise Invalid(f"rate {rate:f}: at most {RATE_DECIMALS} decimals", field="rate")
    return rate


def parse_rate(text: str) -> Decimal:
    """A rate as written: "0.92", "1", "161.2345" (a dot marks the decimals; no grouping, no
    exponent). Refused, with `Invalid` (field "rate"): anything else, zero or less, more than
    10 decimals, 10¹⁰ or more."""
    clean = text.strip()
    if not _RATE.match(clean):
        shown = clean[:40]
        raise Invalid(
            f"rate {shown!r} is not a number (write it with a dot for decimals: 0.92)",
            field="rate",
        )
    return check_rate(Decimal(clean))


def convert(minor: int, currency: str, reporting: str, rate: Decimal) -> int:
    """`minor` minor units of `currency` in minor units of `reporting`, at `rate` units of
    `reporting` per unit of `currency`; each currency's own decimals count (EUR 2, JPY 0,
    BHD 3): 100.00 EUR (10000) at 161.5 JPY per EUR is 16150 JPY.

    Rounded once, to the nearest minor unit, halves away from zero (ROUND_HALF_UP): the rule
    for currency conversions in the EU (Regulation (EC) No 1103/97, art. 5) and what finance
    people check a report against by hand; half-even's bias-cancelling does not matter for one
    rounding per (slice, currency) sum. Away from zero keeps conversion symmetric: −x converts
    to the opposite of x."""
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise TypeError("money amounts are integer minor units")
    check_rate(rate)
    shift = exponent(reporting) - exponent(currency)
    value = _EXACT.multiply(Decimal(minor), rate).scaleb(shift, _EXACT)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP, context=_EXACT))
