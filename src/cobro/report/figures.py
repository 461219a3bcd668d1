"""The ledger's figures a period's KPIs are computed from, per report row (a currency, or a
slice converted to the reporting currency): each read by one GROUP BY over the ledger, never a
loop over invoices. Everything as the ledger stood at the end of the period: an invoice issued,
settled or written off after it does not count.

Several periods (a trend's months) are read together: one query per figure with a column per
period, and one aging per distinct day (a month's start is the month before's end).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from cobro.customer.models import Customer
from cobro.db import days_between
from cobro.invoice.models import Invoice, WriteOff
from cobro.promise.models import Promise
from cobro.report.repository import aging_sums_on
from cobro.report.rules import DEFAULT_SCHEME, Bucket
from cobro.report.slices import By, Slicing, add_up, slice_group, slice_of, slicing

COUNTBACK_MONTHS = 12
Key = tuple[str, str]  # (slice, currency of the row)


@dataclass
class Figures:
    """One row's figures, amounts in minor units of the row's currency."""

    beginning_ar: int = 0
    ending_ar: int = 0
    ending_current: int = 0
    credit_sales: int = 0
    bad_debts: int = 0
    # (credit sales, days) of each calendar month up to the end, newest first (countback)
    monthly_sales: list[tuple[int, int]] = field(default_factory=list)
    paid_count: int = 0  # invoices settled in the period
    paid_days: int = 0  # Σ days from issue to settlement
    paid_amount: int = 0  # Σ their totals
    paid_days_amount: int = 0  # Σ days × total
    kept: int = 0  # promises kept in the period
    broken: int = 0


def months_back(end: date, count: int = COUNTBACK_MONTHS) -> list[tuple[date, date]]:
    """The calendar months up to `end`, newest first, the newest cut at `end`."""
    first = end.replace(day=1)
    spans: list[tuple[date, date]] = []
    for _ in range(count):
        last = end if not spans else spans[-1][0] - timedelta(days=1)
        spans.append((first, last))
        first = (first - timedelta(days=1)).replace(day=1)
    return spans


Period = tuple[date, date]


def ledger_figures(
    session: Session, company_id: int, start: date, end: date, by: By
) -> tuple[Slicing, dict[Key, Figures]]:
    """Every row's figures for the period [start, end], and how its rows were sliced."""
    return periods_figures(session, company_id, [(start, end)], by)[0]


def periods_figures(
    session: Session, company_id: int, periods: Sequence[Period], by: By
) -> list[tuple[Slicing, dict[Key, Figures]]]:
    """Each period's rows and their slicing (amounts converted at the rates of its end)."""
    days = sorted({day for start, end in periods for day in (start - timedelta(days=1), end)})
    agings = aging_sums_on(session, company_id, days, DEFAULT_SCHEME, slice_of(by), slice_group(by))
    spans = sorted({span for start, end in periods for span in ((start, end), *months_back(end))})
    sales = _sales(session, company_id, spans, by)
    paid = _paid(session, company_id, periods, by)
    written = _written_off(session, company_id, periods, by)
    promises = _promises(session, company_id, periods, by)
    found = []
    for index, (start, end) in enumerate(periods):
        wanted = [spans.index(span) for span in ((start, end), *months_back(end))]
        raw = {
            "before": agings[start - timedelta(days=1)],
            "after": agings[end],
            "sales": [(s, c, *(row[i] for i in wanted)) for s, c, *row in sales],
            "paid": [(s, c, *row[4 * index: 4 * index + 4]) for s, c, *row in paid],
            "written": [(s, c, row[index]) for s, c, *row in written],
        }  # fmt: skip
        kept = [(s, row[2 * index], row[2 * index + 1]) for s, *row in promises]
        found.append(_figures(session, company_id, end, by, raw, kept))
    return found


def _figures(
    session: Session,
    company_id: int,
    end: date,
    by: By,
    raw: dict[str, list[Any]],
    kept: list[tuple[str, int, int]],
) -> tuple[Slicing, dict[Key, Figures]]:
    """One period's rows from its raw sums: (slice, currency, values…) each."""
    spans = months_back(end)
    currencies = {row[1] for rows in raw.values() for row in rows}
    sliced = slicing(session, company_id, by, end, currencies)
    found: dict[Key, Figures] = {}

    def put(name: str, sums: Iterable[tuple[str, str, int]]) -> None:
        for key, amount in add_up(sliced, sums).items():
            setattr(found.setdefault(key, _empty(spans)), name, amount)

    put("beginning_ar", ((s, c, a) for s, c, _bucket, a in raw["before"]))
    put("ending_ar", ((s, c, a) for s, c, _bucket, a in raw["after"]))
    put("ending_current", ((s, c, a) for s, c, b, a in raw["after"] if b == Bucket.CURRENT))
    # a sales row: (slice, currency, the period's sales, each countback month's…)
    put("credit_sales", ((row[0], row[1], row[2]) for row in raw["sales"]))
    for index, (first, last) in enumerate(spans):
        month = add_up(sliced, ((row[0], row[1], row[3 + index]) for row in raw["sales"]))
        for key, amount in month.items():
            found.setdefault(key, _empty(spans)).monthly_sales[index] = (
                amount, (last - first).days + 1,
            )  # fmt: skip
    put("bad_debts", raw["written"])
    put("paid_amount", ((s, c, amount) for s, c, _n, _d, amount, _da in raw["paid"]))
    put("paid_days_amount", ((s, c, days_amount) for s, c, *_rest, days_amount in raw["paid"]))
    for s, c, count, days, _amount, _da in raw["paid"]:  # counts and days are not converted
        figures = found.setdefault(sliced.key(s, c), _empty(spans))
        figures.paid_count += count
        figures.paid_days += days
    _add_promises(by, sliced, found, spans, kept)
    return sliced, found


def _empty(spans: Sequence[tuple[date, date]]) -> Figures:
    return Figures(monthly_sales=[(0, (last - first).days + 1) for first, last in spans])


def _in(column: Any, first: date, last: date) -> ColumnElement[bool]:
    return and_(column >= first, column <= last)


def _over(session: Session, query: Any, keys: int, spans: Sequence[Period]) -> list[Any]:
    """Rows of (key…, day, values…) summed per span: (key…, the values of each span…). The
    database sums per day (an index read in day order, no expression per row and span); the
    spans are added up here from those few hundred days."""
    daily: dict[tuple[Any, ...], list[tuple[date, list[int]]]] = defaultdict(list)
    for row in session.execute(query):
        daily[tuple(row[:keys])].append((row[keys], [int(v or 0) for v in row[keys + 1 :]]))
    found = []
    for key, days in daily.items():
        width = len(days[0][1])
        sums = []
        for first, last in spans:
            in_span = [values for day, values in days if first <= day <= last]
            sums += [sum(values[i] for values in in_span) for i in range(width)]
        found.append((*key, *sums))
    return found


def _sales(session: Session, company_id: int, spans: Sequence[Period], by: By) -> list[Any]:
    """(slice, currency, the sales of each span…): invoices, not debit notes (fees and
    interest are no sales)."""
    query = (
        select(slice_of(by), Invoice.currency, Invoice.issue_date, func.sum(Invoice.total))
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(
            Invoice.company_id == company_id,
            Invoice.kind == "invoice",
            _in(Invoice.issue_date, min(s for s, _e in spans), max(e for _s, e in spans)),
        )
        .group_by(*slice_group(by), Invoice.currency, Invoice.issue_date)
    )
    return _over(session, query, 2, spans)


def _paid(session: Session, company_id: int, periods: Sequence[Period], by: By) -> list[Any]:
    """(slice, currency, then per period: n, Σ days, Σ total, Σ days × total) of the invoices
    settled in it, from issue to settlement."""
    days = days_between(Invoice.settled_on, Invoice.issue_date)
    query = (
        select(
            slice_of(by),
            Invoice.currency,
            Invoice.settled_on,
            func.count(),
            func.sum(days),
            func.sum(Invoice.total),
            func.sum(days * Invoice.total),
        )
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(
            Invoice.company_id == company_id,
            Invoice.kind == "invoice",
            _in(Invoice.settled_on, min(s for s, _e in periods), max(e for _s, e in periods)),
        )
        .group_by(*slice_group(by), Invoice.currency, Invoice.settled_on)
    )
    return _over(session, query, 2, periods)


def _written_off(session: Session, company_id: int, periods: Sequence[Period], by: By) -> list[Any]:
    """(slice, currency, what was written off in each period…)."""
    query = (
        select(slice_of(by), Invoice.currency, WriteOff.written_off_on, func.sum(WriteOff.amount))
        .join(Invoice, Invoice.id == WriteOff.invoice_id)
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(
            Invoice.company_id == company_id,
            _in(WriteOff.written_off_on, min(s for s, _e in periods), max(e for _s, e in periods)),
        )
        .group_by(*slice_group(by), Invoice.currency, WriteOff.written_off_on)
    )
    return _over(session, query, 2, periods)


def _promises(session: Session, company_id: int, periods: Sequence[Period], by: By) -> list[Any]:
    """(slice, then per period: kept, broken) among the promises that ended in it."""
    counted = [
        func.sum(case((Promise.status == status, 1), else_=0)) for status in ("kept", "broken")
    ]
    query = (
        select(slice_of(by), Promise.resolved_on, *counted)
        .join(Customer, Customer.id == Promise.customer_id)
        .where(
            Promise.company_id == company_id,
            _in(Promise.resolved_on, min(s for s, _e in periods), max(e for _s, e in periods)),
            Promise.status.in_(("kept", "broken")),
        )
        .group_by(*slice_group(by), Promise.resolved_on)
    )
    return _over(session, query, 1, periods)


def _add_promises(
    by: By,
    sliced: Slicing,
    found: dict[Key, Figures],
    spans: Sequence[tuple[date, date]],
    kept: list[tuple[str, int, int]],
) -> None:
    """Kept and broken promises that ended in the period. A promise's rate is a count: by
    currency every currency's row shows the company's rate (promises span currencies)."""
    for slice_name, kept_count, broken_count in kept:
        keys = [k for k in found if by is By.CURRENCY or k[0] == slice_name]
        if not keys and by is not By.CURRENCY and (kept_count or broken_count):
            keys = [sliced.key(slice_name, sliced.reporting)]
        for key in keys:
            figures = found.setdefault(key, _empty(spans))
            figures.kept += kept_count
            figures.broken += broken_count
