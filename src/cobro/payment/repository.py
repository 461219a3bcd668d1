"""The ledger as it stood on a past date: shared by reports and by the cycle's replays."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select, union_all
from sqlalchemy.orm import InstrumentedAttribute, Session

from cobro.invoice.models import CreditNote, Invoice, WriteOff
from cobro.payment.models import Allocation, Payment


def open_as_of(on: date) -> ColumnElement[Any]:
    """The open amount as it stood at the end of `on` (reductions dated later not yet made)."""
    allocated = (
        select(func.coalesce(func.sum(Allocation.amount), 0))
        .where(Allocation.invoice_id == Invoice.id, Allocation.applied_on <= on)
        .scalar_subquery()
    )
    credited = (
        select(func.coalesce(func.sum(CreditNote.amount), 0))
        .where(CreditNote.invoice_id == Invoice.id, CreditNote.issue_date <= on)
        .scalar_subquery()
    )
    written = (
        select(func.coalesce(func.sum(WriteOff.amount), 0))
        .where(WriteOff.invoice_id == Invoice.id, WriteOff.written_off_on <= on)
        .scalar_subquery()
    )
    return Invoice.total - allocated - credited - written


def reduced_after(session: Session, company_id: int, on: date) -> bool:
    """Whether any allocation, credit note or write-off of the company takes effect after `on`.

    Each test reads its table's date index from `on` onwards (an empty range on a current aging)
    and stops at the first row of the company: instant on a million invoices, where taking the
    latest reduction date would join every allocation to its invoice (~2 s measured)."""
    checks = [
        select(Allocation.id)
        .where(Allocation.applied_on > on, _of_company(Allocation.invoice_id, company_id))
        .limit(1),
        select(CreditNote.id)
        .where(CreditNote.company_id == company_id, CreditNote.issue_date > on)
        .limit(1),
        select(WriteOff.id)
        .where(WriteOff.written_off_on > on, _of_company(WriteOff.invoice_id, company_id))
        .limit(1),
    ]
    return any(session.scalar(check) is not None for check in checks)


def _of_company(invoice_id: InstrumentedAttribute[int], company_id: int) -> ColumnElement[bool]:
    return (
        select(Invoice.id)
        .where(Invoice.id == invoice_id, Invoice.company_id == company_id)
        .exists()
    )


def unapplied_cash(
    session: Session,
    on: date,
    *,
    company_id: int | None = None,
    customer_ids: list[int] | None = None,
) -> dict[int, dict[str, int]]:
    """Cash received by `on` and applied to no invoice, per customer and currency: of a whole
    company, or of some customers."""
    query = (
        select(Payment.customer_id, Payment.currency, func.sum(Payment.unapplied))
        .where(Payment.customer_id.is_not(None), Payment.unapplied > 0, Payment.received_on <= on)
        .group_by(Payment.customer_id, Payment.currency)
    )
    if company_id is not None:
        query = query.where(Payment.company_id == company_id)
    if customer_ids is not None:
        query = query.where(Payment.customer_id.in_(customer_ids))
    cash: dict[int, dict[str, int]] = defaultdict(dict)
    for customer_id, currency, amount in session.execute(query):
        if customer_id is not None:  # always, by the WHERE: for the type checker
            cash[customer_id][currency] = int(amount)
    return cash


def reduced_later(days: Sequence[date]) -> Select[Any]:
    """(invoice_id, after_0, after_1, …): what each invoice was reduced by after each of
    `days` (ascending) — allocations, credit notes and write-offs dated later — read through
    their date indexes from the first day on. The open amount at the end of a day is the
    stored open amount plus its column (the stored one is the total less every reduction):
    one join where `open_as_of` asks three questions per invoice."""
    later = union_all(
        select(Allocation.invoice_id, Allocation.amount, Allocation.applied_on.label("day"))
        .where(Allocation.applied_on > days[0]),
        select(CreditNote.invoice_id, CreditNote.amount, CreditNote.issue_date)
        .where(CreditNote.issue_date > days[0]),
        select(WriteOff.invoice_id, WriteOff.amount, WriteOff.written_off_on)
        .where(WriteOff.written_off_on > days[0]),
    ).subquery("later")  # fmt: skip
    after = [
        func.sum(case((later.c.day > day, later.c.amount), else_=0)).label(f"after_{index}")
        for index, day in enumerate(days)
    ]
    return select(later.c.invoice_id, *after).group_by(later.c.invoice_id)
