"""Payment plans, pure: the schedule a plan's terms give, whether the company's guardrails
allow it, how paid money spreads over its installments, and how a plan stands on a day.
Amounts are integer minor units; the day comes in as `on`; no database, no clock.

A plan is a down payment (installment 0, due the day the plan is made) and `count` equal
installments, the first on `first_on` and then every week, fortnight or month. What is
financed is the total less the down payment; a fixed fee and simple interest on the balance
still financed in each period are added to it (the plan's fee, on a debit note). Installments
are equal in minor units; the remainder of the division goes on the last, so the schedule
always adds up to the total plus the fee, exactly."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from cobro.kit.dates import add_months

Frequency = Literal["weekly", "fortnightly", "monthly"]
FREQUENCIES: tuple[Frequency, ...] = ("weekly", "fortnightly", "monthly")
Outcome = Literal["running", "completed", "broken", "cancelled"]
State = Literal["paid", "partly_paid", "due", "missed"]

MAX_INSTALLMENTS = 120  # ten years monthly: past any guardrail a company would set
MAX_RATE = Decimal(100)  # % a year
LONGEST_ALLOWED = 120  # months, the most a company's setting may be
GRACE_ALLOWED = 60  # days
REMIND_DAYS = 3  # the reminder goes this many days before an installment is due
_DAYS = {"weekly": 7, "fortnightly": 14}
# the part of a year one period is, for simple interest
_YEAR_PART = {
    "weekly": Decimal(7) / 365,
    "fortnightly": Decimal(14) / 365,
    "monthly": Decimal(1) / 12,
}


@dataclass(frozen=True)
class Terms:
    """What a plan is asked for: `total` is what its invoices have open."""

    total: int
    count: int
    frequency: str
    first_on: date
    down_payment: int = 0
    fee: int = 0  # a fixed fee, on top of any interest
    interest_rate: Decimal | None = None  # simple, % a year, on the balance still financed


@dataclass(frozen=True)
class Installment:
    sequence: int  # 0: the down payment
    due_on: date
    amount: int


@dataclass(frozen=True)
class Schedule:
    total: int  # what the installments add up to: the open total plus the fee
    fee: int  # the fixed fee plus the interest
    interest: int
    installments: tuple[Installment, ...]

    @property
    def last_on(self) -> date:
        return self.installments[-1].due_on


@dataclass(frozen=True)
class Reason:
    """Why a plan is refused: the field at fault and the words. A `hard` reason is no plan
    at all (nobody may override it); the others are the company's guardrails."""

    field: str
    message: str
    hard: bool = False


@dataclass(frozen=True)
class Limits:
    """The company's guardrails."""

    longest_months: int
    smallest_installment: int


@dataclass(frozen=True)
class Verdict:
    schedule: Schedule | None  # None when a hard reason leaves no plan to schedule
    reasons: tuple[Reason, ...]

    @property
    def inside(self) -> bool:
        """Inside the guardrails: approved without a person."""
        return not self.reasons

    @property
    def possible(self) -> bool:
        """A person may approve it past the guardrails."""
        return self.schedule is not None and not any(r.hard for r in self.reasons)


def due_dates(first_on: date, count: int, frequency: str) -> list[date]:
    """The installments' days: monthly ones keep the first's day of the month, clamped to a
    shorter month's end (the 31st: 28 or 29 February, 30 April), without drifting after it."""
    if frequency == "monthly":
        return [add_months(first_on, k) for k in range(count)]
    step = _DAYS[frequency]
    return [first_on + timedelta(days=step * k) for k in range(count)]


def interest(financed: int, count: int, frequency: str, rate: Decimal | None) -> int:
    """Simple interest at `rate` % a year on the balance still financed in each of the
    `count` periods (equal parts repaid at the end of each), rounded half up once."""
    if not rate or financed <= 0:
        return 0
    # balances n/n, (n-1)/n, …, 1/n of what is financed: (n + 1) / 2 periods of the whole
    periods = Decimal(count + 1) / 2
    exact = Decimal(financed) * rate / 100 * _YEAR_PART[frequency] * periods
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def schedule(terms: Terms, on: date) -> Schedule:
    """The installments of `terms` made on `on` (check `hard_reasons` first)."""
    financed = terms.total - terms.down_payment
    extra = interest(financed, terms.count, terms.frequency, terms.interest_rate)
    fee = terms.fee + extra
    spread = financed + fee
    base, remainder = divmod(spread, terms.count)
    days = due_dates(terms.first_on, terms.count, terms.frequency)
    parts = [Installment(0, on, terms.down_payment)] if terms.down_payment else []
    for k, day in enumerate(days, start=1):
        parts.append(Installment(k, day, base + (remainder if k == terms.count else 0)))
    return Schedule(total=terms.total + fee, fee=fee, interest=extra, installments=tuple(parts))


def hard_reasons(terms: Terms, on: date) -> list[Reason]:
    """What makes `terms` no plan at all, whoever approves it."""
    reasons = []
    if terms.total <= 0:
        reasons.append(Reason("invoices", "nothing is open to put in a plan", True))
    if terms.frequency not in FREQUENCIES:
        words = f"frequency {terms.frequency!r}: use one of {', '.join(FREQUENCIES)}"
        reasons.append(Reason("frequency", words, True))
    if not 1 <= terms.count <= MAX_INSTALLMENTS:
        words = f"a plan has 1 to {MAX_INSTALLMENTS} installments"
        reasons.append(Reason("installments", words, True))
    if terms.first_on < on:
        words = f"the first installment is in the past ({terms.first_on}, today is {on})"
        reasons.append(Reason("first_on", words, True))
    if terms.down_payment < 0:
        reasons.append(Reason("down_payment", "the down payment cannot be negative", True))
    elif terms.total > 0 and terms.down_payment >= terms.total:
        words = "the down payment must be less than the total: else no plan is needed"
        reasons.append(Reason("down_payment", words, True))
    if terms.fee < 0:
        reasons.append(Reason("fee", "the fee cannot be negative", True))
    rate = terms.interest_rate
    if rate is not None and not (0 <= rate <= MAX_RATE):
        reasons.append(Reason("interest", f"the interest rate is 0 to {MAX_RATE}% a year", True))
    return reasons


def guardrail_reasons(plan: Schedule, first_on: date, limits: Limits) -> list[Reason]:
    """Where a schedule goes past the company's guardrails (a person may still approve it)."""
    reasons = []
    latest = add_months(first_on, limits.longest_months)
    if plan.last_on > latest:
        words = (
            f"the last installment ({plan.last_on}) is past the longest plan allowed, "
            f"{limits.longest_months} months: {latest}"
        )
        reasons.append(Reason("installments", words))
    regular = [part.amount for part in plan.installments if part.sequence > 0]
    if regular and min(regular) < limits.smallest_installment:
        words = (
            f"an installment of {min(regular)} is less than the smallest allowed, "
            f"{limits.smallest_installment} (minor units)"
        )
        reasons.append(Reason("installments", words))
    return reasons


def assess(terms: Terms, on: date, limits: Limits) -> Verdict:
    """The schedule of `terms` and every reason to refuse it: hard ones first (then there is
    no schedule), else the guardrails it goes past."""
    hard = hard_reasons(terms, on)
    if hard:
        return Verdict(None, tuple(hard))
    plan = schedule(terms, on)
    return Verdict(plan, tuple(guardrail_reasons(plan, terms.first_on, limits)))


# ---- paid money and the plan's standing ------------------------------------------------------


def allocate(amounts: Sequence[int], paid: int) -> list[int]:
    """`paid` spread over the installments in order: each is filled before the next."""
    spread = []
    left = max(paid, 0)
    for amount in amounts:
        part = min(amount, left)
        spread.append(part)
        left -= part
    return spread


def paid_days(amounts: Sequence[int], payments: Sequence[tuple[date, int]]) -> list[date | None]:
    """The day each installment was paid in full, from the money that came by day (in any
    order); None: not yet."""
    days: list[date | None] = [None] * len(amounts)
    running, index = 0, 0
    ends = [sum(amounts[: k + 1]) for k in range(len(amounts))]
    for day, amount in sorted(payments):
        running += amount
        while index < len(amounts) and running >= ends[index]:
            days[index] = day
            index += 1
    return days


def last_held_day(due_on: date, grace_days: int) -> date:
    """The last day an installment may be paid before the plan breaks."""
    return due_on + timedelta(days=grace_days)


def states(
    installments: Sequence[Installment], paid: int, on: date, grace_days: int
) -> list[State]:
    """How each installment stands on `on`: paid, partly paid, due (not yet missed), or
    missed (unpaid past its due date plus grace)."""
    spread = allocate([part.amount for part in installments], paid)
    result: list[State] = []
    for part, got in zip(installments, spread, strict=True):
        if got >= part.amount:
            result.append("paid")
        elif on > last_held_day(part.due_on, grace_days):
            result.append("missed")
        elif got > 0:
            result.append("partly_paid")
        else:
            result.append("due")
    return result


def outcome(
    installments: Sequence[Installment], paid: int, open_left: int, on: date, grace_days: int
) -> Outcome:
    """How a plan stands on `on`: completed once paid in full (money that came is never a
    broken plan); cancelled when nothing is left open on its invoices though it was not paid
    (a credit note settled them); broken once an installment is missed; else running."""
    if paid >= sum(part.amount for part in installments):
        return "completed"
    if open_left <= 0:
        return "cancelled"
    if "missed" in states(installments, paid, on, grace_days):
        return "broken"
    return "running"


def to_remind(part: Installment, paid_in_full: bool, on: date) -> bool:
    """The reminder before an installment: within `REMIND_DAYS` of its day, not for the down
    payment (due at once), not once it is paid."""
    if part.sequence == 0 or paid_in_full:
        return False
    return part.due_on - timedelta(days=REMIND_DAYS) <= on <= part.due_on


def to_notify_late(part: Installment, paid_in_full: bool, on: date, grace_days: int) -> bool:
    """The late notice: from the day after an installment's day, while its grace runs."""
    if paid_in_full:
        return False
    return part.due_on < on <= last_held_day(part.due_on, grace_days)


def check_settings(longest_months: int, smallest: int, grace_days: int) -> list[Reason]:
    """The company's plan settings: longest 1..120 months, smallest ≥ 0, grace 0..60 days."""
    reasons = []
    if not 1 <= longest_months <= LONGEST_ALLOWED:
        words = f"the longest plan is 1 to {LONGEST_ALLOWED} months"
        reasons.append(Reason("longest_months", words, True))
    if smallest < 0:
        reasons.append(Reason("smallest", "the smallest installment cannot be negative", True))
    if not 0 <= grace_days <= GRACE_ALLOWED:
        reasons.append(Reason("grace_days", f"grace days must be 0 to {GRACE_ALLOWED}", True))
    return reasons
