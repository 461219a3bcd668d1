"""The worklist's ranking and its reasons, as a credit controller would set them. Pure: no
database, no clock (the day comes in as `on`).

Who to call first? The money at risk and how old it is first: each overdue item weighs its open
amount times the weight of its age band (1–30 days ×1, 31–60 ×2, 61–90 ×3, over 90 ×4), so
€10,000 at 45 days (20,000) comes before €12,000 at 10 days (12,000). That sum is then scaled:

- by the risk grade (A ×0.8, B ×1, C ×1.25, D ×1.5; no grade ×1): a bad payer's euro is at
  more risk;
- up by 25 % for an open call task (the policy asked for a call), 25 % for failed messages
  (the letters and emails do not reach them: only a person will), 50 % for a promise to pay
  broken in the last 30 days.

Customers on hold (a customer-wide hold in force: dispute, promise, plan, "I've paid", manual
pause, agency; or every overdue item held on its own) are shown, but after everyone else.
Items held on their own (a disputed invoice) do not count towards the amount to chase.

The stage (where the policy's chase is) is shown in the reason but does not weigh on its own:
the policy's stages are offsets from the due date, so the age bands already carry it, and
reading each item's current stage for 100,000 customers costs seconds, not milliseconds
(`policy.progress`). Issue #9 replaces this with a scored ranking; the SQL in
`worklist.repository` computes the same `priority` (a test keeps them in step).

Amounts of different currencies are never added: a customer owing in two currencies is two
rows, each ranked on its own amount.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

# (the most days overdue of the band, its weight); the last band has no end
AGE_BANDS: tuple[tuple[int | None, int], ...] = ((30, 1), (60, 2), (90, 3), (None, 4))
GRADE_PERCENT = {"A": 80, "B": 100, "C": 125, "D": 150}
NO_GRADE_PERCENT = 100
CALL_TASK_BUMP = 25  # percent
FAILED_MESSAGES_BUMP = 25
BROKEN_PROMISE_BUMP = 50
BROKEN_PROMISE_DAYS = 30  # a promise that ended unpaid within this many days counts as broken


def age_weight(days_overdue: int) -> int:
    """The weight of an item `days_overdue` days past its due date (at least 1)."""
    for most, weight in AGE_BANDS:
        if most is None or days_overdue <= most:
            return weight
    raise AssertionError("unreachable: the last band has no end")


def band_starts(on: date) -> list[tuple[date | None, int]]:
    """(the earliest due date of the band, its weight), youngest band first: what SQL compares
    due dates with (None: no earliest, the last band)."""
    return [(None if most is None else on - timedelta(days=most), w) for most, w in AGE_BANDS]


def grade_percent(grade: str | None) -> int:
    return GRADE_PERCENT.get(grade or "", NO_GRADE_PERCENT)


def bump_percent(call_tasks: int, failed_messages: int, promise_broken: bool) -> int:
    return (
        (CALL_TASK_BUMP if call_tasks else 0)
        + (FAILED_MESSAGES_BUMP if failed_messages else 0)
        + (BROKEN_PROMISE_BUMP if promise_broken else 0)
    )


@dataclass(frozen=True)
class Facts:
    """What the worklist knows of one customer's overdue items in one currency on `on`."""

    customer_id: int
    external_id: str
    name: str
    currency: str
    overdue: int  # minor units overdue and not held on their own: the amount to chase
    weighted: int  # sum of each such item's open amount × its age weight
    oldest_due: date | None  # the due date of the oldest such item
    items: int  # overdue items, held ones included
    held: int = 0  # minor units overdue on items held on their own (a disputed invoice…)
    grade: str | None = None
    collector: str | None = None
    call_tasks: int = 0  # open call tasks
    failed_messages: int = 0  # actions that failed and were not retried
    hold: str | None = None  # kind of a customer-wide hold in force
    hold_until: date | None = None  # its last day (None: open-ended)
    promise_broken_on: date | None = None  # the last day of a promise broken lately
    # filled for the rows of a page only
    stage: str | None = None
    last_call: tuple[str, date] | None = None  # (outcome, day)
    queued: int = 0  # queued actions ("send now")

    @property
    def on_hold(self) -> bool:
        return self.hold is not None or self.overdue <= 0

    def days_overdue(self, on: date) -> int:
        return max(0, (on - self.oldest_due).days) if self.oldest_due else 0


def priority(facts: Facts) -> int:
    """The higher, the sooner to work on (comparable within one currency)."""
    bump = bump_percent(
        facts.call_tasks, facts.failed_messages, facts.promise_broken_on is not None
    )
    return facts.weighted * grade_percent(facts.grade) * (100 + bump)


def sort_key(facts: Facts) -> tuple[bool, int, int, str]:
    """Those not on hold first; then the highest priority; ties by customer, then currency."""
    return (facts.on_hold, -priority(facts), facts.customer_id, facts.currency)


def rank(facts: Iterable[Facts]) -> list[Facts]:
    return sorted(facts, key=sort_key)


# ---- the reason, in words ---------------------------------------------------------------------

Gettext = Callable[[str], str]
Money = Callable[[int, str], str]


@dataclass(frozen=True)
class Part:
    """One piece of the reason: an English text with {placeholders} (the message id of its
    translation) and their values."""

    text: str
    values: tuple[tuple[str, object], ...] = ()


def reasons(facts: Facts, on: date) -> list[Part]:
    """Why this row is where it is, most important first, e.g. "€12,400.00 overdue, 45 days,
    stage firm, grade D, call task open, promise none"."""
    parts = [
        Part("{amount} overdue", (("amount", (facts.overdue, facts.currency)),)),
        Part("{days} days", (("days", facts.days_overdue(on)),)),
    ]
    if facts.held:
        parts.append(Part("{amount} held", (("amount", (facts.held, facts.currency)),)))
    parts.append(_stage(facts))
    parts.append(Part("grade {grade}", (("grade", facts.grade),)) if facts.grade else _NO_GRADE)
    parts.extend(_work(facts))
    parts.append(_promise(facts))
    if facts.hold is not None:
        parts.append(_hold(facts))
    elif facts.overdue <= 0:
        parts.append(Part("every overdue item on hold"))
    if facts.last_call is not None:
        outcome, day = facts.last_call
        parts.append(Part("last call {day}: {outcome}", (("day", day), ("outcome", outcome))))
    return parts


_NO_GRADE = Part("no grade")


def _stage(facts: Facts) -> Part:
    if facts.stage is None:
        return Part("not chased yet")
    return Part("stage {stage}", (("stage", facts.stage),))


def _work(facts: Facts) -> list[Part]:
    parts = []
    if facts.call_tasks == 1:
        parts.append(Part("call task open"))
    elif facts.call_tasks > 1:
        parts.append(Part("{count} call tasks open", (("count", facts.call_tasks),)))
    if facts.failed_messages == 1:
        parts.append(Part("1 failed message"))
    elif facts.failed_messages > 1:
        parts.append(Part("{count} failed messages", (("count", facts.failed_messages),)))
    return parts


def _promise(facts: Facts) -> Part:
    if facts.hold == "promise":
        if facts.hold_until is None:
            return Part("promise open")
        return Part("promise until {day}", (("day", facts.hold_until),))
    if facts.promise_broken_on is not None:
        return Part("promise broken {day}", (("day", facts.promise_broken_on),))
    return Part("promise none")


def _hold(facts: Facts) -> Part:
    kind = ("hold", facts.hold)
    if facts.hold_until is None:
        return Part("on hold: {hold}", (kind,))
    return Part("on hold: {hold} until {day}", (kind, ("day", facts.hold_until)))


def describe(
    parts: Sequence[Part], money: Money, gettext: Gettext = str, day: Callable[[date], str] = str
) -> str:
    """The reason as one line, each part translated by `gettext` (words such as a hold's kind
    or a call's outcome too), amounts by `money`, days by `day`."""
    words = []
    for part in parts:
        values: dict[str, str] = {}
        for name, value in part.values:
            if name == "amount" and isinstance(value, tuple):
                values[name] = money(int(value[0]), str(value[1]))
            elif isinstance(value, date):
                values[name] = day(value)
            elif name in ("hold", "outcome"):  # a code: its translation, else its words
                values[name] = gettext(str(value)).replace("_", " ")
            else:
                values[name] = str(value)
        words.append(gettext(part.text).format(**values))
    return ", ".join(words)
