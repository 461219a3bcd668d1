"""The worklist's ranking and its reasons. Pure: no database, no clock (the day comes in as
`on`).

Who to call first? The one where acting now is worth most: the **expected value of acting**,

    money at risk × urgency of its stage × chance it is paid late × (1 + signals) ÷ effort

- **money × urgency**: each overdue item weighs its open amount times the weight of its age
  band (1–30 days ×1, 31–60 ×2, 61–90 ×3, over 90 ×4): the further along the chase, the
  costlier each day of waiting, so €10,000 at 45 days (20,000) comes before €12,000 at 10 days
  (12,000). The policy's stages are offsets from the due date, so the bands carry the stage.
- **chance of paying late**: the customer's score from the collection ranking's model
  (`cobro.scoring`, in per mille), or, where the model has not scored the customer, a chance
  read from its grade (A 20 %, B 40 %, C 65 %, D 85 %; no grade 50 %). Never below 5 %: even a
  good payer's overdue euro is at some risk.
- **signals** raise it: 25 % for an open call task (the policy asked for a call), 25 % for
  failed messages (the letters and emails do not reach them: only a person will), 50 % for a
  promise to pay broken in the last 30 days.
- **effort**: a customer with many overdue invoices takes longer to work through: each item
  beyond the first adds 10 % (at most +100 %).

Customers on hold (a customer-wide hold in force: dispute, promise, plan, "I've paid", manual
pause, agency; or every overdue item held on its own) are shown, but after everyone else.
Items held on their own (a disputed invoice) do not count towards the amount to chase.

Amounts of different currencies are never added: a customer owing in two currencies is two
rows, each ranked on its own amount. The SQL in `worklist.repository` computes the same
`priority` (a test keeps them in step).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

# (the most days overdue of the band, its weight); the last band has no end
AGE_BANDS: tuple[tuple[int | None, int], ...] = ((30, 1), (60, 2), (90, 3), (None, 4))
# the chance of paying late (per mille) a grade stands for, where the model gave none
GRADE_RISK = {"A": 200, "B": 400, "C": 650, "D": 850}
NO_GRADE_RISK = 500
RISK_FLOOR = 50
EFFORT_PER_ITEM = 10  # percent more effort per overdue item beyond the first
EFFORT_MOST = 100
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


def risk_permille(late_permille: int | None, grade: str | None) -> int:
    """The chance of paying late the ranking uses: the model's, else the grade's."""
    found = late_permille if late_permille is not None else GRADE_RISK.get(grade or "")
    return max(RISK_FLOOR, NO_GRADE_RISK if found is None else found)


def effort_percent(items: int) -> int:
    return 100 + min(EFFORT_MOST, EFFORT_PER_ITEM * max(0, items - 1))


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
    late_permille: int | None = None  # the model's chance of paying late (None: unscored)
    hold: str | None = None  # kind of a customer-wide hold in force
    hold_until: date | None = None  # its last day (None: open-ended)
    promise_broken_on: date | None = None  # the last day of a promise broken lately
    # filled for the rows of a page only
    stage: str | None = None
    last_call: tuple[str, date] | None = None  # (outcome, day)
    queued: int = 0  # queued actions ("send now")
    why: str | None = None  # the model's first reason (English), from the customer's score
    next_run: date | None = None  # the customer's next expected payment run

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
    risk = risk_permille(facts.late_permille, facts.grade)
    return facts.weighted * risk * (100 + bump) // effort_percent(facts.items)


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
    if facts.late_permille is not None:
        percent = round(facts.late_permille / 10)
        parts.append(Part("{percent}% likely to pay late", (("percent", percent),)))
    if facts.why:
        parts.append(Part(facts.why))
    parts.extend(_work(facts))
    parts.append(_promise(facts))
    if facts.hold is not None:
        parts.append(_hold(facts))
    elif facts.overdue <= 0:
        parts.append(Part("every overdue item on hold"))
    if facts.last_call is not None:
        outcome, day = facts.last_call
        parts.append(Part("last call {day}: {outcome}", (("day", day), ("outcome", outcome))))
    if facts.next_run is not None:
        parts.append(Part("next payment run {day}", (("day", facts.next_run),)))
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
