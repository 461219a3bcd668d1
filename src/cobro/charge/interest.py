"""Late-payment interest and the fixed compensation, recorded per invoice as increments, so
that what accrued up to a payment stays owed when the principal is paid. Services flush."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from cobro.charge import debit
from cobro.charge.models import Charge
from cobro.charge.rules import (
    compensation_key,
    interest_key,
    stretches_detail,
)
from cobro.charge.store import Recorded, Terms, Where, add, exists, new_charge
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import CobroError, Invalid
from cobro.interest import law
from cobro.interest.rules import PaidInParts, accrue_paid_in_parts
from cobro.invoice.models import CreditNote, Invoice, WriteOff
from cobro.kit.money import format_minor
from cobro.payment.models import Allocation
from cobro.policy.rules import ActionKind

# what recorded a charge: the policy, the stage and the action (none for interest recorded
# when a claimed invoice was settled)
Origin = tuple[int | None, str | None, int | None]
NO_ORIGIN: Origin = (None, None, None)


def claim_interest(
    session: Session,
    terms: Terms,
    where: Where,
    on: date,
    action_id: int | None,
    recorded: Recorded,
) -> None:
    company, customer, invoice, policy_id, stage = where
    if terms.jurisdiction is None:
        return  # no law chosen: the interest action says so (`store.charges_off`)
    # each on its own: a compensation that cannot be claimed (another currency) does not
    # stop the interest, nor a rate not yet published the compensation
    origin = (policy_id, stage.code, action_id)
    steps: tuple[Callable[[], Charge | None], ...] = (
        lambda: record_interest(session, company, customer, invoice, on, terms, origin),
        lambda: _compensation(session, terms, where, on, origin),
    )
    for record in steps:
        try:
            row = record()
        except CobroError as problem:
            recorded.problems.append(
                (ActionKind.INTEREST_CLAIM, f"invoice {invoice.number}: {problem.message}")
            )
            continue
        if row is not None:
            recorded.charges.append(row)


def record_interest(
    session: Session,
    company: Company,
    customer: Customer,
    invoice: Invoice,
    to: date,
    terms: Terms | None = None,
    origin: Origin = NO_ORIGIN,
) -> Charge | None:
    """The interest accrued on `invoice` up to `to` that no earlier row holds, as a new row
    (None: nothing new), from `origin` (policy, stage, action; none when an invoice settled
    since its claim). Raises the rate table's error when a day has no published rate."""
    terms = terms or Terms.of(company)
    assert terms.jurisdiction is not None
    key = interest_key(invoice.id, to)
    if exists(session, company.id, key):
        return None
    business = customer.kind == "business"
    applied = terms.rates(session, business, invoice.due_date + timedelta(days=1))
    accrued = accrue_paid_in_parts(
        invoice.total, invoice.due_date, reductions(session, invoice.id), to, applied.table
    )
    before, last = _recorded_interest(session, invoice.id)
    amount = accrued.amount - before
    if amount <= 0:
        return None
    first = (last or invoice.due_date) + timedelta(days=1)
    label = f"Late-payment interest on {invoice.number} ({terms.jurisdiction} law)"
    detail = {
        **_interest_detail(accrued, terms, business, before),
        "warnings": list(applied.warnings),
    }
    owner = (company, customer, invoice)
    charge = new_charge(
        terms, owner, key, "interest", (amount, invoice.currency), to, label, detail
    )
    charge.accrued_from, charge.accrued_to = first, to
    charge.policy_id, charge.stage, charge.action_id = origin
    return add(session, charge)


def reductions(session: Session, invoice_id: int) -> list[tuple[date, int]]:
    """Everything that lowered the amount due, on its day: allocations of payments, credit
    notes and write-offs (each lowers the base of the interest from the next day)."""
    rows = union_all(
        select(Allocation.applied_on, Allocation.amount).where(Allocation.invoice_id == invoice_id),
        select(CreditNote.issue_date, CreditNote.amount).where(CreditNote.invoice_id == invoice_id),
        select(WriteOff.written_off_on, WriteOff.amount).where(WriteOff.invoice_id == invoice_id),
    )
    return [(day, amount) for day, amount in session.execute(rows)]


def _recorded_interest(session: Session, invoice_id: int) -> tuple[int, date | None]:
    """What the invoice's interest rows add up to (waived ones too: a waiver forgives what
    was recorded, it does not make it due again), and the last day they count."""
    total, last = session.execute(
        select(func.coalesce(func.sum(Charge.amount), 0), func.max(Charge.accrued_to)).where(
            Charge.invoice_id == invoice_id, Charge.kind == "interest"
        )
    ).one()
    return int(total), last


def _interest_detail(
    accrued: PaidInParts, terms: Terms, business: bool, before: int
) -> dict[str, Any]:
    stretches = []
    for part in accrued.accruals:
        for row in stretches_detail(part.stretches):
            stretches.append({**row, "base": part.principal})
    return {
        "law": terms.jurisdiction,
        "debtor": "business" if business else "consumer",
        "stretches": stretches,
        "payments": [
            {"on": r.paid_on.isoformat(), "amount": r.amount, "accrued": r.accrued}
            for r in accrued.reductions
        ],
        "total_to_date": accrued.amount,
        "recorded_before": before,
    }


def _compensation(
    session: Session, terms: Terms, where: Where, on: date, origin: Origin
) -> Charge | None:
    company, customer, invoice, _policy, _stage = where
    assert terms.jurisdiction is not None
    key = compensation_key(invoice.id)
    business = customer.kind == "business"
    agreed = terms.contract_rate is not None
    amount = law.fixed_compensation(terms.jurisdiction, business, invoice.total, agreed)
    currency = law.currency_of(terms.jurisdiction)
    if amount <= 0 or exists(session, company.id, key):
        return None
    if invoice.currency != currency:
        raise Invalid(
            f"the fixed compensation is set in {currency}; the invoice is in {invoice.currency}, "
            "so none is claimed",
            field="currency",
        )
    text = f"{terms.jurisdiction} law: {format_minor(amount, currency)} {currency} per late invoice"
    label = f"Fixed compensation for recovery costs on {invoice.number}"
    detail = {"law": terms.jurisdiction, "text": text}
    owner = (company, customer, invoice)
    charge = new_charge(terms, owner, key, "compensation", (amount, currency), on, label, detail)
    charge.policy_id, charge.stage, charge.action_id = origin
    return add(session, charge)


def settled_interest(session: Session, company: Company, on: date) -> list[Charge]:
    """For every invoice whose interest was claimed and that has since been settled (by `on`),
    the interest accrued up to the day it was settled, recorded so paying the principal does
    not lose it. Only invoices with an interest row are looked at: a company claims interest
    through its policy's stages, not on every payment a day late."""
    terms = Terms.of(company)
    if terms.mode == "off" or terms.jurisdiction is None:
        return []
    last = func.max(Charge.accrued_to)
    rows = session.execute(
        select(Invoice, Customer)
        .join(Charge, Charge.invoice_id == Invoice.id)
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(
            Invoice.company_id == company.id,
            Invoice.settled_on.is_not(None),
            Invoice.settled_on <= on,
            Charge.kind == "interest",
        )
        .group_by(Invoice.id, Customer.id)
        .having(last < Invoice.settled_on)
    ).all()
    out: list[Charge] = []
    for invoice, customer in rows:
        assert invoice.settled_on is not None
        try:
            charge = record_interest(session, company, customer, invoice, invoice.settled_on, terms)
        except CobroError:
            continue  # a day with no published rate: the next cycle tries again
        if charge is not None:
            out.append(charge)
    if terms.mode == "charge":
        for customer_id, charges in _by_customer(out).items():
            debit.issue(session, company, session.get_one(Customer, customer_id), charges, on)
    session.flush()
    return out


def _by_customer(charges: Iterable[Charge]) -> dict[int, list[Charge]]:
    grouped: dict[int, list[Charge]] = {}
    for charge in charges:
        grouped.setdefault(charge.customer_id, []).append(charge)
    return grouped
