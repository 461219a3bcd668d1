"""The late-payment law of each jurisdiction Cobro knows: which rate table applies, for a
business or a consumer debtor, with or without an agreed (contractual) rate, and the fixed
compensation per late invoice.

The rate tables ship with the package as data (`interest/rates/*.json`: each period's first day
and rate, `null` for a period not published, the last day the data covers, and the source); a
day beyond them, or in a period they leave unpublished, has no rate (`rules.NoPublishedRate`),
never a guessed one. Periods imported later (`cobro rates import`, `interest.service`) extend
them: every function here that reads a table takes `tables`, the lookup to read it through.

| code | rate without an agreement | consumer debts | fixed sum |
|---|---|---|---|
| EU | ECB rate on 1 Jan / 1 Jul + 8 (Directive 2011/7/EU) | refused (business only) | €40 (b2b) |
| ES | the semester's interés de demora (Ley 3/2004) | interés legal del dinero | €40 (b2b) |
| DE | Basiszinssatz + 9 (§ 288(2) BGB) | Basiszinssatz + 5 (§ 288(1)) | €40 (b2b) |
| FR | ECB rate on 1 Jan / 1 Jul + 10 (L441-10 C. com.) | refused (taux légal) | €40 (b2b) |
| BE | ECB + 8, rounded up to the next half point | refused (business only) | €40 (b2b) |
| GB | BoE rate before interest starts + 8, whole debt | refused (business only) | £40/70/100 |
| MX | 6 % a year (CCom art. 362, LGTOC art. 174) | the same | none |
| CO | the month's usury cap, effective annual (CCom art. 884) | the same | none |

An agreed rate (`contractual_table`) replaces the statutory one, within what each law allows:
see `_AGREED`."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import NamedTuple

from cobro.errors import Invalid
from cobro.interest.periods import spans_of
from cobro.interest.rules import (
    EU_FIXED_SUM,
    Accrual,
    DayBasis,
    NoPublishedRate,
    RatePeriod,
    RateTable,
    accrue,
    half_year_of,
    statutory_rate,
    uk_fixed_sum,
)

ECB = "ecb_mro_half_years"
MX_LEGAL = "mx_interes_legal"
CO_USURA = "co_usura"
ES_LEGAL = "es_interes_legal"
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
MX, CO = "MX", "CO"
# the law's own rate for every debtor, no margin: Mexico's legal rate, Colombia's usury cap
_OWN_SERIES = {MX: MX_LEGAL, CO: CO_USURA}
# consumer debts with a table of their own (not the business reference plus a margin)
_CONSUMER_SERIES = {"ES": ES_LEGAL}
JURISDICTIONS = (*_REFERENCE, UK, MX, CO)
CURRENCIES = {UK: "GBP", MX: "MXN", CO: "COP"}  # the others are euro countries
_CONSUMER_REFUSED = {
    "FR": "FR: the taux de l'intérêt légal for consumer debts (créanciers particuliers) is not "
    "shipped (the reference Cobro's rates come from does not give it); give the agreed rate "
    "instead",
    "EU": "EU: Directive 2011/7/EU covers business debts only; give the agreed rate instead",
    "BE": "BE: the late-payment law (Directive 2011/7/EU) covers business debts only; give the "
    "agreed rate instead",
}
# Mexico: an agreed rate at or above this (% a year) is flagged for usury review. No statute
# sets a line; 10 % a month is the reference's example of a clause judges review (§6.1, M3).
MX_USURY_REVIEW = Decimal(120)
MAX_AGREED = Decimal(1000)  # beyond any rate a court would look at: a typo, refused

Tables = Callable[[str], RateTable]


@dataclass(frozen=True)
class Published:
    """A rate series as shipped: its table and where it comes from. `monthly`: its periods
    are calendar months (a rate certified each month)."""

    series: str
    name: str
    source: str
    table: RateTable
    monthly: bool = False


@cache
def published(series: str) -> Published:
    """A shipped rate series by name."""
    path = resources.files("cobro.interest").joinpath("rates", f"{series}.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    periods = tuple(
        RatePeriod(date.fromisoformat(day), None if rate is None else Decimal(rate))
        for day, rate in data["periods"]
    )
    ends_on = date.fromisoformat(data["ends_on"]) if data.get("ends_on") else None
    table = RateTable(periods, ends_on, bool(data.get("compounding", False)))
    return Published(series, data["name"], data["source"], table, bool(data.get("monthly")))


@cache
def shipped_series() -> tuple[str, ...]:
    """The names of every shipped rate series."""
    folder = resources.files("cobro.interest").joinpath("rates")
    return tuple(
        sorted(f.name[: -len(".json")] for f in folder.iterdir() if f.name.endswith(".json"))
    )


def shipped(series: str) -> RateTable:
    return published(series).table


def check_jurisdiction(code: str) -> str:
    clean = code.strip().upper()
    clean = UK if clean == "UK" else clean
    if clean not in JURISDICTIONS:
        known = ", ".join(JURISDICTIONS)
        raise Invalid(f"jurisdiction {code!r}: use one of {known}", field="jurisdiction")
    return clean


def currency_of(code: str) -> str:
    return CURRENCIES.get(check_jurisdiction(code), "EUR")


def rate_table(
    code: str, business: bool, interest_starts: date, tables: Tables = shipped
) -> RateTable:
    """The statutory rates for a debt in `code` whose interest starts on `interest_starts`
    (the day after the due date): a table re-fixed each half-year; for the UK one rate for the
    whole debt; for Mexico 6 % a year; for Colombia, where nothing was agreed, the most the
    law allows: each month's usury cap (effective annual, compounding)."""
    code = check_jurisdiction(code)
    if code == UK:
        return _uk_table(business, interest_starts, tables)
    if code in _OWN_SERIES:
        return tables(_OWN_SERIES[code])
    if not business and code in _CONSUMER_SERIES:
        return tables(_CONSUMER_SERIES[code])
    series, business_margin, consumer_margin = _REFERENCE[code]
    margin = business_margin if business else consumer_margin
    if margin is None:
        raise Invalid(_CONSUMER_REFUSED[code], field="business")
    reference = tables(series)
    periods = tuple(
        RatePeriod(
            p.starts_on,
            None if p.rate is None else statutory_rate(p.rate, margin, code == "BE"),
        )
        for p in reference.periods
    )
    return RateTable(periods, reference.ends_on)


def _uk_table(business: bool, interest_starts: date, tables: Tables) -> RateTable:
    if not business:
        raise Invalid("GB: the Late Payment Act covers business debts only", field="business")
    reference = tables("uk_reference_rate")
    # the shipped table is keyed by the half-year in which interest starts; each rate is the
    # BoE rate on that half-year's fixing day (`rules.uk_reference_day`), as the source lists
    rate = reference.rate_on(half_year_of(interest_starts)) + UK_MARGIN
    return RateTable((RatePeriod(interest_starts, rate),))


def fixed_compensation(code: str, business: bool, amount: int, agreed: bool = False) -> int:
    """The fixed sum (minor units) the law adds per late invoice of `amount`. None in Mexico
    and Colombia; in the UK none either where the contract's own remedy (`agreed`) replaces
    the Act, whose fixed sums come with its statutory interest."""
    code = check_jurisdiction(code)
    if not business or code in _OWN_SERIES or (code == UK and agreed):
        return 0
    return uk_fixed_sum(amount) if code == UK else EU_FIXED_SUM


class Applied(NamedTuple):
    """The rates that apply, and what the user should know about them (a rate capped, a
    floor Cobro could not check, a rate a court may review)."""

    table: RateTable
    warnings: tuple[str, ...]


def contractual_table(
    code: str,
    business: bool,
    interest_starts: date,
    agreed: Decimal | None,
    tables: Tables = shipped,
    until: date | None = None,
) -> Applied:
    """The rates for a debt whose contract sets `agreed` (% a year; None: nothing agreed, the
    statutory table), as the law of `code` lets an agreed rate replace the statutory one (a
    warning names the periods where the law changed it, from `interest_starts` to `until`,
    the last day of interest, when given):

    - DE: the creditor always has the statutory rate, more when agreed (§ 288(3) BGB): the
      higher of the two each half-year;
    - CO: never above the month's usury cap (CCom art. 884, Código Penal art. 305): the lower
      of the two each month, effective annual;
    - MX: the agreed rate (LGTOC art. 174); one of `MX_USURY_REVIEW` or more is flagged, as a
      judge reduces a notoriously usurious rate on their own motion (SCJN 1a./J. 46/2014);
    - FR: the agreed rate; L441-10 forbids one below 3 × the taux de l'intérêt légal, which is
      not shipped, so that floor is named in a warning, not checked;
    - ES, EU, BE: the agreed rate; no numeric cap (a court may strike an abusive or, for the
      creditor, grossly unfair one); one below the statutory rate is flagged (art. 7 of the
      Directive, art. 9 Ley 3/2004);
    - GB: the agreed rate, a "substantial remedy" that replaces the Act (and its fixed sums).
    A consumer debt the statutory tables do not cover takes the agreed rate as it is."""
    code = check_jurisdiction(code)
    if agreed is None:
        return Applied(rate_table(code, business, interest_starts, tables), ())
    _check_agreed(agreed)
    window = (interest_starts, until or date.max)
    return _AGREED.get(code, _flat)(code, business, window, agreed, tables)


def _check_agreed(agreed: Decimal) -> None:
    if not agreed.is_finite() or agreed < 0:
        raise Invalid(f"agreed rate {agreed}: must be a rate of 0 % or more", field="contract_rate")
    if agreed > MAX_AGREED:
        raise Invalid(
            f"agreed rate {agreed} %: more than {MAX_AGREED} % a year (a typo?)",
            field="contract_rate",
        )


Window = tuple[date, date]  # the days interest runs: first, last (date.max: not known)


def _flat(code: str, business: bool, window: Window, agreed: Decimal, tables: Tables) -> Applied:
    starts = window[0]
    table = RateTable((RatePeriod(starts, agreed),))
    warnings: list[str] = []
    if code == UK:
        warnings.append(
            "GB: the agreed rate is a contractual remedy that replaces the Late Payment Act: "
            "no statutory interest or fixed sum is added"
        )
    elif not business:
        if code in _CONSUMER_REFUSED:  # ES consumers: no numeric cap, a court judges abuse
            warnings.append(f"{code}: no statutory cap for consumer debts is checked")
    elif code == "FR":
        warnings.append(
            "FR: an agreed rate may not be below 3 × the taux de l'intérêt légal (L441-10 "
            "Code de commerce); that rate is not shipped, so this was not checked"
        )
    elif code in _REFERENCE:
        warnings.extend(_below_statutory(code, starts, agreed, tables))
    return Applied(table, tuple(warnings))


def _below_statutory(code: str, starts: date, agreed: Decimal, tables: Tables) -> list[str]:
    try:
        statutory = rate_table(code, True, starts, tables).rate_on(starts)
    except NoPublishedRate:
        return []  # nothing to compare with: no flag rather than a guessed one
    if agreed >= statutory:
        return []
    law = "Ley 3/2004 art. 9" if code == "ES" else "Directive 2011/7/EU art. 7"
    return [
        f"{code}: the agreed rate {agreed} % is below the statutory {statutory} % on "
        f"{starts.isoformat()}: a court may find it grossly unfair to the creditor ({law})"
    ]


def _germany(code: str, business: bool, window: Window, agreed: Decimal, tables: Tables) -> Applied:
    statutory = rate_table(code, business, window[0], tables)
    relevant = _in_window(statutory, window)
    periods = []
    raised: list[str] = []
    for period in statutory.periods:
        rate = period.rate
        if rate is not None and agreed < rate and period.starts_on in relevant:
            raised.append(f"{period.starts_on:%Y-%m-%d} ({rate} %)")
        periods.append(RatePeriod(period.starts_on, None if rate is None else max(rate, agreed)))
    warnings: tuple[str, ...] = ()
    if raised:
        warnings = (
            f"DE: the agreed rate {agreed} % is below the statutory rate from "
            f"{', '.join(raised)}: the statutory rate applies there (§ 288 BGB)",
        )
    return Applied(RateTable(tuple(periods), statutory.ends_on), warnings)


def _colombia(
    code: str, business: bool, window: Window, agreed: Decimal, tables: Tables
) -> Applied:
    cap = rate_table(code, business, window[0], tables)
    relevant = _in_window(cap, window)
    periods = []
    capped: list[str] = []
    for period in cap.periods:
        rate = period.rate
        if rate is not None and agreed > rate and period.starts_on in relevant:
            capped.append(f"{period.starts_on:%Y-%m} ({rate} %)")
        periods.append(RatePeriod(period.starts_on, None if rate is None else min(rate, agreed)))
    warnings: tuple[str, ...] = ()
    if capped:
        warnings = (
            f"CO: the agreed rate {agreed} % EA is above the usury cap in {', '.join(capped)}: "
            "the cap applies there (Código de Comercio art. 884)",
        )
    return Applied(RateTable(tuple(periods), cap.ends_on, compounding=True), warnings)


def _mexico(code: str, business: bool, window: Window, agreed: Decimal, tables: Tables) -> Applied:
    warnings: tuple[str, ...] = ()
    if agreed >= MX_USURY_REVIEW:
        warnings = (
            f"MX: the agreed rate {agreed} % a year ({agreed / 12:.2f} % a month) is at or "
            f"above {MX_USURY_REVIEW} % a year: flagged for usury review, as a judge reduces a "
            "notoriously usurious rate on their own motion (SCJN 1a./J. 46/2014; compare "
            "Banxico's highest comparable CAT, 1a./J. 55/2016)",
        )
    return Applied(RateTable((RatePeriod(window[0], agreed),)), warnings)


def _in_window(table: RateTable, window: Window) -> set[date]:
    """The first days of the table's periods that hold a day of `window`."""
    return {
        span.starts_on
        for span in spans_of(table)
        if span.starts_on <= window[1] and (span.ends_on is None or span.ends_on >= window[0])
    }


_AGREED: dict[str, Callable[[str, bool, Window, Decimal, Tables], Applied]] = {
    "DE": _germany,
    CO: _colombia,
    MX: _mexico,
}


@dataclass(frozen=True)
class Claim:
    """What a late payment adds to the amount due: the interest, stretch by stretch, and the
    fixed compensation, in the jurisdiction's currency; with the warnings on the rates."""

    jurisdiction: str
    currency: str
    accrual: Accrual
    fixed_compensation: int
    warnings: tuple[str, ...]

    @property
    def total(self) -> int:
        return self.accrual.amount + self.fixed_compensation


def claim(
    code: str,
    business: bool,
    principal: int,
    due: date,
    paid: date,
    *,
    agreed: Decimal | None = None,
    basis: DayBasis = DayBasis.ACT_365,
    count_payment_day: bool = True,
    tables: Tables = shipped,
) -> Claim:
    """The interest and fixed compensation on `principal` (minor units), due on `due` and
    paid on `paid`, under the law of `code` (with the `agreed` rate, if any)."""
    code = check_jurisdiction(code)
    if principal <= 0:
        raise Invalid("the amount due must be positive", field="amount")
    if paid <= due:
        raise Invalid(
            f"paid on {paid.isoformat()}: not after the due date {due.isoformat()}, so nothing "
            "is late",
            field="paid",
        )
    last = paid if count_payment_day else paid - timedelta(days=1)
    applied = contractual_table(code, business, due + timedelta(days=1), agreed, tables, last)
    accrual = accrue(principal, due, paid, applied.table, basis, count_payment_day)
    fixed = fixed_compensation(code, business, principal, agreed=agreed is not None)
    return Claim(code, currency_of(code), accrual, fixed, applied.warnings)
