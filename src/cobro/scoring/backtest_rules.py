"""What a collection policy would have done over a past period of the real ledger. Pure.

Before switching policy a manager wants to see the candidate and the current one side by side on
their own invoices: messages and letters sent, fees charged, how often each customer was
contacted, and what that might have done to DSO. `replay` runs the real daily decision
(`cycle.rules.plan_customer`) day by day over the past items, so the replay cannot drift from
what the cycle does. Its assumptions, each the plain one:

- Every item follows the given policy (id 1 for `plan_customer`) and every message is delivered
  (an item's `delivered` is the last stage it reached).
- No stage was reached before the simulation: it starts with a **warm-up** of `warmup_days`
  before `start`. Items already overdue on its first day jump to their latest stage, as in the
  real cycle when an item comes late into Cobro; that artificial burst lands in the warm-up,
  which is simulated but not counted.
- Holds of the past are ignored: the replay measures the policy, not the holds people happened
  to place. An item is chased from its issue date while it is open and not settled.

It is event-driven rather than a loop over every item on every day: a customer's day is only
planned when one of its items could move. An item that found no stage to move to cannot move
again until its days past due reach a later stage's offset, its `min_gap` after a move ends, or
its open amount changes (a reversed payment can bring it back over a stage's minimum). On every
other day `plan_customer` would return nothing, so the result is the full daily loop's (a test
holds the two together); 5,000 items over 180 days take about a second.

`dso_effect` turns the contacts of two replays into an estimated DSO change (its docstring says
how). Whether a champion/challenger split differs by more than chance is `scoring.significance`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from statistics import fmean
from typing import NamedTuple

from cobro.cycle.rules import Debtor, OpenItem, Plan, plan_customer
from cobro.errors import Invalid
from cobro.policy.fees import FeeBasis, fee_amount
from cobro.policy.rules import CHANNELS, ActionKind, Policy, check_policy

POLICY_ID = 1
LETTERS = frozenset({ActionKind.LETTER, ActionKind.REGISTERED_LETTER})
# what puts a person in front of the debtor: a message, or a collector's call
CONTACTS = CHANNELS | {ActionKind.CALL_TASK}
_NEVER = date.max
_DAY = timedelta(days=1)


class PastItem(NamedTuple):
    invoice_id: int
    customer_id: int
    currency: str
    issue_date: date
    due_date: date
    total: int  # minor units
    reductions: tuple[tuple[date, int], ...]  # payments, credits, write-offs, in day order
    settled_on: date | None


def open_on(item: PastItem, day: date) -> int:
    """The item's open amount at the end of `day`: nothing before it was issued, never below 0."""
    if day < item.issue_date:
        return 0
    return max(0, item.total - sum(amount for when, amount in item.reductions if when <= day))


class ContactLoad(NamedTuple):
    """Contacts per customer and ISO week, over the customer-weeks with at least one."""

    max: int
    mean: float


@dataclass(frozen=True)
class Replay:
    actions: Counter[ActionKind]  # counted days only
    messages: int  # actions on a channel (`policy.rules.CHANNELS`)
    letters: int  # letters and registered letters
    fees: dict[str, int]  # per currency, minor units
    contacts_per_customer_week: ContactLoad
    first_contact: dict[int, date]  # invoice id → first counted day a message covered it
    contacts: dict[int, tuple[date, ...]]  # invoice id → every day a message covered it


class _Track:
    """One item's simulated chase: internal running state, changed as the days go by."""

    __slots__ = ("current", "days", "first", "item", "last", "paid", "seen", "stage_on", "wake")

    def __init__(self, item: PastItem, first: date, end: date, reach: int) -> None:
        self.item = item
        ordered = sorted(item.reductions)
        self.days = [when for when, _ in ordered]
        self.paid = list(accumulate(amount for _, amount in ordered))
        # an item due further ahead than the earliest stage's offset cannot be at any stage
        self.first = max(first, item.issue_date, item.due_date + timedelta(days=reach))
        settled = item.settled_on
        self.last = end if settled is None else min(end, settled - _DAY)
        self.current: str | None = None
        self.stage_on: date | None = None
        self.wake = self.first  # the first day it could move
        self.seen = -1  # open amount when it last looked for a stage (-1: never)

    def open_on(self, day: date) -> int:
        index = bisect_right(self.days, day)
        return max(0, self.item.total - (self.paid[index - 1] if index else 0))

    def next_event(self, after: date) -> date | None:
        """The first day after `after` on which the item could move, or None."""
        day = max(self.first, self.wake, after + _DAY)
        index = bisect_right(self.days, after)
        if index < len(self.days):
            day = min(day, max(self.first, self.days[index]))
        return day if day <= self.last else None


class _Tally:
    """What the counted days add up to (internal accumulator)."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.actions: Counter[ActionKind] = Counter()
        self.fees: defaultdict[str, int] = defaultdict(int)
        self.weeks: Counter[tuple[int, int, int]] = Counter()
        self.contacts: defaultdict[int, list[date]] = defaultdict(list)

    def add(self, customer_id: int, day: date, plan: Plan, currency: Mapping[int, str]) -> None:
        self.actions.update(list(plan.actions))  # a dict would add its values
        contacts = sum(1 for kind in plan.actions if kind in CONTACTS)
        if contacts:
            year, week, _ = day.isocalendar()
            self.weeks[customer_id, year, week] += contacts
        # one message lists every item that moved today, so it covers each of them
        if any(kind in CHANNELS for kind in plan.actions):
            for step in plan.steps:
                self.contacts[step.invoice_id].append(day)
        if ActionKind.FEE in plan.actions:
            self._charge(plan, currency)

    def _charge(self, plan: Plan, currency: Mapping[int, str]) -> None:
        """Each item that reached a stage with a fee pays it, or its customer once per stage and
        currency on their total when the fee is per notice (as `charge.service` records)."""
        notices: defaultdict[tuple[str, str], int] = defaultdict(int)
        for step in plan.steps:
            stage = self.policy.stages[self.policy.positions[step.stage]]
            fee = stage.fee if ActionKind.FEE in stage.actions else None
            if fee is None:
                continue
            if fee.per is FeeBasis.NOTICE:
                notices[stage.code, currency[step.invoice_id]] += step.open_amount
            else:
                self._add_fee(stage.code, step.open_amount, currency[step.invoice_id])
        for (code, money), total in notices.items():
            self._add_fee(code, total, money)

    def _add_fee(self, code: str, open_amount: int, currency: str) -> None:
        fee = self.policy.stages[self.policy.positions[code]].fee
        amount = None if fee is None else fee_amount(fee, open_amount, currency)
        if amount is not None:  # a fee that says nothing for the currency charges nothing
            self.fees[currency] += amount


def replay(
    items: Sequence[PastItem],
    debtors: Mapping[int, Debtor],
    policy: Policy,
    start: date,
    end: date,
    warmup_days: int = 30,
    min_gap: int = 0,
) -> Replay:
    """Run `policy` over `items` from `warmup_days` before `start` to `end`; count `start`..`end`.

    `min_gap` mirrors the company's setting (`OpenItem.min_gap`). Customers are independent, so
    each is run on its own over the days its items could move (see the module docstring).
    """
    _check_period(start, end)
    for name, value in (("warmup_days", warmup_days), ("min_gap", min_gap)):
        if value < 0:
            raise Invalid(f"{name} cannot be negative ({value})", field=name)
    check_policy(policy)
    first = start - timedelta(days=warmup_days)
    reach = min(stage.offset for stage in policy.stages)
    by_customer: defaultdict[int, list[_Track]] = defaultdict(list)
    seen: set[int] = set()
    for item in items:
        if item.invoice_id in seen:
            raise Invalid(f"invoice {item.invoice_id} is given twice", field="items")
        seen.add(item.invoice_id)
        if item.customer_id not in debtors:
            raise Invalid(f"customer {item.customer_id} has no debtor facts", field="debtors")
        track = _Track(item, first, end, reach)
        if track.first <= track.last:
            by_customer[item.customer_id].append(track)
    tally = _Tally(policy)
    for customer_id in sorted(by_customer):
        tracks = sorted(by_customer[customer_id], key=lambda track: track.item.invoice_id)
        _chase(debtors[customer_id], tracks, policy, start, min_gap, tally)
    return _result(tally)


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise Invalid(f"the period ends ({end}) before it starts ({start})", field="end")


def _chase(
    debtor: Debtor, tracks: list[_Track], policy: Policy, start: date, min_gap: int, tally: _Tally
) -> None:
    """One customer's chase, planned on the days one of its items could move."""
    policies = {POLICY_ID: policy}
    day: date | None = min(track.first for track in tracks)
    while day is not None:
        rows = _rows(tracks, day, min_gap)
        if any(track.wake <= day or row.open_amount != track.seen for track, row in rows):
            plan = plan_customer(debtor, [row for _, row in rows], policies, {}, day)
            _advance(policy, rows, plan, day, min_gap)
            if day >= start:
                currency = {track.item.invoice_id: track.item.currency for track, _ in rows}
                tally.add(debtor.customer_id, day, plan, currency)
        after = day
        day = min(
            (d for track in tracks if (d := track.next_event(after)) is not None), default=None
        )


def _rows(tracks: list[_Track], day: date, min_gap: int) -> list[tuple[_Track, OpenItem]]:
    """The customer's items chased on `day`: issued, not settled, something still open."""
    rows = []
    for track in tracks:
        if not track.first <= day <= track.last:
            continue
        amount = track.open_on(day)
        if amount > 0:
            item = track.item
            row = OpenItem(
                item.invoice_id,
                item.due_date,
                amount,
                item.currency,
                POLICY_ID,
                track.current,
                track.stage_on,
                track.current,  # every message delivered: the last stage reached
                None,  # holds of the past are ignored
                min_gap,
            )
            rows.append((track, row))
    return rows


def _advance(
    policy: Policy, rows: list[tuple[_Track, OpenItem]], plan: Plan, day: date, min_gap: int
) -> None:
    moved = {step.invoice_id: step.stage for step in plan.steps}
    gap = max(min_gap, 1)  # `plan_customer` never moves an item twice in a day
    for track, row in rows:
        code = moved.get(row.invoice_id)
        if code is not None:
            track.current, track.stage_on, track.seen = code, day, row.open_amount
            track.wake = day + timedelta(days=gap)
        elif track.stage_on is None or (day - track.stage_on).days >= gap:
            # it looked and found nothing: only a later offset or a new open amount can change it
            track.seen = row.open_amount
            track.wake = _next_offset_day(policy, track, day)


def _next_offset_day(policy: Policy, track: _Track, day: date) -> date:
    after = 0 if track.current is None else policy.positions[track.current] + 1
    offsets = [stage.offset for stage in policy.stages]
    index = bisect_right(offsets, (day - track.item.due_date).days, lo=after)
    if index == len(offsets):
        return _NEVER
    return track.item.due_date + timedelta(days=offsets[index])


def _result(tally: _Tally) -> Replay:
    weeks = list(tally.weeks.values())
    load = ContactLoad(max(weeks), fmean(weeks)) if weeks else ContactLoad(0, 0.0)
    contacts = {invoice: tuple(days) for invoice, days in sorted(tally.contacts.items())}
    return Replay(
        actions=tally.actions,
        messages=sum(count for kind, count in tally.actions.items() if kind in CHANNELS),
        letters=sum(count for kind, count in tally.actions.items() if kind in LETTERS),
        fees=dict(sorted(tally.fees.items())),
        contacts_per_customer_week=load,
        first_contact={invoice: days[0] for invoice, days in contacts.items()},
        contacts=contacts,
    )


@dataclass(frozen=True)
class DsoEffect:
    current_dso: dict[str, float]  # per currency, days, rounded to 0.1
    candidate_dso: dict[str, float]
    difference: dict[str, float]  # candidate − current
    moved: int  # invoices whose payment moved
    days_moved: int  # sum of the signed moves (negative: paid sooner)


def dso_effect(
    items: Sequence[PastItem],
    current: Replay,
    candidate: Replay,
    start: date,
    end: date,
    response_days: int = 7,
) -> DsoEffect:
    """An **estimate** of the DSO the candidate policy would have given, by a response-lag model.

    Assumption: an invoice settled within `response_days` after a contact under the current
    policy was paid *because* of that contact (the first such one), so under the candidate it is
    paid the same number of days after the candidate's contact of the same ordinal (1st, 2nd…)
    for that invoice. When the candidate never makes that contact before `end` the payment does
    not move (conservative), nor does a payment not within `response_days` of a contact; no
    payment moves before the invoice's issue date. A moved invoice pays its whole remaining open
    amount on the moved day.

    DSO = (average open receivables at each day's end) / (credit sales of the period) × days in
    the period, which is the open-amount-days of the period over its sales; per currency, and
    only for currencies with sales in the period (without them DSO means nothing).
    """
    _check_period(start, end)
    if response_days < 0:
        raise Invalid("response days cannot be negative", field="response_days")
    now: defaultdict[str, int] = defaultdict(int)
    then: defaultdict[str, int] = defaultdict(int)
    sales: defaultdict[str, int] = defaultdict(int)
    moved = days_moved = 0
    for item in items:
        if start <= item.issue_date <= end:
            sales[item.currency] += item.total
        steps = _steps(item)
        now[item.currency] += _open_days(steps, start, end)
        paid = _moved_payment(item, current, candidate, response_days)
        if paid is not None and item.settled_on is not None and paid != item.settled_on:
            moved += 1
            days_moved += (paid - item.settled_on).days
            steps = [(day, amount) for day, amount in steps if day < min(paid, item.settled_on)]
            steps.append((paid, 0))
        then[item.currency] += _open_days(steps, start, end)
    currencies = sorted(currency for currency, total in sales.items() if total > 0)
    current_dso = {c: round(now[c] / sales[c], 1) for c in currencies}
    candidate_dso = {c: round(then[c] / sales[c], 1) for c in currencies}
    return DsoEffect(
        current_dso=current_dso,
        candidate_dso=candidate_dso,
        difference={c: round(candidate_dso[c] - current_dso[c], 1) for c in currencies},
        moved=moved,
        days_moved=days_moved,
    )


def _moved_payment(
    item: PastItem, current: Replay, candidate: Replay, response_days: int
) -> date | None:
    """The day the candidate would have seen the invoice settled; None when it does not move."""
    if item.settled_on is None:
        return None
    later = candidate.contacts.get(item.invoice_id, ())
    for ordinal, contact in enumerate(current.contacts.get(item.invoice_id, ())):
        lag = (item.settled_on - contact).days
        if 0 < lag <= response_days:
            if ordinal >= len(later):
                return None
            return max(item.issue_date, later[ordinal] + timedelta(days=lag))
    return None


def _steps(item: PastItem) -> list[tuple[date, int]]:
    """The open amount as a step function: (from this day on, open amount)."""
    days = sorted({item.issue_date} | {day for day, _ in item.reductions if day > item.issue_date})
    return [(day, open_on(item, day)) for day in days]


def _open_days(steps: list[tuple[date, int]], start: date, end: date) -> int:
    """Sum of the day-end open amounts over `start`..`end` (minor units × days)."""
    total = 0
    for (day, amount), until in zip(steps, [*(day for day, _ in steps[1:]), None], strict=True):
        last = end if until is None else min(end, until - _DAY)
        days = (last - max(start, day)).days + 1
        if days > 0:
            total += amount * days
    return total
