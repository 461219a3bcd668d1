"""The 13-week cash-in forecast, and how it compared with the cash that came in. Pure.

The days-to-pay model gives each open item a predicted pay day, and its validation set gives a
spread of errors: residuals in days (actual pay day minus predicted), each equally likely. So an
item's pay day is `pay_on + r` for one of those residuals, and the share of residuals that land
in a week is the chance the item is paid that week.

- The item is still open on the forecast day `on`, so an outcome before `on` did not happen: the
  outcomes are conditioned on pay day >= `on` (the earlier ones are dropped, the rest stay
  equally likely). An item predicted for last week is then spread over the outcomes still ahead.
- When no outcome is left (the item is later than anything the model has seen), it is put in
  week 1 with certainty, as the best guess for money already overdue, and its amount is also
  reported in `Forecast.past_model` per currency: the report should warn that this part of the
  forecast is outside the model's experience.
- Week 1 starts on the Monday of `on`'s ISO week; outcomes after the last week are `later`.
- A week's expected cash is the sum of amount x chance; items are taken as independent, so its
  variance is the sum of amount^2 x p x (1 - p), and the interval is expected -/+ z x sd (normal
  approximation, low never below 0). Rounding happens once per week and currency, on the exact
  sums, never per item.
- Currencies are never added together: one series per currency.

Speed: items are grouped by (currency, pay day) first; the chances depend only on the pay day,
so each distinct day needs weeks + 1 bisects on the residuals (sorted once), whatever the number
of items. 200,000 items cost one pass of additions.

`compare` sets a past forecast against the cash received per week (only weeks fully over), and
`summary` gives per currency the mean absolute error, the bias and how often the interval held.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from itertools import pairwise
from statistics import NormalDist
from typing import NamedTuple

from cobro.errors import Invalid
from cobro.kit.money import check_currency

MAX_WEEKS = 52


class Expected(NamedTuple):
    """One open item: what is still owed and the day the model predicts it is paid."""

    open_amount: int  # minor units, > 0
    currency: str
    pay_on: date


@dataclass(frozen=True)
class ForecastWeek:
    """Cash expected in one currency in the week starting `start` (a Monday), with its interval."""

    start: date
    currency: str
    expected: int
    low: int
    high: int


@dataclass(frozen=True)
class Forecast:
    """The forecast made on `on`.

    `weeks` holds every week for every currency that has open items (zero weeks included, so a
    series is always complete), ordered by currency, then start. `later` is the cash expected
    after the last week, per currency (every currency, 0 included). `past_model` is the open
    amount, per currency, of items whose predicted day plus every residual is already before
    `on`; it is counted in week 1 as well, and only currencies with such items appear.
    """

    on: date
    weeks: tuple[ForecastWeek, ...]
    later: dict[str, int]
    past_model: dict[str, int]


@dataclass(frozen=True)
class WeekCheck:
    """One forecast week against the cash that came in that week."""

    start: date
    currency: str
    expected: int
    low: int
    high: int
    received: int
    error: int  # received - expected
    inside: bool  # low <= received <= high


@dataclass(frozen=True)
class CheckSummary:
    """How one currency's forecast did over the weeks compared (amounts in minor units)."""

    weeks: int
    mae: int  # mean absolute error, rounded half up
    bias: int  # mean error (received - expected), rounded half away from zero
    inside_share: float  # share of weeks whose cash fell inside the interval
    expected: int
    received: int


def week_starts(on: date, weeks: int = 13) -> list[date]:
    """The Mondays of the forecast weeks; week 1 is the ISO week (Monday first) holding `on`."""
    _check_weeks(weeks)
    first = on - timedelta(days=on.weekday())
    return [first + timedelta(weeks=index) for index in range(weeks)]


def forecast(
    items: Iterable[Expected],
    residuals: Sequence[int],
    on: date,
    weeks: int = 13,
    level: float = 0.9,
) -> Forecast:
    """Cash expected per week and currency over `weeks` weeks from `on`, with a `level` interval."""
    _check_weeks(weeks)
    if not 0 < level < 1:
        raise Invalid(f"level {level} must be between 0 and 1 (e.g. 0.9)", field="level")
    if not residuals:
        raise Invalid("residuals are empty: the model needs at least one error", field="residuals")
    starts = week_starts(on, weeks)
    amounts, squares = _group(items, starts[0].toordinal())
    outcomes = sorted(residuals)
    # exact sums per (currency, n outcomes left): amount x count over n, and amount^2 x count x
    # (n - count) over n^2; dividing once at the end keeps week totals exact until their rounding
    means: dict[tuple[str, int], list[int]] = {}
    variances: dict[tuple[str, int], list[int]] = {}
    past_model: dict[str, int] = defaultdict(int)
    first_allowed = (on - starts[0]).days  # days from week 1's Monday to `on`
    for (currency, day), amount in amounts.items():
        counts = _counts(outcomes, day, first_allowed, weeks)
        if counts is None:  # every outcome is before `on`: week 1, certainly, and flagged
            past_model[currency] += amount
            counts = [1] + [0] * weeks
        left = sum(counts)
        mean = means.setdefault((currency, left), [0] * (weeks + 1))
        spread = variances.setdefault((currency, left), [0] * (weeks + 1))
        square = squares[currency, day]
        for index, count in enumerate(counts):
            mean[index] += amount * count
            spread[index] += square * count * (left - count)
    z = NormalDist().inv_cdf((1 + level) / 2)
    currencies = sorted({currency for currency, _ in amounts})
    series: list[ForecastWeek] = []
    later: dict[str, int] = {}
    for currency in currencies:
        exact = _divide(means, currency, weeks, power=1)
        variance = _divide(variances, currency, weeks, power=2)
        for index, start in enumerate(starts):
            series.append(_week(start, currency, exact[index], variance[index], z))
        later[currency] = _round_half_up(exact[weeks])
    return Forecast(on=on, weeks=tuple(series), later=later, past_model=dict(past_model))


def compare(
    forecast: Forecast, received: Mapping[tuple[str, date], int], until: date
) -> list[WeekCheck]:
    """Each forecast week that was over before `until`, against the cash received in it.

    `received` maps (currency, week start) to cash received that week; a week missing from it
    received nothing. It should hold only cash for items open on the forecast day, or the check
    also measures invoices issued since. Keys for weeks or currencies the forecast does not
    have are ignored: there is no forecast to compare them with.
    """
    checks: list[WeekCheck] = []
    for week in forecast.weeks:
        if week.start + timedelta(days=6) >= until:  # the week is not over yet: cash still to come
            continue
        cash = received.get((week.currency, week.start), 0)
        checks.append(
            WeekCheck(
                start=week.start,
                currency=week.currency,
                expected=week.expected,
                low=week.low,
                high=week.high,
                received=cash,
                error=cash - week.expected,
                inside=week.low <= cash <= week.high,
            )
        )
    return checks


def summary(checks: Iterable[WeekCheck]) -> dict[str, CheckSummary]:
    """Per currency: weeks compared, mean absolute error, bias, interval hit rate, totals."""
    by_currency: dict[str, list[WeekCheck]] = defaultdict(list)
    for check in checks:
        by_currency[check.currency].append(check)
    result: dict[str, CheckSummary] = {}
    for currency in sorted(by_currency):
        rows = by_currency[currency]
        count = len(rows)
        result[currency] = CheckSummary(
            weeks=count,
            mae=_round_half_up(Fraction(sum(abs(row.error) for row in rows), count)),
            bias=_round_half_up(Fraction(sum(row.error for row in rows), count)),
            inside_share=sum(row.inside for row in rows) / count,
            expected=sum(row.expected for row in rows),
            received=sum(row.received for row in rows),
        )
    return result


def _check_weeks(weeks: int) -> None:
    if not 1 <= weeks <= MAX_WEEKS:
        raise Invalid(f"weeks {weeks} must be between 1 and {MAX_WEEKS}", field="weeks")


def _group(
    items: Iterable[Expected], monday: int
) -> tuple[dict[tuple[str, int], int], dict[tuple[str, int], int]]:
    """Sum amounts and squared amounts per (currency, pay day as days after week 1's Monday)."""
    amounts: dict[tuple[str, int], int] = defaultdict(int)
    squares: dict[tuple[str, int], int] = defaultdict(int)
    codes: dict[str, str] = {}  # as given -> checked ISO code; checked once per distinct text
    for index, item in enumerate(items):
        amount, currency, pay_on = item
        if amount <= 0:
            raise Invalid(
                f"item {index} has open amount {amount}: it must be more than 0",
                field=f"items[{index}].open_amount",
            )
        code = codes.get(currency)
        if code is None:
            code = codes[currency] = _checked_currency(currency, index)
        key = (code, pay_on.toordinal() - monday)
        amounts[key] += amount
        squares[key] += amount * amount
    return amounts, squares


def _checked_currency(currency: str, index: int) -> str:
    try:
        return check_currency(currency)
    except Invalid as error:
        raise Invalid(f"item {index}: {error.message}", field=f"items[{index}].currency") from None


def _counts(outcomes: Sequence[int], day: int, first_allowed: int, weeks: int) -> list[int] | None:
    """How many outcomes land in each week, then after the last; None when all are before `on`.

    Days count from week 1's Monday, so week w (0-based) is days 7w..7w+6; an outcome is
    `day + r`, in week w when 7w - day <= r < 7(w + 1) - day. The bounds rise, so bisecting at
    each gives the counts as differences, without visiting every residual.
    """
    bounds = [first_allowed - day] + [7 * week - day for week in range(1, weeks + 1)]
    # `on` is in week 1, so first_allowed <= 6 < 7 and the bounds never go backwards
    cuts = [bisect_left(outcomes, bound) for bound in bounds]
    if cuts[0] == len(outcomes):
        return None
    cuts.append(len(outcomes))  # the last cut to the end: after the last week
    return [high - low for low, high in pairwise(cuts)]


def _divide(
    sums: Mapping[tuple[str, int], list[int]], currency: str, weeks: int, power: int
) -> list[Fraction]:
    """Exact per-week totals for one currency: each numerator over its outcomes left ** power."""
    totals = [Fraction(0)] * (weeks + 1)
    for (code, left), numerators in sums.items():
        if code == currency:
            totals = [
                total + Fraction(part, left**power)
                for total, part in zip(totals, numerators, strict=True)
            ]
    return totals


def _week(
    start: date, currency: str, exact: Fraction, variance: Fraction, z: float
) -> ForecastWeek:
    expected = _round_half_up(exact)
    margin = z * math.sqrt(variance)
    middle = float(exact)
    # clamp around the rounded expectation: float rounding must never put low above it or high
    # below it
    low = min(expected, max(0, _round_half_up(Fraction(middle - margin))))
    high = max(expected, _round_half_up(Fraction(middle + margin)))
    return ForecastWeek(start=start, currency=currency, expected=expected, low=low, high=high)


def _round_half_up(value: Fraction) -> int:
    """Nearest integer, halves away from zero (as Decimal's ROUND_HALF_UP does)."""
    magnitude = (2 * abs(value.numerator) + value.denominator) // (2 * value.denominator)
    return magnitude if value >= 0 else -magnitude
