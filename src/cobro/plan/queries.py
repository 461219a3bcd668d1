"""Reading payment plans: the company's list (by status, by customer, a page at a time) and
one plan with its installments as they stand on a day. Always within one company; another
company's plan is NotFound."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.customer.listing import listed_page
from cobro.customer.models import Customer
from cobro.errors import NotFound
from cobro.invoice.models import Invoice
from cobro.kit.pagination import Page, PageRequest
from cobro.plan import rules
from cobro.plan.models import PLAN_STATUSES, PaymentPlan, PlanInstallment, PlanInvoice


@dataclass(frozen=True)
class PlanRow:
    id: int
    customer: str  # external id
    customer_name: str
    currency: str
    total: int  # minor units of `currency`
    down_payment: int
    fee: int
    interest_rate: str | None
    frequency: str
    starts_on: date
    grace_days: int
    status: str
    source: str
    approved_by: str | None
    created_by: str | None
    replaces_id: int | None
    fee_invoice: str | None
    resolved_on: date | None
    note: str | None
    invoices: tuple[str, ...]
    paid: int  # what its installments got, as of the last review
    created_at: datetime


@dataclass(frozen=True)
class InstallmentRow:
    sequence: int  # 0: the down payment
    due_on: date
    amount: int
    paid: int
    paid_on: date | None
    state: str  # paid, partly_paid, due, missed
    reminded_on: date | None
    late_notice_on: date | None


@dataclass(frozen=True)
class PlanDetail:
    row: PlanRow
    installments: list[InstallmentRow]
    replaced_by: int | None


def plans_page(
    session: Session,
    company_id: int,
    page: PageRequest,
    *,
    status: str | None = None,
    customer: str | None = None,
) -> Page[PlanRow]:
    """The company's plans, newest first; of one status or customer (external id)."""
    found = listed_page(session, PaymentPlan, company_id, page, PLAN_STATUSES, status, customer)
    rows = _rows(session, list(found.items))
    return Page(rows, found.limit, found.offset, found.next_offset)


def plan_row(session: Session, company_id: int, plan_id: int) -> PlanRow:
    found = session.execute(
        select(PaymentPlan, Customer.external_id, Customer.name)
        .join(Customer, Customer.id == PaymentPlan.customer_id)
        .where(PaymentPlan.company_id == company_id, PaymentPlan.id == plan_id)
    ).first()
    if found is None:
        raise NotFound(f"no payment plan {plan_id}", field="plan_id")
    return _rows(session, [(found[0], found[1], found[2])])[0]


def plan_detail(session: Session, company_id: int, plan_id: int, on: date) -> PlanDetail:
    """One plan with its installments as they stood at the last review, and their state on
    `on` (an ended plan's as it ended)."""
    row = plan_row(session, company_id, plan_id)
    parts = list(
        session.scalars(
            select(PlanInstallment)
            .where(PlanInstallment.plan_id == plan_id)
            .order_by(PlanInstallment.sequence)
        )
    )
    day = row.resolved_on if row.resolved_on is not None else on
    schedule = [rules.Installment(p.sequence, p.due_on, p.amount) for p in parts]
    states = rules.states(schedule, sum(p.paid for p in parts), day, row.grace_days)
    installments = [
        InstallmentRow(
            sequence=p.sequence,
            due_on=p.due_on,
            amount=p.amount,
            paid=p.paid,
            paid_on=p.paid_on,
            state=state,
            reminded_on=p.reminded_on,
            late_notice_on=p.late_notice_on,
        )
        for p, state in zip(parts, states, strict=True)
    ]
    replaced_by = session.scalar(
        select(PaymentPlan.id).where(
            PaymentPlan.replaces_id == plan_id, PaymentPlan.company_id == company_id
        )
    )
    return PlanDetail(row=row, installments=installments, replaced_by=replaced_by)


def _rows(session: Session, found: list[tuple[PaymentPlan, str, str]]) -> list[PlanRow]:
    """Rows with their invoice numbers and what was paid, in two queries for the page."""
    ids = [plan.id for plan, _, _ in found]
    numbers: dict[int, list[str]] = defaultdict(list)
    fee_numbers: dict[int, str] = {}
    paid: dict[int, int] = defaultdict(int)
    if ids:
        for plan_id, invoice_id, number in session.execute(
            select(PlanInvoice.plan_id, Invoice.id, Invoice.number)
            .join(Invoice, Invoice.id == PlanInvoice.invoice_id)
            .where(PlanInvoice.plan_id.in_(ids))
            .order_by(Invoice.due_date, Invoice.id)
        ):
            numbers[plan_id].append(number)
            fee_numbers[invoice_id] = number
        for plan_id, got in session.execute(
            select(PlanInstallment.plan_id, PlanInstallment.paid).where(
                PlanInstallment.plan_id.in_(ids)
            )
        ):
            paid[plan_id] += int(got)
    return [
        PlanRow(
            id=plan.id,
            customer=external_id,
            customer_name=name,
            currency=plan.currency,
            total=plan.total,
            down_payment=plan.down_payment,
            fee=plan.fee,
            interest_rate=plan.interest_rate,
            frequency=plan.frequency,
            starts_on=plan.starts_on,
            grace_days=plan.grace_days,
            status=plan.status,
            source=plan.source,
            approved_by=plan.approved_by,
            created_by=plan.created_by,
            replaces_id=plan.replaces_id,
            fee_invoice=None
            if plan.fee_invoice_id is None
            else fee_numbers.get(plan.fee_invoice_id),
            resolved_on=plan.resolved_on,
            note=plan.note,
            invoices=tuple(numbers.get(plan.id, ())),
            paid=paid.get(plan.id, 0),
            created_at=plan.created_at,
        )
        for plan, external_id, name in found
    ]
