"""The customer 360: open items with their stage and hold, the ledger and the timeline (newest
first) of one customer of one company; another company's customer, document or invoice is
NotFound."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from hashlib import sha256

import pytest
from sqlalchemy.orm import Session

from cobro.customer.models import Contact
from cobro.cycle.service import run_cycle
from cobro.errors import NotFound
from cobro.invoice.service import add_credit_note
from cobro.outbox.models import Action, Attempt, Document
from cobro.policy.holds import place_hold
from cobro.report.customer360 import customer_document, customer_overview, invoice_view
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment

ON = date(2026, 3, 2)  # a Monday
ISSUED = date(2025, 10, 1)


def test_the_overview_of_one_customer(session: Session) -> None:
    company = make_company(session, "acme")
    other = make_company(session, "other")
    ana = make_customer(session, company, "C-1", name="Ana")
    ana.contacts.append(Contact(name="Lucía", email="lucia@example.com"))
    f1 = make_invoice(session, company, ana, 300_00, ISSUED, ON - timedelta(days=10), "F-1")
    make_invoice(session, company, ana, 100_00, ISSUED, ON + timedelta(days=5), "F-2")
    make_invoice(session, company, ana, 50_00, ISSUED, ON - timedelta(days=40), "F-3")
    payment = make_payment(session, company, ana, 50_00, ON - timedelta(days=30), ("F-3",))
    f4 = make_invoice(session, company, ana, 20_00, ISSUED, ON - timedelta(days=50), "F-4")
    add_credit_note(session, company, f4, "CN-1", ON - timedelta(days=20), 20_00)
    stranger = make_customer(session, other, "C-1", name="Stranger")
    make_invoice(session, other, stranger, 9_999_00, ISSUED, ON - timedelta(days=3), "F-1")
    run_cycle(session, company, ON)
    place_hold(session, company, ana, "dispute", "wrong price", ON, invoice=f1)

    overview = customer_overview(session, company.id, "C-1", ON)

    assert overview.customer.name == "Ana"
    assert [c.email for c in overview.contacts] == ["lucia@example.com"]
    items = {item.number: item for item in overview.open_items}
    assert set(items) == {"F-1", "F-2"}
    assert items["F-1"].days_overdue == 10
    assert items["F-1"].open_amount == 300_00
    assert items["F-1"].stage is not None
    assert items["F-1"].hold == "dispute"
    assert items["F-2"].days_overdue == 0
    assert overview.open_totals == {"EUR": 400_00}
    kinds = [(line.kind, line.reference) for line in overview.ledger]
    assert ("payment", payment.external_id) in kinds
    assert ("credit_note", "CN-1") in kinds
    assert ("invoice", "F-1") in kinds
    assert [line.on for line in overview.ledger] == sorted(
        (line.on for line in overview.ledger), reverse=True
    )
    assert overview.timeline  # the cycle chased F-1
    assert all(entry.cycle_on == ON for entry in overview.timeline)

    with pytest.raises(NotFound):
        customer_overview(session, other.id, "C-2", ON)
    # the same external id in another company is that company's customer, never Ana
    assert customer_overview(session, other.id, "C-1", ON).customer.name == "Stranger"


def test_documents_and_invoices_of_another_company_are_not_found(session: Session) -> None:
    company = make_company(session, "acme")
    other = make_company(session, "other")
    ana = make_customer(session, company, "C-1", name="Ana")
    make_invoice(session, company, ana, 300_00, ISSUED, ON - timedelta(days=10), "F-1")
    action = Action(
        company_id=company.id,
        customer_id=ana.id,
        policy_id=0,
        stage="reminder",
        tone="soft",
        kind="email",
        cycle_on=ON,
        status="sent",
        not_before=datetime(2026, 3, 2, 9, tzinfo=UTC),
        sent_at=datetime(2026, 3, 2, 9, 5, tzinfo=UTC),
    )
    session.add(action)
    session.flush()
    body = b"Subject: hello\r\n\r\nPlease pay."
    document = Document(
        action_id=action.id,
        name="message.eml",
        media_type="message/rfc822",
        size=len(body),
        sha256=sha256(body).hexdigest(),
        content=body,
    )
    session.add_all([document, Attempt(action_id=action.id, outcome="sent", detail="250 ok")])
    session.flush()

    overview = customer_overview(session, company.id, "C-1", ON)
    [entry] = overview.timeline
    assert entry.status == "sent"
    assert [d.name for d in entry.documents] == ["message.eml"]
    assert [a.outcome for a in entry.attempts] == ["sent"]
    assert customer_document(session, company.id, "C-1", document.id).content == body

    make_customer(session, other, "C-1", name="Stranger")
    with pytest.raises(NotFound):
        customer_document(session, other.id, "C-1", document.id)
    with pytest.raises(NotFound):
        customer_document(session, company.id, "C-1", document.id + 1000)
    assert invoice_view(session, company.id, "F-1", ON).days_overdue == 10
    with pytest.raises(NotFound):
        invoice_view(session, other.id, "F-1", ON)
