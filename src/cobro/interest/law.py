"""The late-payment law of each jurisdiction Cobro knows: which rate table applies, for a
business or a consumer debtor, and the fixed compensation per late invoice.

The rate tables ship with the package as data (`interest/rates/*.json`: each period's first day
and rate, the last day the data covers, and the source); a day beyond them has no published
rate (`rules.NoPublishedRate`), never a guessed one.

| code | rate | fixed sum per invoice |
|---|---|---|
| EU | ECB rate on 1 Jan / 1 Jul + 8 (Directive 2011/7/EU) | €40 (business) |
| ES | the semester's published interés de demora (Ley 3/2004) | €40 (business) |
| DE | Basiszinssatz + 9 (business) / + 5 (consumer) (§ 288 BGB) | €40 (business) |
| FR | ECB rate on 1 Jan / 1 Jul + 10 (L441-10 Code de commerce) | €40 (business) |
| BE | ECB + 8, rounded up to the next half point | €40 (business) |
| GB | BoE rate on the 31 Dec / 30 Jun before interest starts + 8, for the whole debt | £40/70/100 |

Spain's consumer debts (interés legal del dinero) and the other countries of the issue come
with their own tables; until then they are refused by name."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources

from cobro.errors import Invalid
from cobro.interest.rules import (
    EU_FIXED_SUM,
    RatePeriod,
    RateTable,
    half_year_of,
    statutory_rate,
    uk_fixed_sum,
)

ECB = "ecb_mro_half_years"
# code → (series, margin for business debtors, margin for consumers or None: not covered)
_REFERENCE: dict[str, tuple[str, Decimal, Decimal | None]] = {
    "EU": (ECB, Decimal(8), None),
    "FR": (ECB, Decimal(10), None),
    "BE": (ECB, Decimal(8), None),
    "DE": ("de_basiszinssatz", Decimal(9), Decimal(5)),
    "ES": ("es_interes_demora", Decimal(0), None),
}
UK = "GB"
UK_MARGIN = Decimal(8)
JURISDICTIONS = (*_REFERENCE, UK)


@dataclass(frozen=True)
class Published:
    """A rate series as shipped: its table and where it comes from."""

    series: str
    name: str
    source: str
    table: RateTable


@cache
def published(series: str) -> Published:
    """A shipped rate series by name."""
    path = resources.files("cobro.interest").joinpath("rates", f"{series}.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    periods = tuple(
        RatePeriod(date.fromisoformat(day), Decimal(rate)) for day, rate in data["periods"]
    )
    ends_on = date.fromisoformat(data["ends_on"]) if data.get("ends_on") else None
    return Published(series, data["name"], data["source"], RateTable(periods, ends_on))


def check_jurisdiction(code: str) -> str:
    clean = code.strip().upper()
    clean = UK if clean == "UK" else clean
    if clean not in JURISDICTIONS:
        known = ", ".join(JURISDICTIONS)
        raise Invalid(f"jurisdiction {code!r}: use one of {known}", field="jurisdiction")
    return clean


def rate_table(code: str, business: bool, interest_starts: date) -> RateTable:
    """The statutory rates for a debt in `code` whose interest starts on `interest_starts`
    (the day after the due date): a table re-fixed each half-year, or for the UK one rate for
    the whole debt."""
    code = check_jurisdiction(code)
    if code == UK:
        return _uk_table(business, interest_starts)
    series, business_margin, consumer_margin = _REFERENCE[code]
    margin = business_margin if business else consumer_margin
    if margin is None:
        raise Invalid(
            f"{code}: the statutory rate for consumer debts is not shipped yet; give a "
            "contractual rate instead",
            field="business",
        )
    reference = published(series).table
    periods = tuple(
        RatePeriod(p.starts_on, statutory_rate(p.rate, margin, round_up_to_half=code == "BE"))
        for p in reference.periods
    )
    return RateTable(periods, reference.ends_on)


def _uk_table(business: bool, interest_starts: date) -> RateTable:
    if not business:
        raise Invalid("GB: the Late Payment Act covers business debts only", field="business")
    reference = published("uk_reference_rate").table
    # the shipped table is keyed by the half-year in which interest starts; each rate is the
    # BoE rate on that half-year's fixing day (`rules.uk_reference_day`), as the source lists
    rate = reference.rate_on(half_year_of(interest_starts)) + UK_MARGIN
    return RateTable((RatePeriod(interest_starts, rate),))


def fixed_compensation(code: str, business: bool, amount: int) -> int:
    """The fixed sum (minor units) the law adds per late invoice of `amount`."""
    code = check_jurisdiction(code)
    if not business:
        return 0
    return uk_fixed_sum(amount) if code == UK else EU_FIXED_SUM
