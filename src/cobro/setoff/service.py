"""Set-off use cases: what a customer and the company owe each other, the proposal, applying
it, and the customers the daily cycle should offer a set-off to instead of a reminder.

Applying a set-off pays both sides with the same amount: the receivable side is a payment
(method "set_off", external id "SETOFF-<set-off id>") applied to the customer's invoices like
any payment, so `cobro.payment.service.check_ledger` holds; the payable side reduces the
vendor bills. Services flush; the caller commits. `by` is who acts: (user id or None, name)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import BigInteger, ColumnElement, cast, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from cobro.audit.service import record
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.customer.service import get_customer
from cobro.errors import Invalid
from cobro.invoice.models import Invoice
from cobro.kit.dates import utcnow
from cobro.kit.money import check_currency
from cobro.kit.pagination import PageRequest
from cobro.payment.events import payment_received
from cobro.payment.models import Payment
from cobro.payment.service import allocate
from cobro.policy.models import Hold
from cobro.setoff import rules
from cobro.setoff.models import SetOff, SetOffBill, VendorBill
from cobro.task.models import Task

Actor = tuple[int | None, str]
METHOD = "set_off"
TASK_PREFIX = "Set-off possible with"
Totals = dict[int, dict[str, int]]  # customer id: {currency: open amount}


@dataclass(frozen=True)
class CustomerExposure:
    customer_id: int
    external_id: str
    name: str
    exposures: tuple[rules.Exposure, ...]


@dataclass(frozen=True)
class Applied:
    set_off: SetOff
    payment: Payment
    proposal: rules.Proposal


def sum_of(column: InstrumentedAttribute[int]) -> ColumnElement[int]:
    # PostgreSQL sums bigint into numeric (a Decimal): cast back to an integer
    return cast(func.sum(column), BigInteger)


def _owed(session: Session, company_id: int, customer_ids: list[int] | None) -> Totals:
    query = select(Invoice.customer_id, Invoice.currency, sum_of(Invoice.open_amount)).where(
        Invoice.company_id == company_id, Invoice.open_amount > 0
    )
    if customer_ids is not None:
        query = query.where(Invoice.customer_id.in_(customer_ids))
    found: dict[int, dict[str, int]] = {}
    for customer_id, currency, total in session.execute(
        query.group_by(Invoice.customer_id, Invoice.currency)
    ):
        found.setdefault(customer_id, {})[currency] = int(total)
    return found


def _owe(session: Session, company_id: int, customer_ids: list[int] | None) -> Totals:
    query = select(
        VendorBill.customer_id, VendorBill.currency, sum_of(VendorBill.open_amount)
    ).where(VendorBill.company_id == company_id, VendorBill.open_amount > 0)
    if customer_ids is not None:
        query = query.where(VendorBill.customer_id.in_(customer_ids))
    found: dict[int, dict[str, int]] = {}
    for customer_id, currency, total in session.execute(
        query.group_by(VendorBill.customer_id, VendorBill.currency)
    ):
        found.setdefault(customer_id, {})[currency] = int(total)
    return found


def exposure(session: Session, company: Company, customer: Customer) -> list[rules.Exposure]:
    """Per currency: what the customer owes us, what we owe them (open vendor bills), net."""
    owed = _owed(session, company.id, [customer.id]).get(customer.id, {})
    owe = _owe(session, company.id, [customer.id]).get(customer.id, {})
    return rules.exposures(owed, owe)


def customer_exposures(
    session: Session, company: Company, customer_ids: list[int] | None = None
) -> list[CustomerExposure]:
    """The customers we owe something (open vendor bills), by name, each with its exposure:
    three grouped queries, whatever the number of customers."""
    owe = _owe(session, company.id, customer_ids)
    if not owe:
        return []
    owed = _owed(session, company.id, list(owe))
    names = session.execute(
        select(Customer.id, Customer.external_id, Customer.name).where(
            Customer.company_id == company.id, Customer.id.in_(list(owe))
        )
    ).all()
    return [
        CustomerExposure(
            customer_id,
            external_id,
            name,
            tuple(rules.exposures(owed.get(customer_id, {}), owe[customer_id])),
        )
        for customer_id, external_id, name in sorted(names, key=lambda row: (row[2], row[1]))
    ]


def _documents(
    session: Session, customer_id: int, currency: str | None, lock: bool = False
) -> tuple[list[rules.Document], list[rules.Document], dict[int, Invoice], dict[int, VendorBill]]:
    invoices = select(Invoice).where(
        Invoice.customer_id == customer_id, Invoice.open_amount > 0, ~_disputed(Invoice.id)
    )
    bills = select(VendorBill).where(
        VendorBill.customer_id == customer_id, VendorBill.open_amount > 0
    )
    if currency is not None:
        invoices = invoices.where(Invoice.currency == currency)
        bills = bills.where(VendorBill.currency == currency)
    if lock:  # two set-offs at once: the second sees what the first left
        invoices = invoices.with_for_update().execution_options(populate_existing=True)
        bills = bills.with_for_update().execution_options(populate_existing=True)
    invoice_rows = {i.id: i for i in session.scalars(invoices.order_by(Invoice.id))}
    bill_rows = {b.id: b for b in session.scalars(bills.order_by(VendorBill.id))}
    receivables = [
        rules.Document(i.id, i.number, i.due_date, i.currency, i.open_amount)
        for i in invoice_rows.values()
    ]
    payables = [
        rules.Document(b.id, b.number, b.due_date, b.currency, b.open_amount)
        for b in bill_rows.values()
    ]
    return receivables, payables, invoice_rows, bill_rows


def _disputed(invoice_id: InstrumentedAttribute[int]) -> ColumnElement[bool]:
    """The invoice is in an open dispute: what the debtor contests is not set off against
    what we owe them until the dispute is resolved (a dispute's hold is open-ended and ends
    with its release)."""
    return (
        select(Hold.id)
        .where(Hold.invoice_id == invoice_id, Hold.kind == "dispute", Hold.released_on.is_(None))
        .exists()
    )


def proposals(session: Session, customer: Customer) -> list[rules.Proposal]:
    """All that can be set off with the customer, one proposal per currency."""
    receivables, payables, _, _ = _documents(session, customer.id, None)
    return [
        rules.propose(receivables, payables, currency)
        for currency in sorted(set(rules.totals(receivables)) & set(rules.totals(payables)))
    ]


def _currency(session: Session, customer: Customer, currency: str | None) -> str:
    """The currency asked for, else the only one with something to set off."""
    if currency is not None:
        try:
            return check_currency(currency)
        except Invalid as error:
            raise Invalid(error.message, field="currency") from None
    receivables, payables, _, _ = _documents(session, customer.id, None)
    both = sorted(set(rules.totals(receivables)) & set(rules.totals(payables)))
    if len(both) == 1:
        return both[0]
    if not both:
        raise Invalid(f"nothing can be set off with {customer.external_id}", field="currency")
    raise Invalid(f"set off which currency? {', '.join(both)}", field="currency")


def propose(
    session: Session,
    company: Company,
    external_id: str,
    currency: str | None,
    on: date,
    amount: int | None = None,
) -> rules.Proposal:
    """What a set-off in `currency` would pay on each side on `on`; nothing is written."""
    del on  # open amounts are today's; the day is the apply's (kept for one signature)
    customer = get_customer(session, company.id, external_id)
    code = _currency(session, customer, currency)
    receivables, payables, _, _ = _documents(session, customer.id, code)
    return rules.propose(receivables, payables, code, amount)


def apply_set_off(
    session: Session,
    company: Company,
    external_id: str,
    currency: str | None,
    on: date,
    by: Actor,
    amount: int | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> Applied:
    """Set off `amount` (None: all that can be) in `currency` on `on`. Everything is checked
    before anything is written: an amount above what can be set off is `Invalid` ("amount")."""
    customer = get_customer(session, company.id, external_id)
    code = _currency(session, customer, currency)
    receivables, payables, invoices, bills = _documents(session, customer.id, code, lock=True)
    proposal = rules.propose(receivables, payables, code, amount)
    text = note.strip()[:300] if note and note.strip() else None
    payment = Payment(
        company_id=company.id,
        customer_id=customer.id,
        external_id=f"SETOFF-pending-{customer.id}",  # renamed below, once the id is known
        received_on=on,
        currency=code,
        amount=proposal.amount,
        unapplied=proposal.amount,
        method=METHOD,
        reference=_reference(proposal),
    )
    session.add(payment)
    session.flush()
    set_off = SetOff(
        company_id=company.id,
        customer_id=customer.id,
        set_off_on=on,
        currency=code,
        amount=proposal.amount,
        payment_id=payment.id,
        note=text,
        created_by=by[1][:100],
    )
    session.add(set_off)
    session.flush()
    payment.external_id = f"SETOFF-{set_off.id}"
    for line in proposal.invoices:
        allocate(session, payment, invoices[line.id], line.amount, on)
    for line in proposal.bills:
        bill = bills[line.id]
        bill.open_amount -= line.amount
        if bill.open_amount == 0:
            bill.settled_on = on
        session.add(SetOffBill(set_off_id=set_off.id, bill_id=bill.id, amount=line.amount))
    session.flush()
    payment_received(session, payment, customer, [(i.number, i.amount) for i in proposal.invoices])
    record(
        session,
        "set_off.applied",
        at=now or utcnow(),
        entity_type="set_off",
        entity_id=set_off.id,
        actor_id=by[0],
        company_id=company.id,
        after={
            "customer": customer.external_id,
            "currency": code,
            "amount": proposal.amount,
            "set_off_on": on.isoformat(),
            "payment": payment.external_id,
            "invoices": {line.number: line.amount for line in proposal.invoices},
            "bills": {line.number: line.amount for line in proposal.bills},
            "note": text,
        },
    )
    _close_reviews(session, company.id, customer.id, f"set off by {by[1]}", now)
    return Applied(set_off, payment, proposal)


def _reference(proposal: rules.Proposal) -> str:
    return ("set-off of bills " + ", ".join(line.number for line in proposal.bills))[:140]


def _close_reviews(
    session: Session, company_id: int, customer_id: int, outcome: str, now: datetime | None
) -> None:
    for task in session.scalars(
        select(Task).where(
            Task.company_id == company_id,
            Task.customer_id == customer_id,
            Task.kind == "review",
            Task.status == "open",
            Task.title.startswith(TASK_PREFIX),
        )
    ):
        task.status = "done"
        task.outcome = outcome[:300]
        task.closed_at = now or utcnow()
    session.flush()


def list_bills(
    session: Session,
    company: Company,
    customer: str | None = None,
    open_only: bool = True,
    page: PageRequest | None = None,
) -> list[tuple[VendorBill, str]]:
    """Vendor bills with their customer's external id, oldest due first (of a page: one row
    more than it shows, for `page_of`)."""
    query = (
        select(VendorBill, Customer.external_id)
        .join(Customer, Customer.id == VendorBill.customer_id)
        .where(VendorBill.company_id == company.id)
    )
    if customer is not None:
        query = query.where(
            VendorBill.customer_id == get_customer(session, company.id, customer).id
        )
    if open_only:
        query = query.where(VendorBill.open_amount > 0)
    query = query.order_by(VendorBill.due_date, VendorBill.id)
    if page is not None:
        query = query.limit(page.limit + 1).offset(page.offset)
    rows = session.execute(query)
    return [(bill, external_id) for bill, external_id in rows]
