"""What the ranking reads from the ledger and writes back: a few set-based statements per
company, never a query per customer or invoice."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import Session

from cobro.bulk import BulkInsert, slices, table_of
from cobro.customer.models import Customer
from cobro.cycle.repository import save_grades
from cobro.dispute.models import DisputeItem
from cobro.invoice.models import Invoice
from cobro.payment.models import Allocation, Payment
from cobro.promise.models import Promise
from cobro.scoring.features import Debtor, Past
from cobro.scoring.models import CustomerScore, InvoiceScore, RiskModel

RUN_LOOKBACK_DAYS = 365  # payment runs are learnt from the last year's payments


class Book(NamedTuple):
    """A company's ledger as the ranking reads it, as of a day."""

    debtors: dict[int, Debtor]
    invoices: dict[int, list[Past]]  # per customer
    currencies: dict[int, str]  # invoice id → currency
    open_amounts: dict[int, int]  # open invoices on the day → open amount


def book(session: Session, company_id: int, on: date) -> Book:
    """Every invoice issued by `on` (settlements after `on` unseen), every customer, and the
    promises broken by then."""
    debtors = _debtors(session, company_id, on)
    invoices: dict[int, list[Past]] = defaultdict(list)
    currencies: dict[int, str] = {}
    open_amounts: dict[int, int] = {}
    for row in session.execute(_invoices(company_id, on)):
        (
            invoice_id,
            customer_id,
            issued,
            due,
            total,
            currency,
            settled,
            open_now,
            paid,
            disputed,
        ) = row
        if settled is not None and settled > on:
            # as of `on` it was still open: scored as open for its whole amount (a part paid
            # before `on` and the rest later is not told apart; scoring a past day is for
            # checking a forecast against what came in, where that error is small)
            settled, open_now = None, total
        invoices[customer_id].append(
            Past(invoice_id, customer_id, issued, due, total, settled, int(paid), bool(disputed))
        )
        currencies[invoice_id] = currency
        if settled is None and open_now > 0:
            open_amounts[invoice_id] = open_now
    return Book(debtors, dict(invoices), currencies, open_amounts)


def _invoices(company_id: int, on: date) -> Any:
    paid = (
        select(Allocation.invoice_id, func.count().label("n"))
        .join(Invoice, Invoice.id == Allocation.invoice_id)
        .where(Invoice.company_id == company_id, Allocation.applied_on <= on)
        .group_by(Allocation.invoice_id)
        .subquery()
    )
    disputed = exists().where(DisputeItem.invoice_id == Invoice.id)
    return (
        select(
            Invoice.id,
            Invoice.customer_id,
            Invoice.issue_date,
            Invoice.due_date,
            Invoice.total,
            Invoice.currency,
            Invoice.settled_on,
            Invoice.open_amount,
            func.coalesce(paid.c.n, 0),
            disputed,
        )
        .outerjoin(paid, paid.c.invoice_id == Invoice.id)
        .where(Invoice.company_id == company_id, Invoice.issue_date <= on, Invoice.total > 0)
        .order_by(Invoice.customer_id, Invoice.issue_date, Invoice.id)
    )


def _debtors(session: Session, company_id: int, on: date) -> dict[int, Debtor]:
    broken: dict[int, list[date]] = defaultdict(list)
    rows = session.execute(
        select(Promise.customer_id, Promise.resolved_on).where(
            Promise.company_id == company_id,
            Promise.status == "broken",
            Promise.resolved_on.is_not(None),
            Promise.resolved_on <= on,
        )
    )
    for customer_id, day in rows:
        if day is not None:
            broken[customer_id].append(day)
    customers = session.execute(
        select(Customer.id, Customer.country, Customer.paperless_since, Customer.credit_limit)
        .where(Customer.company_id == company_id)
    )  # fmt: skip
    return {
        id_: Debtor(id_, country, since, limit, tuple(sorted(broken.get(id_, ()))))
        for id_, country, since, limit in customers
    }


def pay_days(session: Session, company_id: int, on: date) -> dict[int, list[date]]:
    """Per customer, the days its payments came in over the last year (returned ones left
    out: a bounced debit is no payment run)."""
    rows = session.execute(
        select(Payment.customer_id, Payment.received_on)
        .where(
            Payment.company_id == company_id,
            Payment.customer_id.is_not(None),
            Payment.returned_on.is_(None),
            Payment.received_on.between(on - timedelta(days=RUN_LOOKBACK_DAYS), on),
        )
        .distinct()
    )
    days: dict[int, list[date]] = defaultdict(list)
    for customer_id, day in rows:
        if customer_id is not None:
            days[customer_id].append(day)
    return dict(days)


# ---- models ---------------------------------------------------------------------------------


def latest_model(session: Session, company_id: int) -> RiskModel | None:
    return session.scalar(
        select(RiskModel)
        .where(RiskModel.company_id == company_id)
        .order_by(RiskModel.id.desc())
        .limit(1)
    )


def models(session: Session, company_id: int, limit: int = 20) -> Sequence[RiskModel]:
    return session.scalars(
        select(RiskModel)
        .where(RiskModel.company_id == company_id)
        .order_by(RiskModel.id.desc())
        .limit(limit)
    ).all()


# ---- scores ---------------------------------------------------------------------------------


class CustomerRow(NamedTuple):
    """A `customer_score` row, in its columns' order (what BulkInsert writes)."""

    customer_id: int
    company_id: int
    scored_on: date
    model_id: int | None
    grade: str | None
    late_permille: int | None
    days_late: int | None
    reasons: list[str]
    runs: dict[str, Any] | None = None
    next_run: date | None = None


class InvoiceRow(NamedTuple):
    """An `invoice_score` row, in its columns' order."""

    invoice_id: int
    company_id: int
    scored_on: date
    currency: str
    open_amount: int
    late_permille: int
    pay_on: date
    pay_low: date
    pay_high: date


def replace_scores(
    session: Session,
    company_id: int,
    customers: Sequence[CustomerRow],
    invoices: Sequence[InvoiceRow],
) -> None:
    """The company's scores, replaced whole (a scoring is one picture of one day)."""
    session.execute(delete(InvoiceScore).where(InvoiceScore.company_id == company_id))
    session.execute(delete(CustomerScore).where(CustomerScore.company_id == company_id))
    connection = session.connection()
    for table, columns, rows in (
        (CustomerScore, CustomerRow._fields, customers),
        (InvoiceScore, InvoiceRow._fields, invoices),
    ):
        bulk = BulkInsert(connection, table_of(table), columns)
        for part in slices(rows):
            bulk.write(part)


class Stored(NamedTuple):
    """What a customer has now of what a scoring sets."""

    grade: str | None
    grade_by: str | None
    runs: dict[str, Any] | None


def stored(session: Session, company_id: int) -> dict[int, Stored]:
    rows = session.execute(
        select(Customer.id, Customer.grade, Customer.grade_by, Customer.payment_runs).where(
            Customer.company_id == company_id
        )
    )
    return {id_: Stored(grade, by, runs) for id_, grade, by, runs in rows}


def save_customers(
    session: Session,
    grades: Mapping[str, Mapping[int, str | None]],
    runs: Mapping[int, dict[str, Any] | None],
    now: datetime,
) -> None:
    """The grades that changed, per who gave them ("model", "rules"; `cycle.repository`'s
    grouped UPDATEs), and the payment runs that changed (one executemany by primary key)."""
    for by, changes in grades.items():
        save_grades(session, changes, now, by)
    if runs:
        session.execute(
            update(Customer),
            [{"id": customer_id, "payment_runs": found} for customer_id, found in runs.items()],
        )


def customer_score(session: Session, company_id: int, customer_id: int) -> CustomerScore | None:
    return session.scalar(
        select(CustomerScore).where(
            CustomerScore.company_id == company_id, CustomerScore.customer_id == customer_id
        )
    )
