"""Regulation F validation notices, the pure part: the dates, the itemization and disputes.
No database, no clock: every date comes in as an argument.

Dates (12 CFR 1006.34(b)(5)): the consumer is assumed to receive a notice on the 5th day after
it is sent, not counting Saturdays, Sundays and the legal public holidays of 5 U.S.C. 6103(a);
the validation period ends 30 calendar days after that, with no roll-forward to a business day.

Holidays: the `holidays` package's US public holidays with no state given are exactly the 11 of
6103(a) (a test pins them year by year). Inauguration Day is left out: it is in 6103(c), a day
off for federal employees around Washington only, not a legal public holiday. The package is not
filtered by holiday name on purpose: a renamed holiday would then drop out silently and give an
earlier, non-compliant date, whereas an extra day can only give a later one, which the rule
allows ("at least five days").

6103(a) names the holidays by their dates ("July 4"); whether the Friday or Monday on which a
weekend holiday is observed counts too is not settled (reference, vector R4). `observed=True`
(the default) excludes it as well, which gives the later date: a later date is always allowed,
an earlier one may be too early.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import holidays

from cobro.errors import Invalid
from cobro.kit.money import display

RECEIPT_BUSINESS_DAYS = 5
VALIDATION_DAYS = 30
# §1006.34(b)(3): the reference date the itemization is given as of, one kind per debt
ITEMIZATION_KINDS = ("last_statement", "charge_off", "last_payment", "transaction", "judgment")
ITEMIZATION_LABELS = {
    "last_statement": "last statement date",
    "charge_off": "charge-off date",
    "last_payment": "last payment date",
    "transaction": "transaction date",
    "judgment": "judgment date",
}


@cache
def legal_public_holidays(year: int, observed: bool = True) -> frozenset[date]:
    """The 5 U.S.C. 6103(a) holidays of `year`; with `observed`, the weekdays they are observed
    on when they fall on a weekend (a New Year's Day on a Saturday is observed on 31 December
    of the year before, and is listed with that year)."""
    days = holidays.country_holidays(
        "US", years=year, observed=observed, categories=holidays.PUBLIC, language="en_US"
    )
    return frozenset(days)


def is_business_day(day: date, observed: bool = True) -> bool:
    return day.weekday() < 5 and day not in legal_public_holidays(day.year, observed)


def assumed_receipt(sent_on: date, observed: bool = True) -> date:
    """The day the consumer is assumed to receive a notice sent on `sent_on`: the 5th business
    day after it (the day of sending never counts, whatever day it is)."""
    day, counted = sent_on, 0
    while counted < RECEIPT_BUSINESS_DAYS:
        day += timedelta(days=1)
        if is_business_day(day, observed):
            counted += 1
    return day


def validation_period_end(sent_on: date, observed: bool = True) -> date:
    """The last day of the validation period, printed on the notice: 30 calendar days after the
    assumed receipt, kept even when it is a weekend or a holiday."""
    return assumed_receipt(sent_on, observed) + timedelta(days=VALIDATION_DAYS)


def dispute_timely(end_on: date, received_on: date) -> bool:
    """A dispute received on the end date is still in time (vector R7). The day it is received
    counts, not its postmark (the reference's open question 10: receipt is the stricter)."""
    return received_on <= end_on


def undisputed(total: int, disputed: int | None, currency: str = "USD") -> int:
    """What may still be collected while a dispute waits for verification (vector R8): the
    debt less the disputed amount; nothing when the whole debt is disputed (None)."""
    if disputed is None:
        return 0
    if disputed <= 0:
        raise Invalid(
            f"a disputed amount must be positive, not {display(disputed, currency)}",
            field="amount",
        )
    if disputed > total:
        raise Invalid(
            f"the disputed amount ({display(disputed, currency)}) is more than the debt "
            f"({display(total, currency)})",
            field="amount",
        )
    return total - disputed


@dataclass(frozen=True)
class Itemization:
    """The debt as of the itemization date and what changed it since (§1006.34(c)(2)(vi)–(viii)).
    Amounts are minor units; `payments` is payments and credits, a positive number."""

    kind: str
    on: date
    owed: int
    interest: int
    fees: int
    payments: int
    total: int

    @classmethod
    def of(
        cls, kind: str, on: date, owed: int, interest: int = 0, fees: int = 0, payments: int = 0
    ) -> Itemization:
        """An itemization whose total is computed, so it always adds up."""
        return cls(kind, on, owed, interest, fees, payments, owed + interest + fees - payments)

    @property
    def expected_total(self) -> int:
        return self.owed + self.interest + self.fees - self.payments


def check_itemization(item: Itemization, sent_on: date, currency: str = "USD") -> Itemization:
    """Refuse an itemization the notice cannot print (vector R5); return it when it is sound.
    Errors show the amounts in `currency`."""

    def money(minor: int) -> str:
        return display(minor, currency)

    if item.kind not in ITEMIZATION_KINDS:
        raise Invalid(
            f"itemization date kind {item.kind!r}: use one of {', '.join(ITEMIZATION_KINDS)}",
            field="itemization_kind",
        )
    if item.on > sent_on:
        raise Invalid(
            f"the itemization date ({item.on}) is after the notice is sent ({sent_on})",
            field="itemization_on",
        )
    for name in ("owed", "interest", "fees", "payments"):
        if getattr(item, name) < 0:
            raise Invalid(f"{name} cannot be negative ({money(getattr(item, name))})", field=name)
    if item.total != item.expected_total:
        raise Invalid(
            f"the itemization does not add up: owed {money(item.owed)} + interest "
            f"{money(item.interest)} + fees {money(item.fees)} − payments and credits "
            f"{money(item.payments)} = {money(item.expected_total)}, not the total "
            f"{money(item.total)}",
            field="total",
        )
    if item.total <= 0:
        raise Invalid(
            f"nothing is owed (total {money(item.total)}): no notice to send", field="total"
        )
    return item


def check_consistent_kind(previous_kind: str | None, kind: str) -> None:
    """One debt, one kind of itemization date across its notices (vector R6)."""
    if previous_kind is not None and previous_kind != kind:
        before = ITEMIZATION_LABELS.get(previous_kind, previous_kind)
        raise Invalid(
            f"this debt was itemized as of its {before} before; a later notice must use the "
            f"same kind of date, not its {ITEMIZATION_LABELS.get(kind, kind)}",
            field="itemization_kind",
        )
