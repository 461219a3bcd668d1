"""The ledger's figures a period's KPIs are computed from, per report row (a currency, or a
slice converted to the reporting currency): each read by one GROUP BY over the ledger, never a
loop over invoices. Everything as the ledger stood at the end of the period: an invoice issued,
settled or written off after it does not count.
"""

from __future__ import annotations

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
from cobro.report.repository import aging_sums
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


def ledger_figures(
    session: Session, company_id: int, start: date, end: date, by: By
) -> tuple[Slicing, dict[Key, Figures]]:
    """Every row's figures for the period [start, end], and how its rows were sliced."""
    spans = months_back(end)
    raw: dict[str, list[Any]] = {
        "before": aging_sums(session, company_id, start - timedelta(days=1), DEFAULT_SCHEME,
                             slice_of(by), slice_group(by)),
        "after": aging_sums(session, company_id, end, DEFAULT_SCHEME, slice_of(by),
                            slice_group(by)),
        "sales": _sales(session, company_id, start, end, spans, by),
        "paid": _paid(session, company_id, start, end, by),
        "written": _written_off(session, company_id, start, end, by),
    }  # fmt: skip
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
            days = (last - first).days + 1
            found.setdefault(key, _empty(spans)).monthly_sales[index] = (amount, days)
    put("bad_debts", raw["written"])
    put("paid_amount", ((s, c, amount) for s, c, _n, _d, amount, _da in raw["paid"]))
    put("paid_days_amount", ((s, c, days_amount) for s, c, *_rest, days_amount in raw["paid"]))
    for s, c, count, days, _amount, _da in raw["paid"]:  # counts and days are not converted
        figures = found.setdefault(sliced.key(s, c), _empty(spans))
        figures.paid_count += int(count or 0)
        figures.paid_days += int(days or 0)
    _add_promises(session, company_id, start, end, by, sliced, found, spans)
    return sliced, found


def _empty(spans: Sequence[tuple[date, date]]) -> Figures:
    return Figures(monthly_sales=[(0, (last - first).days + 1) for first, last in spans])


def _in(column: Any, first: date, last: date) -> ColumnElement[bool]:
    return and_(column >= first, column <= last)


def _sales(
    session: Session,
    company_id: int,
    start: date,
    end: date,
    spans: Sequence[tuple[date, date]],
    by: By,
) -> list[Any]:
    """(slice, currency, sales in the period, sales of each countback month…): invoices, not
    debit notes (fees and interest are no sales)."""
    earliest = min(start, spans[-1][0])
    columns = [
        func.sum(case((_in(Invoice.issue_date, first, last), Invoice.total), else_=0))
        for first, last in ((start, end), *spans)
    ]
    query = (
        select(slice_of(by), Invoice.currency, *columns)
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(
            Invoice.company_id == company_id,
            Invoice.kind == "invoice",
            _in(Invoice.issue_date, earliest, end),
        )
        .group_by(*slice_group(by), Invoice.currency)
    )
    return [(s, c, *(int(v or 0) for v in rest)) for s, c, *rest in session.execute(query)]


def _paid(session: Session, company_id: int, start: date, end: date, by: By) -> list[Any]:
    """(slice, currency, n, Σ days, Σ total, Σ days × total) of the invoices settled in the
    period, from issue to settlement."""
    days = days_between(Invoice.settled_on, Invoice.issue_date)
    query = (
        select(
            slice_of(by),
            Invoice.currency,
            func.count(),
            func.sum(days),
            func.sum(Invoice.total),
            func.sum(days * Invoice.total),
        )
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(
            Invoice.company_id == company_id,
            Invoice.kind == "invoice",
            _in(Invoice.settled_on, start, end),
        )
        .group_by(*slice_group(by), Invoice.currency)
    )
    return [(s, c, *(int(v or 0) for v in rest)) for s, c, *rest in session.execute(query)]


def _written_off(
    session: Session, company_id: int, start: date, end: date, by: By
) -> list[tuple[str, str, int]]:
    query = (
        select(slice_of(by), Invoice.currency, func.sum(WriteOff.amount))
        .join(Invoice, Invoice.id == WriteOff.invoice_id)
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(Invoice.company_id == company_id, _in(WriteOff.written_off_on, start, end))
        .group_by(*slice_group(by), Invoice.currency)
    )
    return [(s, c, int(total or 0)) for s, c, total in session.execute(query)]


def _add_promises(
    session: Session,
    company_id: int,
    start: date,
    end: date,
    by: By,
    sliced: Slicing,
    found: dict[Key, Figures],
    spans: Sequence[tuple[date, date]],
) -> None:
    """Kept and broken promises that ended in the period. A promise's rate is a count: by
    currency every currency's row shows the company's rate (promises span currencies)."""
    query = (
        select(slice_of(by), Promise.status, func.count())
        .join(Customer, Customer.id == Promise.customer_id)
        .where(
            Promise.company_id == company_id,
            _in(Promise.resolved_on, start, end),
            Promise.status.in_(("kept", "broken")),
        )
        .group_by(*slice_group(by), Promise.status)
    )
    for slice_name, status, count in session.execute(query):
        keys = [k for k in found if by is By.CURRENCY or k[0] == slice_name]
        if not keys and by is not By.CURRENCY:
            keys = [sliced.key(slice_name, sliced.reporting)]
        for key in keys:
            figures = found.setdefault(key, _empty(spans))
            if status == "kept":
                figures.kept += int(count)
            else:
                figures.broken += int(count)
