"""The review queue: what a person does with a line cash application did not apply alone."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.models import AuditEvent
from cobro.banking import review
from cobro.banking.accounts import add_account
from cobro.banking.imports import import_statement_file
from cobro.banking.models import PayerLink, StatementLine
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import Conflict, Invalid
from cobro.invoice.models import Invoice
from cobro.kit.pagination import PageRequest
from cobro.outbox.models import Action
from cobro.payment.models import Payment
from cobro.payment.service import check_ledger
from cobro.policy.holds import place_hold
from tests.factories.bank import Entry, camt
from tests.factories.ledger import make_company, make_customer, make_invoice

ACCOUNT = "ES9121000418450200051332"
NOW = datetime(2026, 3, 3, 9, tzinfo=UTC)
ON = date(2026, 3, 3)
BY = (None, "ana@example.com")
SEQUENCE = itertools.count(1)


@pytest.fixture
def company(session: Session) -> Company:
    company = make_company(session)
    add_account(session, company, ACCOUNT)
    return company


def queued_line(session: Session, company: Company, entry: Entry) -> StatementLine:
    """The line of a new statement holding `entry` alone (each statement its own id)."""
    statement_id = f"S-{next(SEQUENCE)}"
    data = camt(ACCOUNT, [entry], statement_id=statement_id)
    import_statement_file(session, company, data, on=ON, now=NOW, by=(None, "test"))
    return session.scalars(select(StatementLine).order_by(StatementLine.id.desc()).limit(1)).one()


def two_lookalikes(session: Session, company: Company) -> tuple[Invoice, Invoice]:
    """Two customers each owing 80.00: a payment of 80.00 naming neither cannot be applied."""
    first = make_customer(session, company, name="Alfa Montajes S.L.")
    second = make_customer(session, company, name="Beta Logística S.A.")
    return (
        make_invoice(session, company, first, total=80_00, number="A-100"),
        make_invoice(session, company, second, total=80_00, number="B-200"),
    )


def test_an_ambiguous_payment_waits_for_a_person_with_its_candidates(
    session: Session, company: Company
) -> None:
    two_lookalikes(session, company)
    line = queued_line(
        session, company, Entry(80_00, name="J. PEREZ", iban="ES7921000813610123456789")
    )
    assert line.state in ("review", "unmatched")
    assert line.why
    page = review.review_queue(session, company, PageRequest())
    assert [row.id for row in page.items] == [line.id]


def test_a_person_splits_a_line_and_the_payer_is_learned(
    session: Session, company: Company
) -> None:
    first, _second = two_lookalikes(session, company)
    line = queued_line(
        session, company, Entry(100_00, name="J. PEREZ", iban="ES7921000813610123456789")
    )
    owner = session.get_one(Customer, first.customer_id)
    review.split(session, company, line.id, owner.external_id, [("A-100", 80_00)], BY, NOW)
    assert line.state == "applied"
    assert first.open_amount == 0
    payment = session.get_one(Payment, line.payment_id)
    assert payment.unapplied == 20_00
    links = {(link.kind, link.value) for link in session.scalars(select(PayerLink))}
    assert ("iban", "ES7921000813610123456789") in links
    assert ("name", "J. PEREZ") in links
    assert check_ledger(session, company.id) == []
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "bank.line_applied")
    ).one()
    assert event.after is not None
    assert event.after["by"] == "ana@example.com"


def test_a_learned_account_finds_its_customer_next_time(session: Session, company: Company) -> None:
    first, _second = two_lookalikes(session, company)
    owner = session.get_one(Customer, first.customer_id)
    line = queued_line(session, company, Entry(80_00, iban="ES7921000813610123456789", text="x"))
    review.split(session, company, line.id, owner.external_id, [("A-100", 80_00)], BY, NOW)
    later = make_invoice(session, company, owner, total=45_50, number="A-101")
    queued_line(
        session,
        company,
        Entry(45_50, iban="ES7921000813610123456789", booked=date(2026, 3, 9), text="pago"),
    )
    assert later.open_amount == 0


def test_accepting_a_candidate_applies_it(session: Session, company: Company) -> None:
    two_lookalikes(session, company)
    line = queued_line(session, company, Entry(80_00, name="Alfa", text="pago A 100"))
    assert line.state == "review"  # two customers owe 80.00: not sure enough alone
    assert line.suggestions
    review.accept(session, company, line.id, 0, BY, NOW)
    assert line.state == "applied"
    with pytest.raises(Conflict, match="already applied"):
        review.accept(session, company, line.id, 0, BY, NOW)


def test_accepting_a_candidate_whose_invoice_was_paid_since_is_refused(
    session: Session, company: Company
) -> None:
    two_lookalikes(session, company)
    line = queued_line(session, company, Entry(80_00, name="Alfa", text="pago"))
    assert line.suggestions
    chosen = line.suggestions[0]["shares"][0]["invoice_id"]
    session.get_one(Invoice, chosen).open_amount = 0
    with pytest.raises(Invalid, match="paid or credited since"):
        review.accept(session, company, line.id, 0, BY, NOW)
    assert line.state != "applied"


def test_reassigning_pays_the_customers_oldest_invoices_first(
    session: Session, company: Company
) -> None:
    customer = make_customer(session, company, name="Gamma")
    old = make_invoice(session, company, customer, total=30_00, due_date=date(2026, 1, 10))
    new = make_invoice(session, company, customer, total=30_00, due_date=date(2026, 2, 10))
    line = queued_line(session, company, Entry(45_00, name="Someone Else", text="?"))
    review.reassign(session, company, line.id, customer.external_id, BY, NOW)
    assert (old.open_amount, new.open_amount) == (0, 15_00)


def test_ignoring_needs_a_reason_and_takes_the_line_out_of_the_queue(
    session: Session, company: Company
) -> None:
    line = queued_line(session, company, Entry(12_00, text="refund from supplier"))
    with pytest.raises(Invalid, match="say why"):
        review.ignore(session, company, line.id, "  ", BY, NOW)
    review.ignore(session, company, line.id, "supplier refund", BY, NOW)
    assert line.state == "ignored"
    assert review.review_queue(session, company, PageRequest()).items == []


def test_splitting_more_than_the_line_is_refused(session: Session, company: Company) -> None:
    customer = make_customer(session, company)
    make_invoice(session, company, customer, total=90_00, number="Z-1")
    line = queued_line(session, company, Entry(10_00, text="?"))
    with pytest.raises(Invalid, match="more than the line"):
        review.split(session, company, line.id, customer.external_id, [("Z-1", 20_00)], BY, NOW)


def test_applying_a_payment_releases_the_ive_paid_claim_and_cancels_queued_messages(
    session: Session, company: Company
) -> None:
    customer = make_customer(session, company, name="Delta")
    invoice = make_invoice(session, company, customer, total=60_00, number="D-1")
    hold = place_hold(
        session,
        company,
        customer,
        "paid_claim",
        reason="paid on 2026-03-01: TRF 991",
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 11),
    )
    action = Action(
        company_id=company.id,
        customer_id=customer.id,
        policy_id=0,
        stage="reminder",
        tone="friendly",
        kind="email",
        cycle_on=date(2026, 3, 3),
        not_before=NOW,
    )
    session.add(action)
    session.flush()
    queued_line(session, company, Entry(60_00, rf=invoice.payment_reference))
    assert invoice.open_amount == 0
    assert hold.released_on == date(2026, 3, 2)
    assert action.status == "cancelled"
    assert action.last_error is not None
    assert "paid" in action.last_error
