"""A customer with what a case file and an agency need: contacts, open invoices, a message
sent with its document, a recorded interest charge and a note; and a second company with a
customer of its own, to prove nothing of theirs leaks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from cobro.charge.models import Charge
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.customer.rules import ContactIn
from cobro.invoice.models import Invoice
from cobro.note.service import add_note
from cobro.outbox.models import Action, Attempt, Document
from tests.factories.access import make_user
from tests.factories.ledger import make_company, make_customer, make_invoice

ON = date(2026, 4, 15)
NOW = datetime(2026, 4, 15, 9, 0, tzinfo=UTC)


@dataclass
class Books:
    session: Session
    company: Company
    customer: Customer
    invoices: list[Invoice]
    document: Document
    other_company: Company
    other_customer: Customer


def send(session: Session, customer: Customer, stage: str, content: bytes, name: str) -> Document:
    """A message sent to `customer` with its document, as the worker leaves it."""
    action = Action(
        company_id=customer.company_id,
        customer_id=customer.id,
        policy_id=0,
        stage=stage,
        tone="firm",
        kind="email",
        cycle_on=date(2026, 3, 5),
        status="sent",
        not_before=NOW,
        sent_at=datetime(2026, 3, 5, 8, 0, tzinfo=UTC),
    )
    session.add(action)
    session.flush()
    session.add(Attempt(action_id=action.id, outcome="retry", detail="421 busy",
                        at=datetime(2026, 3, 5, 7, 0, tzinfo=UTC)))  # fmt: skip
    session.add(Attempt(action_id=action.id, outcome="sent",
                        at=datetime(2026, 3, 5, 8, 0, tzinfo=UTC)))  # fmt: skip
    document = Document(
        action_id=action.id,
        name=name,
        media_type="message/rfc822",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
    )
    session.add(document)
    session.flush()
    return document


def charge(session: Session, invoice: Invoice, amount: int) -> Charge:
    row = Charge(
        company_id=invoice.company_id,
        customer_id=invoice.customer_id,
        invoice_id=invoice.id,
        key=f"interest:{invoice.id}:2026-04-01",
        kind="interest",
        currency=invoice.currency,
        amount=amount,
        computed_on=date(2026, 4, 1),
        accrued_from=date(2026, 3, 3),
        accrued_to=date(2026, 4, 1),
        label=f"Late-payment interest on {invoice.number} (ES law)",
        detail={
            "law": "ES",
            "debtor": "business",
            "stretches": [
                {
                    "first": "2026-03-03",
                    "last": "2026-04-01",
                    "days": 30,
                    "rate": "10.15",
                    "year_days": 365,
                    "interest": "1000.5000",
                    "base": invoice.total,
                }
            ],
            "payments": [],
            "total_to_date": amount,
            "recorded_before": 0,
        },
        mode="claim",
    )
    session.add(row)
    session.flush()
    return row


@pytest.fixture
def books(session: Session) -> Books:
    company = make_company(session)
    contact = ContactIn(
        name="Marta Ruiz",
        email="marta@acme.example",
        phone="+34600111222",
        street="Calle Mayor",
        building_number="7",
        postal_code="28013",
        city="Madrid",
        country="ES",
    )
    customer = make_customer(session, company, "ACME", name="Acme Distribución S.L.",
                             tax_id="B12345678", contact=contact)  # fmt: skip
    invoices = [
        make_invoice(session, company, customer, 1200_00, date(2026, 1, 1), date(2026, 1, 31),
                     "F-2026/001"),
        make_invoice(session, company, customer, 300_00, date(2026, 2, 1), date(2026, 3, 2),
                     "F-2026/002"),
    ]  # fmt: skip
    document = send(session, customer, "reminder-1", b"From: cobro\r\n\r\nPlease pay.", "email.eml")
    charge(session, invoices[0], 10_01)
    author = make_user(session, company)
    add_note(session, company.id, "ACME", author.id, "Says the buyer left; call finance.", NOW)
    other_company = make_company(session)
    other = make_customer(session, other_company, "OTHER", name="Secret Other S.A.")
    make_invoice(session, other_company, other, 999_00, number="SECRET-1")
    send(session, other, "reminder-1", b"Secret letter of another company", "secret.eml")
    return Books(session, company, customer, invoices, document, other_company, other)
