"""Validation notices and disputes against the real migrated database: what is stored, which
holds stop the chase, and what is refused."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.customer.rules import ContactIn
from cobro.errors import Conflict, Invalid, NotFound
from cobro.policy.holds import active_holds
from cobro.policy.models import Hold
from cobro.validation.models import ValidationNotice
from cobro.validation.rules import Itemization
from cobro.validation.service import (
    DISPUTE_REASON,
    list_notices,
    record_dispute,
    send_notice,
    verification_sent,
)
from tests.factories.ledger import make_company, make_customer, make_invoice

SENT = date(2025, 11, 3)  # vector R1: receipt 2025-11-10, period ends 2025-12-10
ITEM = Itemization.of("charge_off", date(2025, 6, 30), 2234_56, 75_00, 25_00, 50_00)


@pytest.fixture
def company(session: Session) -> Company:
    return make_company(session, country="US", currency="USD")


@pytest.fixture
def consumer(session: Session, company: Company) -> Customer:
    address = ContactIn(
        street="Main St", building_number="123", postal_code="62701", city="Springfield",
        region="IL", country="US",
    )  # fmt: skip
    return make_customer(
        session, company, "J-1", name="Jane <Doe>", kind="consumer", country="US",
        contact=address,
    )  # fmt: skip


def test_a_notice_is_stored_with_its_dates_and_document(
    session: Session, company: Company, consumer: Customer
) -> None:
    sent = send_notice(session, company, consumer, SENT, ITEM, creditor="Big Bank")
    stored = session.get_one(ValidationNotice, sent.notice.id)
    assert (stored.sent_on, stored.assumed_receipt_on, stored.ends_on) == (
        date(2025, 11, 3),
        date(2025, 11, 10),
        date(2025, 12, 10),
    )
    assert (stored.owed, stored.interest, stored.fees, stored.payments, stored.total) == (
        2234_56, 75_00, 25_00, 50_00, 2284_56,
    )  # fmt: skip
    assert (stored.itemization_kind, stored.itemization_on, stored.currency) == (
        "charge_off",
        date(2025, 6, 30),
        "USD",
    )
    assert stored.document == sent.document.html
    assert "December 10, 2025" in stored.document
    assert "$2,284.56" in stored.document
    assert "Jane &lt;Doe&gt;" in stored.document  # escaped, never markup
    assert f"VN-{stored.id}" in sent.document.text
    assert "123 Main St" in sent.document.text
    assert "Springfield, IL 62701" in sent.document.text
    assert "you owe to Big Bank" in sent.document.text
    assert stored.created_at.tzinfo is not None


def test_a_business_customer_is_refused_with_a_clear_message(
    session: Session, company: Company
) -> None:
    business = make_customer(session, company, "B-1", name="Acme Inc.", country="US")
    with pytest.raises(Invalid) as refused:
        send_notice(session, company, business, SENT, ITEM)
    assert refused.value.message == (
        "customer B-1 is a business: Regulation F validation notices are for consumer debts only"
    )
    assert session.scalars(select(ValidationNotice)).all() == []


def test_a_consumer_outside_the_united_states_is_refused(
    session: Session, company: Company
) -> None:
    spanish = make_customer(session, company, "E-1", kind="consumer", country="ES")
    with pytest.raises(Invalid, match="consumer in ES: Regulation F applies to consumers in"):
        send_notice(session, company, spanish, SENT, ITEM)


def test_r6_a_later_notice_keeps_the_kind_of_itemization_date(
    session: Session, company: Company, consumer: Customer
) -> None:
    send_notice(session, company, consumer, SENT, ITEM)
    later = Itemization.of("last_statement", date(2025, 12, 31), 2300_00)
    with pytest.raises(Invalid, match="charge-off date before"):
        send_notice(session, company, consumer, date(2026, 2, 2), later)
    again = Itemization.of("charge_off", date(2025, 6, 30), 2300_00)
    assert send_notice(session, company, consumer, date(2026, 2, 2), again).notice.id


def test_r5_an_itemization_that_does_not_add_up_is_not_stored(
    session: Session, company: Company, consumer: Customer
) -> None:
    wrong = Itemization("charge_off", date(2025, 6, 30), 2234_56, 75_00, 25_00, 50_00, 2234_56)
    with pytest.raises(Invalid, match="does not add up"):
        send_notice(session, company, consumer, SENT, wrong)
    assert session.scalars(select(ValidationNotice)).all() == []


def test_a_timely_dispute_stops_the_chase_until_verification_is_sent(
    session: Session, company: Company, consumer: Customer
) -> None:
    invoice = make_invoice(session, company, consumer, 2284_56, date(2025, 1, 1), date(2025, 2, 1))
    notice = send_notice(session, company, consumer, SENT, ITEM).notice
    outcome = record_dispute(session, company, notice.id, date(2025, 12, 10))  # R7: the end day
    assert outcome.dispute.timely
    assert outcome.undisputed == 0
    assert [(h.kind, h.reason, h.invoice_id, h.ends_on) for h in outcome.holds] == [
        ("dispute", DISPUTE_REASON, None, None)
    ]
    assert outcome.dispute.hold_id == outcome.holds[0].id
    assert "Collection stopped on the whole customer" in outcome.message
    held = active_holds(session, company.id, date(2026, 3, 1))
    assert held.reason(consumer.id, invoice.id) == "dispute"

    verified = verification_sent(session, company, outcome.dispute.id, date(2026, 1, 5))
    assert verified.verification_sent_on == date(2026, 1, 5)
    assert session.get_one(Hold, outcome.holds[0].id).released_on == date(2026, 1, 5)
    assert (
        active_holds(session, company.id, date(2026, 1, 5)).reason(consumer.id, invoice.id) is None
    )
    assert active_holds(session, company.id, date(2026, 1, 4)).reason(consumer.id, invoice.id)
    with pytest.raises(Conflict, match="already sent on 2026-01-05"):
        verification_sent(session, company, outcome.dispute.id, date(2026, 1, 6))


def test_a_late_dispute_is_recorded_without_a_hold(
    session: Session, company: Company, consumer: Customer
) -> None:
    notice = send_notice(session, company, consumer, SENT, ITEM).notice
    outcome = record_dispute(session, company, notice.id, date(2025, 12, 11))
    assert not outcome.dispute.timely
    assert outcome.holds == ()
    assert outcome.dispute.hold_id is None
    assert "after the validation period ended on 2025-12-10" in outcome.message
    assert "No hold placed" in outcome.message
    assert active_holds(session, company.id, date(2025, 12, 12)).customers == {}


def test_a_late_dispute_may_be_honoured(
    session: Session, company: Company, consumer: Customer
) -> None:
    notice = send_notice(session, company, consumer, SENT, ITEM).notice
    outcome = record_dispute(session, company, notice.id, date(2025, 12, 11), honour=True)
    assert not outcome.dispute.timely
    assert len(outcome.holds) == 1
    assert active_holds(session, company.id, date(2025, 12, 11)).customers == {
        consumer.id: "dispute"
    }


def test_r8_a_part_disputed_on_its_invoice_leaves_the_rest_to_collect(
    session: Session, company: Company, consumer: Customer
) -> None:
    disputed = make_invoice(session, company, consumer, 300_00, number="F-300")
    other = make_invoice(session, company, consumer, 700_00, number="F-700")
    notice = send_notice(
        session, company, consumer, SENT, Itemization.of("transaction", date(2025, 9, 1), 1000_00)
    ).notice
    outcome = record_dispute(
        session, company, notice.id, date(2025, 11, 20), amount=300_00, invoice_ids=[disputed.id]
    )
    assert outcome.undisputed == 700_00
    assert outcome.dispute.amount == 300_00
    assert "Collection stopped on invoices F-300" in outcome.message
    assert "Undisputed: 700.00 USD may still be collected" in outcome.message
    held = active_holds(session, company.id, date(2025, 11, 21))
    assert held.reason(consumer.id, disputed.id) == "dispute"
    assert held.reason(consumer.id, other.id) is None


def test_a_dispute_of_another_companys_notice_is_not_found(
    session: Session, company: Company, consumer: Customer
) -> None:
    notice = send_notice(session, company, consumer, SENT, ITEM).notice
    other = make_company(session, country="US", currency="USD")
    with pytest.raises(NotFound):
        record_dispute(session, other, notice.id, date(2025, 11, 20))


def test_notices_are_listed_with_their_disputes(
    session: Session, company: Company, consumer: Customer
) -> None:
    first = send_notice(session, company, consumer, SENT, ITEM).notice
    record_dispute(session, company, first.id, date(2025, 11, 20))
    rows = list_notices(session, company)
    assert [(r.notice.id, r.customer, len(r.disputes)) for r in rows] == [(first.id, "J-1", 1)]
