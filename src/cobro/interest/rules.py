"""Late-payment interest as the law computes it: simple interest on the amount due, day by day,
at the rate in force for each day, rounded once at the end.

The conventions (`../shared/reference/late-payment-law-and-kpis.md` §0), each a parameter:
- the days counted are those after the due date up to and including the payment date
  (`count_payment_day=False` leaves the payment date out, as some calculators do);
- a year has 365 days (`DayBasis.ACT_365`), or as many as it has (`ACT_ACT`: 366 in leap years);
- where the rate is re-fixed (the EU, Spain, Germany, France: each half-year, and Spain once
  mid-semester in 2013) each stretch of days gets its own rate: the periods of a `RateTable`;
  the UK fixes one rate for the whole debt (`uk_reference_day`), a table of one period;
- the total is kept exact and rounded half up to minor units once, at the end (rounding each
  day first inflates it: £169.68 instead of £169.49 in the reference's vector U1);
- a table may leave a period unpublished (`RatePeriod.rate is None`: Colombia's usury cap is
  certified monthly and the reference gives only some months): a day in it has no rate;
- a table of effective annual rates (`RateTable.compounding`, Colombia) grows each stretch as
  base × ((1 + rate)^(days / year) − 1) instead of base × rate × days / year.

Money is integer minor units; rates are percentages per year, as `Decimal`. Pure: no database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from enum import Enum

from cobro.errors import CobroError, Invalid

HALF_POINT = Decimal("0.5")


class DayBasis(Enum):
    ACT_365 = "ACT/365"  # every year 365 days (the default: UK, Spain, Germany in practice)
    ACT_ACT = "ACT/ACT"  # a leap year 366


class NoPublishedRate(CobroError):
    """A day the rate table has no rate for: before its first period, or after its last one
    ends (a half-year not yet published). Said, never guessed."""

    status = 422


@dataclass(frozen=True)
class RatePeriod:
    starts_on: date
    # % a year, from `starts_on` until the next period starts (or `ends_on`); None: not
    # published (a gap the table says out loud rather than bridging it with a neighbour's rate)
    rate: Decimal | None


@dataclass(frozen=True)
class RateTable:
    """Rates in force from each period's first day until the next one's; the last one until
    `ends_on` (inclusive) when given, else open-ended. `compounding`: the rates are effective
    annual rates (interest on interest within a stretch), not simple ones."""

    periods: tuple[RatePeriod, ...]
    ends_on: date | None = None
    compounding: bool = False

    def __post_init__(self) -> None:
        days = [period.starts_on for period in self.periods]
        if not days:
            raise Invalid("a rate table needs at least one period", field="periods")
        if days != sorted(set(days)):
            raise Invalid("rate periods must start on increasing days", field="periods")

    @classmethod
    def of(
        cls,
        *periods: tuple[date, str | Decimal | None],
        ends_on: date | None = None,
        compounding: bool = False,
    ) -> RateTable:
        """`RateTable.of((date(2024, 1, 1), "12.50"), (date(2024, 7, 1), "12.25"))`."""
        rates = tuple(
            RatePeriod(day, None if rate is None else Decimal(rate)) for day, rate in periods
        )
        return cls(rates, ends_on, compounding)

    def rate_on(self, day: date) -> Decimal:
        start = self.periods[0].starts_on
        if day < start:
            raise NoPublishedRate(
                f"no published rate for {day.isoformat()}: the rates start on {start.isoformat()}",
                field="rate",
            )
        if self.ends_on is not None and day > self.ends_on:
            raise NoPublishedRate(
                f"no published rate for {day.isoformat()}: the rates end on "
                f"{self.ends_on.isoformat()} (the next period is not published yet?)",
                field="rate",
            )
        index = 0
        for at, period in enumerate(self.periods):
            if period.starts_on > day:
                break
            index = at
        rate = self.periods[index].rate
        if rate is None:
            raise NoPublishedRate(
                f"no published rate for {day.isoformat()}: the rate for {day:%Y-%m} is not "
                f"published (none from {self.periods[index].starts_on.isoformat()} to "
                f"{self._last_day_of(index).isoformat()})",
                field="rate",
            )
        return rate

    def _last_day_of(self, index: int) -> date:
        if index + 1 < len(self.periods):
            return self.periods[index + 1].starts_on - timedelta(days=1)
        return self.ends_on or date.max

    def changes_within(self, first: date, last: date) -> list[date]:
        """The days in (first, last] on which another period starts."""
        return [p.starts_on for p in self.periods if first < p.starts_on <= last]


@dataclass(frozen=True)
class Stretch:
    """Days counted at one rate, over one year's length (the computation, shown)."""

    first: date
    last: date
    days: int
    rate: Decimal
    year_days: int
    interest: Decimal  # exact, minor units


@dataclass(frozen=True)
class Accrual:
    principal: int
    stretches: tuple[Stretch, ...]

    @property
    def exact(self) -> Decimal:
        return sum((stretch.interest for stretch in self.stretches), Decimal(0))

    @property
    def amount(self) -> int:
        """The interest in minor units: the exact total rounded half up, once."""
        return half_up(self.exact)

    @property
    def days(self) -> int:
        return sum(stretch.days for stretch in self.stretches)


def accrue(
    principal: int,
    due: date,
    paid: date,
    rates: RateTable,
    basis: DayBasis = DayBasis.ACT_365,
    count_payment_day: bool = True,
) -> Accrual:
    """Interest on `principal` (minor units) paid on `paid`, due on `due`: each day after the
    due date at the rate in force that day, split where the table's rate changes and, for
    ACT/ACT, where a year ends."""
    if principal < 0:
        raise Invalid("the amount due cannot be negative", field="amount")
    first = due + timedelta(days=1)
    last = paid if count_payment_day else paid - timedelta(days=1)
    if last < first:
        return Accrual(principal, ())
    cuts = sorted(set(rates.changes_within(first, last)) | set(_new_years(first, last)))
    starts = [first, *cuts]
    ends = [day - timedelta(days=1) for day in cuts] + [last]
    # in order, so that a period not published is named by its first day that counts
    stretches = tuple(
        _stretch(principal, start, end, rates.rate_on(start), basis, rates.compounding)
        for start, end in zip(starts, ends, strict=True)
    )
    rates.rate_on(last)  # and the table goes on to the last day, or this says not
    return Accrual(principal, stretches)


@dataclass(frozen=True)
class Reduction:
    """A payment that reduced the base, and the interest accrued up to and including its day
    (recorded then, so that paying the principal off does not lose it)."""

    paid_on: date
    amount: int
    base_after: int
    accrued: int  # minor units, from the due date to `paid_on`, rounded half up


@dataclass(frozen=True)
class PaidInParts:
    accruals: tuple[Accrual, ...]  # one per stretch of days at one base
    reductions: tuple[Reduction, ...]

    @property
    def exact(self) -> Decimal:
        return sum((accrual.exact for accrual in self.accruals), Decimal(0))

    @property
    def amount(self) -> int:
        return half_up(self.exact)


def accrue_paid_in_parts(
    principal: int,
    due: date,
    payments: Sequence[tuple[date, int]],
    until: date,
    rates: RateTable,
    basis: DayBasis = DayBasis.ACT_365,
) -> PaidInParts:
    """Interest on `principal` due on `due`, paid in `payments` ((day, amount), any order), up
    to `until` (inclusive) for what is still owed then: the claim as of `until`, so payments
    after it do not count. Each payment's day is counted on the
    base before it; the base drops from the next day, and never below zero (an overpayment
    stops the interest, it does not earn any). Rounded once, at the end; what had accrued by
    each payment is recorded beside it."""
    if any(amount <= 0 for _, amount in payments):
        raise Invalid("a payment must be a positive amount", field="payments")
    base, start = principal, due
    accruals: list[Accrual] = []
    reductions: list[Reduction] = []
    for paid_on, amount in sorted(p for p in payments if p[0] <= until):
        if base > 0 and paid_on > start:
            accruals.append(accrue(base, start, paid_on, rates, basis))
            start = paid_on
        base = max(0, base - amount)
        so_far = sum((accrual.exact for accrual in accruals), Decimal(0))
        reductions.append(Reduction(paid_on, amount, base, half_up(so_far)))
    if base > 0 and until > start:
        accruals.append(accrue(base, start, until, rates, basis))
    return PaidInParts(tuple(accruals), tuple(reductions))


def half_up(exact: Decimal) -> int:
    """Exact minor units rounded half up to whole ones: the one rounding of a computation."""
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _new_years(first: date, last: date) -> list[date]:
    return [date(year, 1, 1) for year in range(first.year + 1, last.year + 1)]


def _stretch(
    principal: int, first: date, last: date, rate: Decimal, basis: DayBasis, compounding: bool
) -> Stretch:
    days = (last - first).days + 1
    year_days = 366 if basis is DayBasis.ACT_ACT and _leap(first.year) else 365
    if compounding:
        # an effective annual rate over part of a year: (1 + EA)^(days/year) − 1, never EA/365
        # (Colombia, reference §6.2); Decimal's power is exact to 28 digits
        growth = (1 + rate / 100) ** (Decimal(days) / year_days)
        interest = Decimal(principal) * (growth - 1)
    else:
        interest = Decimal(principal) * rate / 100 * days / year_days
    return Stretch(first, last, days, rate, year_days, interest)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def half_year_of(day: date) -> date:
    """The first day of the half-year `day` is in (1 January or 1 July)."""
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def statutory_rate(reference: Decimal, margin: Decimal, round_up_to_half: bool = False) -> Decimal:
    """Reference rate plus the law's margin (EU +8, Germany +9 B2B / +5 consumers, France +10);
    Belgium rounds the sum up to the next half point (10.15 → 10.50)."""
    rate = reference + margin
    if round_up_to_half:
        rate = (rate / HALF_POINT).to_integral_value(rounding=ROUND_CEILING) * HALF_POINT
    return rate


def uk_reference_day(interest_starts: date) -> date:
    """The day whose Bank of England rate fixes a UK debt's rate for its whole life: 31
    December for interest that starts in January–June, 30 June for July–December (Late
    Payment of Commercial Debts (Rate of Interest) (No. 3) Order 2002, art. 4)."""
    if interest_starts.month <= 6:
        return date(interest_starts.year - 1, 12, 31)
    return date(interest_starts.year, 6, 30)


# UK fixed sums by the debt's size (Late Payment Act s. 5A): (below this many pence, the sum)
UK_FIXED_SUMS: Sequence[tuple[int | None, int]] = (
    (1_000_00, 40_00),
    (10_000_00, 70_00),
    (None, 100_00),
)
EU_FIXED_SUM = 40_00  # Directive 2011/7/EU art. 6: per invoice, business debtors only


def uk_fixed_sum(debt: int) -> int:
    """The fixed sum for one UK debt (pence): £40 under £1,000, £70 under £10,000, else £100."""
    for below, fixed in UK_FIXED_SUMS:
        if below is None or debt < below:
            return fixed
    raise AssertionError("the last band is open-ended")  # pragma: no cover
