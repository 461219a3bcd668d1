"""The receivables KPIs of one company over a period, per currency (never added across
currencies): the ledger's figures read with set-based queries, the formulas in
`report.kpi_rules`. As of the period's end: nothing that happened after it counts.

- AR at the start (the day before `start`) and at the end, and the part not yet due at the
  end, from the aging as the ledger stood then;
- credit sales: the totals of the invoices issued in the period (not debit notes: fees and
  interest are no sales);
- countback DSO over the twelve calendar months up to the end (the last one up to `end`);
- bad debts: what was written off in the period; average days to pay: the invoices settled in
  the period, from issue to settlement; promises: those that ended in the period.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.errors import Invalid
from cobro.invoice.models import Invoice, WriteOff
from cobro.promise.models import Promise
from cobro.report import kpi_rules as rules
from cobro.report.rules import Bucket
from cobro.report.service import aging

COUNTBACK_MONTHS = 12


@dataclass(frozen=True)
class Kpis:
    """One currency's figures (amounts in minor units) and KPIs (None: not defined)."""

    currency: str
    start: date
    end: date
    beginning_ar: int
    ending_ar: int
    ending_current: int
    credit_sales: int
    bad_debts: int
    dso: Decimal | None
    countback_dso: Decimal | None
    best_possible_dso: Decimal | None
    average_days_delinquent: Decimal | None
    cei: Decimal | None  # %, monthly-sales variant
    bad_debt_ratio: Decimal | None  # %
    days_to_pay: Decimal | None
    days_to_pay_weighted: Decimal | None
    promises_kept_rate: Decimal | None  # %, all currencies' promises in this one's


def receivables_kpis(session: Session, company_id: int, start: date, end: date) -> list[Kpis]:
    """The KPIs of the period [start, end], one set per currency with anything in it."""
    if end < start:
        raise Invalid(f"the period ends ({end}) before it starts ({start})", field="to")
    before, after = (
        aging(session, company_id, start - timedelta(days=1)),
        aging(session, company_id, end),
    )
    sales = _sales(session, company_id, start, end)
    bad = _written_off(session, company_id, start, end)
    paid = _days_to_pay(session, company_id, start, end)
    kept = _promises(session, company_id, start, end)
    months = _months(start, end)
    days = (end - start).days + 1
    currencies = sorted(set(before.totals) | set(after.totals) | set(sales) | set(bad))
    found = []
    for currency in currencies:
        beginning, ending = before.total(currency), after.total(currency)
        current = after.totals.get(currency, {}).get(Bucket.CURRENT, 0)
        sold = sales.get(currency, 0)
        history = _monthly_sales(session, company_id, currency, end)
        simple, weighted = rules.average_days_to_pay(paid.get(currency, []))
        found.append(
            Kpis(
                currency=currency, start=start, end=end, beginning_ar=beginning,
                ending_ar=ending, ending_current=current, credit_sales=sold,
                bad_debts=bad.get(currency, 0),
                dso=rules.dso(ending, sold, days),
                countback_dso=rules.countback_dso(ending, history),
                best_possible_dso=rules.best_possible_dso(current, sold, days),
                average_days_delinquent=rules.average_days_delinquent(ending, current, sold, days),
                cei=rules.cei(beginning, sold, ending, current, months),
                bad_debt_ratio=rules.bad_debt_ratio(bad.get(currency, 0), sold),
                days_to_pay=simple, days_to_pay_weighted=weighted,
                promises_kept_rate=rules.kept_rate(*kept),
            )
        )  # fmt: skip
    return found


def _months(start: date, end: date) -> int:
    """The calendar months the period touches (CEI's monthly sales)."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _sales(session: Session, company_id: int, start: date, end: date) -> dict[str, int]:
    rows = session.execute(
        select(Invoice.currency, func.sum(Invoice.total))
        .where(
            Invoice.company_id == company_id,
            Invoice.kind == "invoice",
            Invoice.issue_date >= start,
            Invoice.issue_date <= end,
        )
        .group_by(Invoice.currency)
    )
    return {currency: int(total or 0) for currency, total in rows}


def _monthly_sales(
    session: Session, company_id: int, currency: str, end: date
) -> list[tuple[int, int]]:
    """(credit sales, days) of each calendar month up to `end`, newest first (the newest up to
    `end` only), COUNTBACK_MONTHS of them."""
    first = end.replace(day=1)
    spans: list[tuple[date, date]] = []
    for _ in range(COUNTBACK_MONTHS):
        last = end if not spans else spans[-1][0] - timedelta(days=1)
        spans.append((first, last))
        first = (first - timedelta(days=1)).replace(day=1)
    rows = session.execute(
        select(Invoice.issue_date, Invoice.total).where(
            Invoice.company_id == company_id,
            Invoice.kind == "invoice",
            Invoice.currency == currency,
            Invoice.issue_date >= spans[-1][0],
            Invoice.issue_date <= end,
        )
    )
    totals: dict[date, int] = defaultdict(int)
    for issued, total in rows:
        totals[issued.replace(day=1)] += int(total)
    return [(totals.get(first, 0), (last - first).days + 1) for first, last in spans]


def _written_off(session: Session, company_id: int, start: date, end: date) -> dict[str, int]:
    rows = session.execute(
        select(Invoice.currency, func.sum(WriteOff.amount))
        .join(Invoice, Invoice.id == WriteOff.invoice_id)
        .where(
            Invoice.company_id == company_id,
            WriteOff.written_off_on >= start,
            WriteOff.written_off_on <= end,
        )
        .group_by(Invoice.currency)
    )
    return {currency: int(total or 0) for currency, total in rows}


def _days_to_pay(
    session: Session, company_id: int, start: date, end: date
) -> dict[str, list[tuple[int, int]]]:
    """(days from issue to settlement, total) of each invoice settled in the period."""
    rows = session.execute(
        select(Invoice.currency, Invoice.issue_date, Invoice.settled_on, Invoice.total).where(
            Invoice.company_id == company_id,
            Invoice.kind == "invoice",
            Invoice.settled_on >= start,
            Invoice.settled_on <= end,
        )
    )
    found: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for currency, issued, settled, total in rows:
        if settled is not None:  # always, by the query: the type does not know it
            found[currency].append(((settled - issued).days, int(total)))
    return found


def _promises(session: Session, company_id: int, start: date, end: date) -> tuple[int, int]:
    """(kept, broken) among the promises that ended in the period."""
    rows = dict(
        session.execute(
            select(Promise.status, func.count())
            .where(
                Promise.company_id == company_id,
                Promise.resolved_on >= start,
                Promise.resolved_on <= end,
                Promise.status.in_(("kept", "broken")),
            )
            .group_by(Promise.status)
        ).all()
    )
    return int(rows.get("kept", 0)), int(rows.get("broken", 0))
