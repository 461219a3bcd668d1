"""Payment runs: the days a business customer pays its suppliers, learnt from its payments.

Many businesses do not pay an invoice on the day it falls due: they pay in batches, "payment
runs", every Friday, or on the 15th and the last day of the month. A reminder that lands the
day after the run waits a whole cycle for the next one, so Cobro learns each customer's runs
from the days its payments arrived and brings pre-due reminders forward to land before them.

Learning (`learn_runs`):

- Several invoices paid in one run are one run: each distinct payment day counts once.
- The candidate patterns are one or two weekdays, or one, two or three days of the month,
  where a day beyond the month's length means its last day (31 = "the last day").
- A run on a month day that falls on a Saturday or Sunday is made on the Friday before (the
  run of the 15th is made on Friday the 13th or 14th), so a Friday payment counts for the
  weekend month days that follow it; a payment on the nominal day itself counts too.
  Bank holidays are not known here and are not shifted for.
- The simplest pattern wins: each extra day must raise the share of payment days explained
  ("support") by at least 0.2, so a pattern's worth is support - 0.2 x its number of days.
  Between patterns of the same size the higher support wins.
- Guard against chance: the days of a pattern are picked from the payments themselves, so a
  pattern of k days explains k payments for free (three month days always explain three
  payments). A pattern therefore must
  - be seen more than once on each of its days (a run is a habit; one payment is not),
  - explain, among the other seen - k payment days, a share of at least `min_share` and at
    least twice what a customer paying on random business days would reach by luck (k/5 for
    k weekdays, about k x 12/261 for k month days: a month day and its weekend shift cover
    ~12 of 261 business days a year), capped at 0.9.
  With 40 random business days two weekdays reaching 0.8 is practically impossible, while a
  real Friday payer is at 1.0. Measured on random business days of one year, a pattern is
  still found for ~1 customer in 4 with 4 payment days, ~1 in 10 with 6 to 8, ~1 in 40 with
  10 to 12, and none from 20 on: few payments are weak evidence.

Scheduling (`next_run`, `last_run_by`) uses the Friday-before rule for month days (the earliest
day the run can be made, the safe side for a reminder), and `advance` turns the last run
before a due date into how many days to bring a pre-due reminder forward.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from itertools import combinations, pairwise

from cobro.errors import Invalid

LEAD_DAYS = 3  # a reminder should land this many days before the run, to be in its batch
MOST_ADVANCE = 10  # never bring a reminder forward more than this: weeks early is noise

EXTRA_DAY_GAIN = 0.2  # support an extra day in a pattern must add to be worth it
CHANCE_FACTOR = 2  # a pattern must explain this many times what luck would
CHANCE_CAP = 0.9  # ... but is never asked for more than this share
MONTHDAY_CHANCE = 12 / 261  # share of a year's business days one month day's runs cover
MAX_WEEKDAYS = 2
MAX_MONTHDAYS = 3

_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_FRIDAY = 4
_LAST = 31


class RunKind(StrEnum):
    WEEKDAY = "weekday"
    MONTHDAY = "monthday"


@dataclass(frozen=True)
class PaymentRuns:
    """A customer's payment runs: weekdays (0=Monday..6=Sunday) or month days (1..31, a day
    beyond the month's length meaning its last day), with the share of its `seen` distinct
    payment days they explain."""

    kind: RunKind
    days: tuple[int, ...]
    support: float
    seen: int

    def __post_init__(self) -> None:
        if not isinstance(self.kind, RunKind):
            raise Invalid(f"unknown payment run kind {self.kind!r}", field="kind")
        top = 6 if self.kind is RunKind.WEEKDAY else _LAST
        bottom = 0 if self.kind is RunKind.WEEKDAY else 1
        days = self.days
        if not isinstance(days, tuple) or not days:
            raise Invalid("payment runs need at least one day", field="days")
        if any(type(day) is not int or not bottom <= day <= top for day in days):
            raise Invalid(
                f"{self.kind} run days must be whole numbers {bottom}..{top}", field="days"
            )
        # one canonical spelling, so that equal runs compare equal
        if any(a >= b for a, b in pairwise(days)):
            raise Invalid("payment run days must be in increasing order, each once", field="days")
        support = self.support
        if isinstance(support, bool) or not isinstance(support, int | float):
            raise Invalid("support must be a number", field="support")
        if not (math.isfinite(support) and 0 <= support <= 1):
            raise Invalid(f"support must be between 0 and 1, not {support}", field="support")
        if type(self.seen) is not int or self.seen < 0:
            raise Invalid("seen must be a whole number of days, 0 or more", field="seen")

    def describe(self) -> str:
        """In words: "every Friday", "Tuesdays and Fridays", "on the 15th and the last day of
        the month"."""
        if self.kind is RunKind.WEEKDAY:
            if len(self.days) == 1:
                return f"every {_WEEKDAY_NAMES[self.days[0]]}"
            return _join([f"{_WEEKDAY_NAMES[day]}s" for day in self.days])
        return f"on {_join([_month_day_words(day) for day in self.days])} of the month"

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "days": list(self.days),
            "support": round(self.support, 3),
            "seen": self.seen,
        }

    @classmethod
    def from_json(cls, data: object) -> PaymentRuns:
        """Read back what `to_json` wrote; Invalid names what is wrong. Unknown keys are
        ignored, so that a later version may add some."""
        if not isinstance(data, Mapping):
            raise Invalid("payment runs must be an object", field="runs")
        for key in ("kind", "days", "support", "seen"):
            if key not in data:
                raise Invalid(f"payment runs lack {key!r}", field=key)
        kind = data["kind"]
        if kind not in {k.value for k in RunKind}:
            raise Invalid(f"unknown payment run kind {kind!r}", field="kind")
        days = data["days"]
        if not isinstance(days, list | tuple):
            raise Invalid("payment run days must be a list", field="days")
        support = data["support"]
        if isinstance(support, bool) or not isinstance(support, int | float):
            raise Invalid("support must be a number", field="support")
        seen = data["seen"]
        if type(seen) is not int:
            raise Invalid("seen must be a whole number", field="seen")
        return cls(RunKind(str(kind)), tuple(days), float(support), seen)


def _join(words: Sequence[str]) -> str:
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _month_day_words(day: int) -> str:
    if day == _LAST:
        return "the last day"
    suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"the {day}{suffix}"


# ---- the calendar of runs


def _month_length(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _months_from(day: date, first: int, last: int) -> Iterator[tuple[int, int]]:
    """(year, month) for the months `first`..`last` away from `day`'s month."""
    index = day.year * 12 + day.month - 1
    for k in range(first, last + 1):
        year, month0 = divmod(index + k, 12)
        yield year, month0 + 1


def _run_day(year: int, month: int, day: int) -> date:
    """The day a month-day run is made: the nominal day (the last day when the month is shorter),
    or the Friday before when that is a Saturday or Sunday."""
    nominal = date(year, month, min(day, _month_length(year, month)))
    weekday = nominal.weekday()
    return nominal - timedelta(days=weekday - _FRIDAY) if weekday > _FRIDAY else nominal


def _month_runs(runs: PaymentRuns, day: date, first: int, last: int) -> list[date]:
    return [
        _run_day(year, month, d)
        for year, month in _months_from(day, first, last)
        for d in runs.days
    ]


def next_run(runs: PaymentRuns, on: date) -> date:
    """The first run day on or after `on`."""
    if runs.kind is RunKind.WEEKDAY:
        return min(on + timedelta(days=(w - on.weekday()) % 7) for w in runs.days)
    # next month's run on the 1st may move back into this month, and when even that is before
    # `on` (on is the month's last Saturday) the month after's run is the next
    return min(run for run in _month_runs(runs, on, 0, 2) if run >= on)


def _previous_run(runs: PaymentRuns, day: date) -> date:
    """The last run day on or before `day`."""
    if runs.kind is RunKind.WEEKDAY:
        return max(day - timedelta(days=(day.weekday() - w) % 7) for w in runs.days)
    # last month's runs are all before `day`; next month's 1st may move back into this month
    return max(run for run in _month_runs(runs, day, -1, 1) if run <= day)


def last_run_by(runs: PaymentRuns, day: date, after: date) -> date | None:
    """The last run day on or before `day` and strictly after `after`, None if there is none."""
    run = _previous_run(runs, day)
    return run if run > after else None


# ---- learning


@dataclass(frozen=True)
class _Fit:
    kind: RunKind
    days: tuple[int, ...]
    hits: int  # distinct payment days the pattern explains
    exact: int  # ... of which on the nominal day (not moved to the Friday before)


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()  # a time of day does not make another payment day
    if isinstance(value, date):
        return value
    raise Invalid(f"a payment day must be a date, not {value!r}", field="pay_days")


def _nominal_of(day: date) -> range:
    """The month days whose nominal day is `day`: its own, and on a month's last day also every
    day beyond it (31 is the last day of a 30-day month)."""
    if day.day == _month_length(day.year, day.month):
        return range(day.day, _LAST + 1)
    return range(day.day, day.day + 1)


def _masks(days: Sequence[date]) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """Bit masks over `days` (bit i = days[i]): per weekday, per month day it explains, and per
    month day it is the nominal day of."""
    weekday: dict[int, int] = {}
    monthday: dict[int, int] = {}
    exact: dict[int, int] = {}
    for i, day in enumerate(days):
        bit = 1 << i
        weekday[day.weekday()] = weekday.get(day.weekday(), 0) | bit
        for m in _nominal_of(day):
            exact[m] = exact.get(m, 0) | bit
            monthday[m] = monthday.get(m, 0) | bit
        if day.weekday() == _FRIDAY:  # the run of the weekend after is made on this Friday
            for ahead in (1, 2):
                for m in _nominal_of(day + timedelta(days=ahead)):
                    monthday[m] = monthday.get(m, 0) | bit
    return weekday, monthday, exact


def _habits(masks: Mapping[int, int]) -> list[int]:
    """The days that explain at least two payment days: a run is a habit, one payment is not
    (and leaving the others out spares most of the 4,495 three-day patterns)."""
    return sorted(day for day, mask in masks.items() if mask.bit_count() >= 2)


def _candidates(days: Sequence[date]) -> Iterator[_Fit]:
    weekday, monthday, exact = _masks(days)
    for size in range(1, MAX_WEEKDAYS + 1):
        for chosen in combinations(_habits(weekday), size):
            hits = _union(weekday, chosen).bit_count()
            yield _Fit(RunKind.WEEKDAY, chosen, hits, hits)
    for size in range(1, MAX_MONTHDAYS + 1):
        for chosen in combinations(_habits(monthday), size):
            hits = _union(monthday, chosen).bit_count()
            yield _Fit(RunKind.MONTHDAY, chosen, hits, _union(exact, chosen).bit_count())


def _union(masks: Mapping[int, int], chosen: Iterable[int]) -> int:
    out = 0
    for day in chosen:
        out |= masks.get(day, 0)
    return out


def _needed(kind: RunKind, size: int, min_share: float) -> float:
    """The share a pattern of `size` days needs: min_share, and twice chance (capped)."""
    chance = size / 5 if kind is RunKind.WEEKDAY else size * MONTHDAY_CHANCE
    return max(min_share, min(CHANCE_FACTOR * chance, CHANCE_CAP))


def _beats_chance(fit: _Fit, seen: int, min_share: float) -> bool:
    """Whether `fit` is more than luck (see the module's docstring)."""
    size = len(fit.days)
    if seen <= size:
        return False  # nothing beyond the payments the days were picked from
    # the share of the payments its days were not picked from; a hair of tolerance so that
    # 0.6 x 5 asks for 3, not 3.0000000000000004
    return fit.hits - size >= _needed(fit.kind, size, min_share) * (seen - size) - 1e-9


def _rank(fit: _Fit, seen: int) -> tuple[int, int, int, bool, tuple[int, ...]]:
    """Order of preference, best last. Worth first, support - 0.2 x days, in whole numbers
    (5 x hits - seen x days) so that a gain of exactly 0.2 is not lost to rounding; on a tie
    the pattern with more days (it gained its 0.2), then more payments on the nominal day (the
    15th over the 14th for Friday-the-13th payers), then weekdays (no weekend moves), then the
    later days (31, the last day, over 30, when no 31-day month tells them apart)."""
    worth = round(1 / EXTRA_DAY_GAIN) * fit.hits - seen * len(fit.days)
    return worth, len(fit.days), fit.exact, fit.kind is RunKind.WEEKDAY, fit.days


def learn_runs(
    pay_days: Iterable[date], *, min_days: int = 4, min_share: float = 0.6
) -> PaymentRuns | None:
    """The customer's payment runs learnt from the days its payments arrived, None when there
    are fewer than `min_days` distinct days or no pattern explains enough of them."""
    if min_days < 1:
        raise Invalid("min_days must be 1 or more", field="min_days")
    if not 0 < min_share <= 1:
        raise Invalid("min_share must be above 0 and at most 1", field="min_share")
    days = sorted({_as_date(day) for day in pay_days})
    seen = len(days)
    if seen < min_days:
        return None
    best: _Fit | None = None
    for fit in _candidates(days):
        if not _beats_chance(fit, seen, min_share):
            continue
        if best is None or _rank(fit, seen) > _rank(best, seen):
            best = fit
    if best is None:
        return None
    return PaymentRuns(best.kind, best.days, best.hits / seen, seen)


# ---- timing reminders


def advance(
    runs: PaymentRuns | None,
    *,
    due: date,
    issued: date,
    offset: int,
    lead: int = LEAD_DAYS,
    most: int = MOST_ADVANCE,
) -> int:
    """How many days to bring forward the pre-due reminder of a stage `offset` days from the due
    date (offset < 0) so that it lands at least `lead` days before the customer's last payment
    run on or before the due date. 0 means "leave it where it is"."""
    if lead < 0 or most < 0:
        raise Invalid("lead and most must be 0 or more days", field="lead" if lead < 0 else "most")
    # a stage on or after the due date chases a payment already missed: no run to catch
    if offset >= 0 or runs is None:
        return 0
    # only a run after issue can pay this invoice: one before it knew nothing of it
    run = last_run_by(runs, due, after=issued)
    if run is None:
        return 0
    stage_day = due + timedelta(days=offset)
    wanted = run - timedelta(days=lead)
    if stage_day <= wanted:
        return 0  # lands in time for the run already
    if wanted <= issued:
        return 0  # a reminder cannot go out before (or on the day) the invoice was issued
    shift = (stage_day - wanted).days
    # further than `most` means weeks early for a run we could not make anyway: the run before
    # is hopeless, and an early reminder reads as a mistake
    return 0 if shift > most else shift
