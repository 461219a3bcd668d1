"""The demo's ledger as a stream of row batches: invoices day by day over 18 months, and the
payments, credit notes and write-offs their customers' behaviours give them. No database.

Days are ordinals inside the stream (cheap arithmetic); they leave it as `date` objects and
9:00 UTC time stamps, one shared object per day (`cobro.bulk.BulkInsert` then converts each
distinct value once). Ids are given here, in order, so nothing has to be read back. The same
plan and seed give the same rows.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from cobro.demo.behaviours import CREDIT, PAY, WRITE_OFF, fate
from cobro.demo.customers import Profile
from cobro.invoice.rules import payment_reference
from cobro.kit.dates import add_months
from cobro.kit.money import exponent
from cobro.terms.rules import Terms, discount, due_date, schedule

HISTORY_MONTHS = 18
INVOICES_PER_CUSTOMER = 20  # over the 18 months, when --invoices is not given
# more is invoiced before the year end and in March, little in August
SEASON = (0.9, 0.95, 1.2, 1.0, 1.0, 1.05, 0.9, 0.55, 1.0, 1.1, 1.2, 1.25)
WEEKDAY = (1.0, 1.0, 1.0, 1.0, 1.0, 0.12, 0.04)
MONTH_END_RUN = 3.0  # many firms bill monthly, on the last working day
GROWTH = 0.12  # the company grows: a year later it issues 12 % more
NINE_AM = time(9, tzinfo=UTC)

COLUMNS: dict[str, tuple[str, ...]] = {  # in the order the foreign keys need them written
    "invoice": (
        "id", "company_id", "customer_id", "number", "issue_date", "due_date", "currency",
        "total", "tax", "terms_id", "discount_until", "discount_amount", "purchase_order",
        "reference", "payment_reference", "open_amount", "settled_on", "created_at",
        "updated_at",
    ),
    "installment": ("id", "invoice_id", "sequence", "due_date", "amount"),
    "payment": (
        "id", "company_id", "customer_id", "external_id", "received_on", "currency", "amount",
        "unapplied", "method", "reference", "payer_name", "created_at",
    ),
    "allocation": ("id", "payment_id", "invoice_id", "amount", "applied_on", "created_at"),
    "credit_note": (
        "id", "company_id", "invoice_id", "number", "issue_date", "currency", "amount",
        "reason", "created_at",
    ),
    "write_off": ("id", "invoice_id", "written_off_on", "amount", "reason", "created_at"),
}  # fmt: skip

Row = tuple[Any, ...]


def history(on: date) -> tuple[date, date]:
    """The first and last day of the 18 months that end on `on`."""
    return date.fromordinal(add_months(on, -HISTORY_MONTHS).toordinal() + 1), on


def default_invoices(customers: int) -> int:
    return customers * INVOICES_PER_CUSTOMER


@dataclass
class Batch:
    rows: dict[str, list[Row]] = field(default_factory=lambda: {name: [] for name in COLUMNS})
    invoices: int = 0  # how many invoices this batch brings (for progress)

    def size(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


def invoices_per_day(first: date, last: date, total: int) -> list[int]:
    """Spread exactly `total` invoices over the days from `first` to `last`: seasonal, few on
    weekends, a billing run on each month's last working day, a slowly growing business."""
    days = [date.fromordinal(o) for o in range(first.toordinal(), last.toordinal() + 1)]
    weights = []
    span = max(1, len(days) - 1)
    for index, day in enumerate(days):
        weight = SEASON[day.month - 1] * WEEKDAY[day.weekday()] * (1 + GROWTH * index / span)
        if _last_working_day(day):
            weight *= MONTH_END_RUN
        weights.append(weight)
    scale = total / sum(weights)
    counts = [math.floor(w * scale) for w in weights]
    by_remainder = sorted(range(len(days)), key=lambda i: (counts[i] - weights[i] * scale, i))
    for index in by_remainder[: total - sum(counts)]:
        counts[index] += 1
    return counts


def _last_working_day(day: date) -> bool:
    """A weekday whose next working day (Monday, after a Friday) is in the next month."""
    if day.weekday() >= 5:
        return False
    following = day.toordinal() + (3 if day.weekday() == 4 else 1)
    return date.fromordinal(following).month != day.month


class Ledger:
    """Iterate to get the batches; `counts` then holds the rows drawn per table."""

    def __init__(
        self,
        rng: random.Random,
        profiles: list[Profile],
        invoices: int,
        on: date,
        company_id: int,
        company_code: str,
        terms: dict[str, tuple[int, Terms]],
        first_ids: dict[str, int],
        chunk_rows: int = 20_000,
    ) -> None:
        self.rng = rng
        self.profiles = profiles
        self.invoices = invoices
        self.first, self.last = history(on)
        self.company_id = company_id
        self.company_code = company_code
        self.terms = terms
        self.ids = {name: itertools.count(first_ids.get(name, 1)) for name in COLUMNS}
        self.chunk_rows = chunk_rows
        self.counts = dict.fromkeys(COLUMNS, 0)
        self._days: dict[int, date] = {}
        self._stamps: dict[int, datetime] = {}
        self._numbers: dict[tuple[str, int], int] = {}
        # payments waiting for their day: day -> groups in the order they were queued
        self._pending: dict[int, list[list[Any]]] = {}
        self._received_until = self.first.toordinal()
        self._runs: dict[tuple[int, int], list[Any]] = {}  # payment-run groups by (customer, day)
        self._due: dict[tuple[str, date], int] = {}
        self._years: dict[int, int] = {}
        self._payments = itertools.count(1)
        self._batch = Batch()

    def __iter__(self) -> Iterator[Batch]:
        counts = invoices_per_day(self.first, self.last, self.invoices)
        month_start = self.first
        for month in range(HISTORY_MONTHS + 1):
            if month_start > self.last:
                break
            month_end = min(
                add_months(self.first, month + 1), date.fromordinal(self.last.toordinal() + 1)
            )
            buyers = [p for p in self.profiles if p.joined <= month < p.left] or self.profiles
            cumulative = list(itertools.accumulate(p.weight for p in buyers))
            for ordinal in range(month_start.toordinal(), month_end.toordinal()):
                self._receive_until(ordinal)
                count = counts[ordinal - self.first.toordinal()]
                if count:
                    issued = date.fromordinal(ordinal)
                    for profile in self.rng.choices(buyers, cum_weights=cumulative, k=count):
                        self._invoice(profile, ordinal, issued)
                    self._batch.invoices += count
                if self._batch.size() >= self.chunk_rows:
                    yield self._take()
            month_start = month_end
        self._receive_until(self.last.toordinal() + 1)
        yield self._take()

    def _take(self) -> Batch:
        batch, self._batch = self._batch, Batch()
        for name, rows in batch.rows.items():
            self.counts[name] += len(rows)
        return batch

    def _day(self, ordinal: int) -> date:
        value = self._days.get(ordinal)
        if value is None:
            value = self._days[ordinal] = date.fromordinal(ordinal)
        return value

    def _stamp(self, ordinal: int) -> datetime:
        value = self._stamps.get(ordinal)
        if value is None:
            value = self._stamps[ordinal] = datetime.combine(date.fromordinal(ordinal), NINE_AM)
        return value

    def _number(self, prefix: str, ordinal: int) -> str:
        year = self._years.get(ordinal)
        if year is None:
            year = self._years[ordinal] = date.fromordinal(ordinal).year
        key = (prefix, year)
        sequence = self._numbers[key] = self._numbers.get(key, 0) + 1
        return f"{prefix}-{year}-{sequence:06d}"

    def _invoice(self, profile: Profile, ordinal: int, issued: date) -> None:
        rng = self.rng
        rows = self._batch.rows
        net = max(500, min(int(rng.lognormvariate(profile.mu, profile.sigma)), 500_000_000))
        if profile.kind == "business" and net > 10_000:
            net -= net % 100  # firms quote whole units
        tax = (net * profile.tax_bp + 5_000) // 10_000
        total = net + tax
        number = self._number("INV", ordinal)
        terms_id, terms = self.terms[profile.terms]
        due, parts, offer, reference = self._prepare(
            terms, profile.terms, issued, total, number, profile.currency
        )
        invoice_id = next(self.ids["invoice"])
        last = self.last.toordinal()
        reduced = 0
        settled = ordinal
        for day, kind, amount, reason in fate(rng, profile.payer, ordinal, total, parts, offer):
            if day > last:
                continue  # not yet happened on the demo's date
            reduced += amount
            settled = max(settled, day)
            if kind == PAY:
                self._pay(profile, day, (invoice_id, amount, number, reference))
            elif kind == CREDIT:
                rows["credit_note"].append(
                    (next(self.ids["credit_note"]), self.company_id, invoice_id,
                     self._number("CN", day), self._day(day), profile.currency, amount, reason,
                     self._stamp(day))
                )  # fmt: skip
            elif kind == WRITE_OFF:
                rows["write_off"].append(
                    (next(self.ids["write_off"]), invoice_id, self._day(day), amount, reason,
                     self._stamp(day))
                )  # fmt: skip
        open_amount = total - reduced
        purchase_order = f"PO-{rng.randint(100_000, 999_999)}" if profile.purchase_orders else None
        rows["invoice"].append(
            (invoice_id, self.company_id, profile.id, number, self._day(ordinal), self._day(due),
             profile.currency, total, tax, terms_id,
             self._day(offer[0]) if offer else None, offer[1] if offer else 0,
             purchase_order, None, reference, open_amount,
             None if open_amount else self._day(settled), self._stamp(ordinal),
             self._stamp(settled))
        )  # fmt: skip
        if len(parts) > 1:
            for sequence, (day, amount) in enumerate(parts, start=1):
                rows["installment"].append(
                    (next(self.ids["installment"]), invoice_id, sequence, self._day(day), amount)
                )

    def _prepare(
        self, terms: Terms, code: str, issued: date, total: int, number: str, currency: str
    ) -> tuple[int, list[tuple[int, int]], tuple[int, int] | None, str]:
        """Due day, parts, early-payment offer and RF reference: what `prepare_invoice` gives,
        from the same rule functions, but with the due date computed once per terms and day
        (calling `prepare_invoice` per row cost a quarter of the generation time; a test
        proves the results equal)."""
        key = (code, issued)
        due = self._due.get(key)
        if due is None:
            due = self._due[key] = due_date(terms, issued).toordinal()
        if terms.installments:
            parts = [
                (day.toordinal(), amount)
                for day, amount in schedule(terms, issued, total, exponent(currency))
            ]
        else:
            parts = [(due, total)]
        offer = discount(terms, issued, total) if terms.discount_percent else None
        reference = payment_reference(self.company_code, number)
        return due, parts, (offer[0].toordinal(), offer[1]) if offer else None, reference

    def _pay(self, profile: Profile, day: int, allocation: tuple[int, int, str, str]) -> None:
        """Queue the payment until the stream reaches its day; a payment-run payer's invoices
        due for the same run share one transfer."""
        run = profile.payer.run_weekday is not None
        if run:
            group = self._runs.get((profile.index, day))
            if group is not None:
                group[2].append(allocation)
                return
        group = [profile, day, [allocation]]
        self._pending.setdefault(day, []).append(group)
        if run:
            self._runs[(profile.index, day)] = group

    def _receive_until(self, ordinal: int) -> None:
        """Write the payments received before `ordinal`, in the order they arrived."""
        for day in range(self._received_until, ordinal):
            for profile, _, allocations in self._pending.pop(day, ()):
                if profile.payer.run_weekday is not None:
                    del self._runs[(profile.index, day)]
                self._receive(profile, day, allocations)
        self._received_until = max(self._received_until, ordinal)

    def _receive(
        self, profile: Profile, day: int, allocations: list[tuple[int, int, str, str]]
    ) -> None:
        rng = self.rng
        rows = self._batch.rows
        applied = sum(amount for _, amount, _, _ in allocations)
        extra = 0
        if profile.overpays and rng.random() < 0.25:  # rounds up: the rest is unapplied cash
            unit = 100 * 10 ** exponent(profile.currency)
            extra = -applied % unit or unit // 2
        payment_id = next(self.ids["payment"])
        stamp = self._stamp(day)
        rows["payment"].append(
            (payment_id, self.company_id, profile.id, f"PAY-{next(self._payments):07d}",
             self._day(day), profile.currency, applied + extra, extra, profile.method,
             self._reference(profile, allocations), profile.payer_name, stamp)
        )  # fmt: skip
        applied_on = self._day(day)
        allocation_rows = rows["allocation"]
        ids = self.ids["allocation"]
        for invoice_id, amount, _, _ in allocations:
            allocation_rows.append((next(ids), payment_id, invoice_id, amount, applied_on, stamp))

    def _reference(
        self, profile: Profile, allocations: list[tuple[int, int, str, str]]
    ) -> str | None:
        """What the payer wrote on the transfer: the RF reference, the invoice number, a list
        of invoices for a payment run, or nothing."""
        if len(allocations) > 1:
            numbers = ", ".join(number for _, _, number, _ in allocations)
            return f"{profile.country.payment_words} {numbers}"[:140]
        draw = self.rng.random()
        if draw < 0.7:
            return allocations[0][3]
        return allocations[0][2] if draw < 0.95 else None
