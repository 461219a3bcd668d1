"""The demo's agreements and cases, made through the normal services so that the Promises,
Plans, Disputes, Write-offs and Set-off pages (and the customers' timelines) have something to
show: a promise to pay, a payment plan, a dispute of part of an invoice, a write-off waiting for
a manager, and a customer who is also a supplier. Each goes to a different customer owing
something overdue in euros, chosen from the seed."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.audit.actor import Actor
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.dispute.service import ItemIn, open_dispute
from cobro.invoice.models import Invoice
from cobro.plan.service import Actor as PlanActor
from cobro.plan.service import Ask, make_plan
from cobro.promise.service import make_promise
from cobro.setoff.models import VendorBill
from cobro.writeoff.service import request_write_off

COLLECTOR = "collector@demo.example"  # the demo's sign-ins (`cobro.demo.logins`)
# small debts may make installments smaller than the guardrails allow: the admin approves
ADMIN = PlanActor(name="admin@demo.example", may_override=True)


KINDS = ("a promise to pay", "a payment plan", "a dispute of part of an invoice",
         "a write-off waiting for approval", "a customer we also owe")  # fmt: skip


def demo_agreements(session: Session, company: Company, on: date, seed: int) -> list[str]:
    """One of each of KINDS, each for another customer with an overdue euro invoice (a small
    demo may have fewer such customers than kinds: the first kinds are made then); what was
    made, in words."""
    rng = random.Random(f"{seed}:agreements")
    owing = _owing(session, company, on)
    chosen = rng.sample(sorted(owing), min(len(KINDS), len(owing)))
    makers = (_promise, _plan, _dispute, _write_off, _vendor_bill)
    for maker, external_id in zip(makers, chosen, strict=False):
        maker(session, company, external_id, owing[external_id], on)
    return list(KINDS[: len(chosen)])


def _promise(session: Session, company: Company, customer: str, oldest: Invoice, on: date) -> None:
    make_promise(
        session, company, customer, min(oldest.open_amount, 500_00), "EUR",
        on + timedelta(days=7), on, "call", [oldest.number], Actor(name=COLLECTOR),
        note="Will pay after the month-end close",
    )  # fmt: skip


def _plan(session: Session, company: Company, customer: str, _oldest: Invoice, on: date) -> None:
    make_plan(
        session, company, customer,
        Ask(installments=3, frequency="monthly", first_on=on + timedelta(days=10), currency="EUR"),
        on, "call", ADMIN, override=True, note="Three monthly installments agreed on the phone",
    )  # fmt: skip


def _dispute(session: Session, company: Company, customer: str, oldest: Invoice, on: date) -> None:
    open_dispute(
        session, company, customer, [ItemIn(oldest.number, max(oldest.open_amount // 3, 1))],
        "quality", "Part of the delivery arrived damaged (photos sent by email).", on, "call",
        by=Actor(name=COLLECTOR),
    )  # fmt: skip


def _write_off(
    session: Session, company: Company, _customer: str, oldest: Invoice, on: date
) -> None:
    request_write_off(
        session, company, oldest.number, None, "insolvency", "The customer filed for insolvency",
        on, (None, COLLECTOR), "collector",
    )  # fmt: skip


def _owing(session: Session, company: Company, on: date) -> dict[str, Invoice]:
    """Customer external id -> their oldest overdue euro invoice, for customers with only
    euro invoices open (a plan or a promise with no currency named is then in euros)."""
    currencies = (
        select(Invoice.customer_id)
        .where(Invoice.company_id == company.id, Invoice.open_amount > 0)
        .group_by(Invoice.customer_id)
        .having(func.count(func.distinct(Invoice.currency)) == 1)
    )
    rows = session.execute(
        select(Customer.external_id, Invoice)
        .join(Invoice, Invoice.customer_id == Customer.id)
        .where(
            Invoice.company_id == company.id,
            Invoice.open_amount > 0,
            Invoice.currency == "EUR",
            Invoice.due_date < on,
            Invoice.customer_id.in_(currencies),
        )
        .order_by(Invoice.due_date, Invoice.id)
    )
    owing: dict[str, Invoice] = {}
    for external_id, invoice in rows:
        owing.setdefault(external_id, invoice)
    return owing


def _vendor_bill(
    session: Session, company: Company, external_id: str, invoice: Invoice, on: date
) -> None:
    """The customer also supplies the company: a bill of 60 % of what they owe, due in 20
    days. The next cycle proposes a set-off instead of a reminder."""
    amount = max(invoice.open_amount * 6 // 10, 1)
    session.add(
        VendorBill(
            company_id=company.id,
            customer_id=invoice.customer_id,
            number=f"PROV-{external_id}-1",
            issue_date=on - timedelta(days=10),
            due_date=on + timedelta(days=20),
            currency="EUR",
            total=amount,
            open_amount=amount,
            reference="Transport services, last month",
        )
    )
    session.flush()
