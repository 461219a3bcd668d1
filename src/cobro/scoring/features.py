"""What the ledger says about how a customer pays, as of a day: the features of the risk
models. Pure: invoices in, numbers out; the day comes in as each query's `on`.

**No leakage.** A feature as of day t uses only what was known before t: invoices settled
before t (their days to settle, days late, whether paid in parts or disputed), invoices issued
before t (what is open, how old), promises broken before t, and the customer's paperless day
compared with t (never the date itself, which may lie ahead). The invoice being predicted adds
only what is known when it is issued: its amount, its due date, paperless or not.

**Paperless.** Electronic bills are paid sooner (6 days on IBM's sample). When a customer
switched, its older invoices say little about its new pace, so each past invoice's days to
settle is moved by `beta` days (the within-customer slope, learnt on the training rows by
`paperless_slope`) to the paperless status of the invoice predicted:
adj_j = days_j + beta × (pl_now − pl_j). Since that is a shift by beta × pl_now of
base_j = days_j − beta × pl_j, the state keeps the bases and adds the shift when asked.

One `Ledger` per customer is fed its invoices in time order; queries must come in day order.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, bisect_right, insort
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from typing import NamedTuple, TypeVar

from cobro.kit.dates import add_months, end_of_month

NAN = float("nan")
_N = TypeVar("_N", int, float)
WINDOWS = (91, 182, 365)  # 3, 6 and 12 months, in days
KEEP = 100  # settled invoices kept for the median and usual size (the most recent)
HALF_LIFE = 20  # invoices: the weight of a settled invoice halves every 20 settled after it
MIN_USUAL_DAY = 4  # settlements before the usual pay day of the month counts
USUAL_DAY_SHARE = 0.3  # … and the share of them on that day (±1)

FEATURES: tuple[str, ...] = (
    "settled",  # invoices settled so far
    "days_mean",  # days from invoice to settlement, mean (paperless-adjusted)
    "days_median",
    "days_recent",  # exponentially weighted, recent invoices first
    "late_share",  # share paid after the due date (paperless-adjusted)
    "late_days_mean",  # mean days past due when paid (0 when on time)
    "late_3m",  # amount-weighted days late of the invoices settled in the last 3 months
    "late_6m",
    "late_12m",
    "late_trend",  # late_3m − late_12m: getting worse (> 0) or better
    "parts_share",  # share paid in more than one payment
    "dispute_share",  # share that were disputed
    "broken_12m",  # promises to pay broken in the last 12 months
    "limit_used",  # open amount ÷ credit limit (no limit: unknown)
    "open_items",  # invoices open
    "oldest_overdue",  # days past due of the oldest open invoice (0 if none)
    "size",  # log of this invoice's amount ÷ the customer's median invoice
    "paperless",  # 1 if its bills go out electronically
    "payday_gap",  # days from the due date to the customer's usual pay day of the month
)


class Past(NamedTuple):
    """One invoice as the ranking sees it."""

    invoice_id: int
    customer_id: int
    issue_date: date
    due_date: date
    total: int  # minor units
    settled_on: date | None  # the day its open amount reached 0 (None: still open)
    payments: int = 0  # payments applied to it: more than one means paid in parts
    disputed: bool = False  # a dispute was opened on it (read only once it is settled)


class Debtor(NamedTuple):
    customer_id: int
    country: str
    paperless_since: date | None = None
    credit_limit: int | None = None  # minor units (None: no limit)
    broken: tuple[date, ...] = ()  # the days its promises to pay were broken, in order


class Facts(NamedTuple):
    """The features of one query (in `FEATURES` order) and the raw history the baselines use."""

    values: tuple[float, ...]
    raw_late_share: float  # NAN without history
    raw_days_mean: float


def paperless_status(debtor: Debtor, day: date) -> int:
    since = debtor.paperless_since
    return 1 if since is not None and since <= day else 0


def paperless_slope(rows: Iterable[tuple[int, int, float]]) -> float:
    """The within-customer slope of days to settle on paperless status: Σ(x − x̄c)(y − ȳc) ÷
    Σ(x − x̄c)², over (customer, paperless 0/1, days) of settled invoices; 0 when no customer
    changed status (nothing to learn from)."""
    groups: dict[int, list[tuple[int, float]]] = {}
    for customer, x, y in rows:
        groups.setdefault(customer, []).append((x, y))
    top = bottom = 0.0
    for pairs in groups.values():
        mean_x = sum(x for x, _ in pairs) / len(pairs)
        mean_y = sum(y for _, y in pairs) / len(pairs)
        top += sum((x - mean_x) * (y - mean_y) for x, y in pairs)
        bottom += sum((x - mean_x) ** 2 for x, _ in pairs)
    return top / bottom if bottom > 0 else 0.0


class Ledger:
    """One customer's history, moved forward day by day."""

    def __init__(self, debtor: Debtor, invoices: Sequence[Past], beta: float) -> None:
        self.debtor, self.beta = debtor, beta
        self._issued = sorted(invoices, key=lambda p: (p.issue_date, p.invoice_id))
        # a settlement dated before its invoice (a typo in the books) counts on the issue day
        self._settling = sorted(
            ((max(p.settled_on, p.issue_date), p.issue_date, p.invoice_id, p)
             for p in invoices if p.settled_on is not None),
            key=lambda entry: entry[:3],
        )  # fmt: skip
        self._next_issue = self._next_settle = 0
        # settled before the day
        self.count = 0
        self.base_sum = 0.0  # Σ (days − beta × pl)
        self.bases: deque[float] = deque()  # the last KEEP, in settling order
        self.sorted_bases: list[float] = []
        self.recent = self.recent_weight = 0.0  # exponentially weighted Σ base, Σ weight
        # per paperless status now (0, 1): late count and Σ days late, adjusted
        self.late = [0, 0]
        self.late_days = [0.0, 0.0]
        self.parts = self.disputes = 0
        self.raw_days = 0
        self.raw_late = 0
        self.windows = [_Window(days) for days in WINDOWS]
        self.pay_days = [0] * 32  # settlements per day of month
        # issued before the day
        self.open_sum = self.open_count = 0
        self.open_due: list[tuple[date, int]] = []  # heap of (due, id), settled ones lazily
        self.closed: set[int] = set()
        self.sizes: deque[int] = deque()
        self.sorted_sizes: list[int] = []

    # ---- moving forward ------------------------------------------------------------------

    def advance(self, on: date) -> None:
        """Take in every invoice issued and every settlement made before `on`."""
        issued, settling = self._issued, self._settling
        while self._next_issue < len(issued) and issued[self._next_issue].issue_date < on:
            self._issue(issued[self._next_issue])
            self._next_issue += 1
        while self._next_settle < len(settling):
            settled_on, _, _, past = settling[self._next_settle]
            if settled_on >= on:
                break
            self._settle(past, settled_on)
            self._next_settle += 1
        for window in self.windows:
            window.expire(on)

    def _issue(self, past: Past) -> None:
        self.open_sum += past.total
        self.open_count += 1
        heapq.heappush(self.open_due, (past.due_date, past.invoice_id))
        _keep_sorted(self.sizes, self.sorted_sizes, past.total)

    def _settle(self, past: Past, settled_on: date) -> None:
        self.open_sum -= past.total
        self.open_count -= 1
        self.closed.add(past.invoice_id)
        if not past.payments:  # closed by a credit note or a write-off: no sign of paying
            return
        days = (settled_on - past.issue_date).days
        terms = (past.due_date - past.issue_date).days
        base = days - self.beta * paperless_status(self.debtor, past.issue_date)
        self.count += 1
        self.base_sum += base
        _keep_sorted(self.bases, self.sorted_bases, base)
        decay = 0.5 ** (1 / HALF_LIFE)
        self.recent = self.recent * decay + base
        self.recent_weight = self.recent_weight * decay + 1
        for now in (0, 1):
            over = base + self.beta * now - terms
            if over > 0:
                self.late[now] += 1
                self.late_days[now] += over
        self.parts += past.payments > 1
        self.disputes += past.disputed
        late = max(0, (settled_on - past.due_date).days)
        self.raw_days += days
        self.raw_late += late > 0
        for window in self.windows:
            window.add(settled_on, past.total, late)
        self.pay_days[settled_on.day] += 1

    # ---- reading -----------------------------------------------------------------------------

    def facts(self, on: date, total: int | None, due: date | None) -> Facts:
        """The features of an invoice of `total` due on `due` as of `on` (None for both: a
        typical invoice of the customer's, for its own score); call `advance(on)` first."""
        now = paperless_status(self.debtor, on)
        shift = self.beta * now
        n = self.count
        history = (
            (
                self.base_sum / n + shift,
                _median(self.sorted_bases) + shift,
                self.recent / self.recent_weight + shift,
                self.late[now] / n,
                self.late_days[now] / n,
            )
            if n
            else (NAN,) * 5
        )
        late_3m, late_6m, late_12m = (window.average() for window in self.windows)
        values = (
            float(n),
            *history,
            late_3m,
            late_6m,
            late_12m,
            late_3m - late_12m,
            self.parts / n if n else NAN,
            self.disputes / n if n else NAN,
            float(self._broken(on)),
            self._limit_used(),
            float(self.open_count),
            float(self._oldest_overdue(on)),
            self._size(total),
            float(now),
            self._payday_gap(due),
        )
        raw_late = self.raw_late / n if n else NAN
        return Facts(values, raw_late, self.raw_days / n if n else NAN)

    def _broken(self, on: date) -> int:
        broken = self.debtor.broken
        return bisect_left(broken, on) - bisect_left(broken, on - timedelta(days=365))

    def _limit_used(self) -> float:
        limit = self.debtor.credit_limit
        return max(0, self.open_sum) / limit if limit else NAN

    def _oldest_overdue(self, on: date) -> int:
        heap = self.open_due
        while heap and heap[0][1] in self.closed:
            heapq.heappop(heap)
        return max(0, (on - heap[0][0]).days) if heap else 0

    def _size(self, total: int | None) -> float:
        if not self.sorted_sizes or (total is not None and total <= 0):
            return NAN
        if total is None:  # the usual size itself
            return 0.0
        usual = _median(self.sorted_sizes)
        return math.log(total / usual) if usual > 0 else NAN

    def _payday_gap(self, due: date | None) -> float:
        if due is None or self.count < MIN_USUAL_DAY:
            return NAN
        counts = self.pay_days

        def near(d: int) -> int:  # the day and its neighbours: a run slips a day either way
            return counts[d - 1] + counts[d] + counts[(d % 31) + 1]

        best = max(range(1, 32), key=lambda d: (near(d), counts[d]))
        near_best = near(best)
        if near_best < USUAL_DAY_SHARE * self.count:
            return NAN
        return float(_days_to_month_day(due, best))


class _Window:
    """Amount-weighted days late of the invoices settled in the last `days` days."""

    def __init__(self, days: int) -> None:
        self.days = days
        self.items: deque[tuple[date, int, int]] = deque()
        self.amount = self.weighted = 0

    def add(self, settled_on: date, amount: int, late: int) -> None:
        self.items.append((settled_on, amount, late))
        self.amount += amount
        self.weighted += amount * late

    def expire(self, on: date) -> None:
        start = on - timedelta(days=self.days)
        while self.items and self.items[0][0] < start:
            _, amount, late = self.items.popleft()
            self.amount -= amount
            self.weighted -= amount * late

    def average(self) -> float:
        return self.weighted / self.amount if self.amount > 0 else NAN


def _keep_sorted(recent: deque[_N], ordered: list[_N], value: _N) -> None:
    recent.append(value)
    insort(ordered, value)
    if len(recent) > KEEP:
        old = recent.popleft()
        del ordered[bisect_right(ordered, old) - 1]


def _median(ordered: Sequence[float]) -> float:
    n = len(ordered)
    middle = n // 2
    return float(ordered[middle]) if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _days_to_month_day(due: date, day: int) -> int:
    """Days from `due` to the next date (on or after it) that falls on `day` of its month (a
    day past the month's end: its last day)."""
    for months in range(3):
        month = add_months(due.replace(day=1), months)
        candidate = month.replace(day=min(day, end_of_month(month).day))
        if candidate >= due:
            return (candidate - due).days
    raise AssertionError("unreachable: a month day comes within two months")


def history_facts(
    debtor: Debtor, invoices: Sequence[Past], queries: Sequence[tuple[date, int, date | None]],
    beta: float,
) -> Iterator[Facts]:  # fmt: skip
    """The facts of each query (day, amount, due date or None), given in day order."""
    ledger = Ledger(debtor, invoices, beta)
    for on, total, due in queries:
        ledger.advance(on)
        yield ledger.facts(on, total, due)
