"""One customer's story: every kind of event in one list, newest first, filtered by kind and
cut to a limit; another company's customer is not found; an unknown kind names the field."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from cobro.dispute.models import Dispute, DisputeItem
from cobro.errors import Invalid, NotFound
from cobro.invoice.service import add_credit_note, write_off
from cobro.note.service import add_note, log_call
from cobro.policy.holds import HoldPart, place_hold
from cobro.promise.models import Promise
from cobro.report.timeline import KINDS, customer_story
from cobro.task.service import raise_task
from tests.factories.access import make_user
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def story_world(session: Session) -> tuple[int, str]:
    company = make_company(session)
    customer = make_customer(session, company, "C-1", name="Ferretería López")
    invoice = make_invoice(session, company, customer, 500_00, date(2026, 2, 1), date(2026, 3, 1))
    other = make_invoice(session, company, customer, 80_00, date(2026, 2, 1), date(2026, 3, 1))
    make_payment(session, company, customer, 100_00, received_on=date(2026, 3, 2))
    add_credit_note(session, company, invoice, "CN-1", date(2026, 3, 3), 20_00, "price")
    write_off(session, other, 5_00, date(2026, 3, 4), "rounding").reason_code = "small_balance"
    session.add(
        Promise(
            company_id=company.id, customer_id=customer.id, amount=200_00, currency="EUR",
            promised_on=date(2026, 3, 5), due_on=date(2026, 3, 12), grace_days=3,
            status="open", source="call", created_at=at(5),
        )
    )  # fmt: skip
    dispute = Dispute(
        company_id=company.id, customer_id=customer.id, reason="quality",
        description="two boxes broken", opened_on=date(2026, 3, 6), due_on=date(2026, 3, 20),
        status="open", source="portal", created_at=at(6),
    )  # fmt: skip
    session.add(dispute)
    session.flush()
    session.add(DisputeItem(dispute_id=dispute.id, invoice_id=invoice.id, amount=60_00))
    place_hold(
        session, company, customer, "dispute", "quality", date(2026, 3, 6), invoice=invoice,
        part=HoldPart(amount=60_00, dispute_id=dispute.id),
    )  # fmt: skip
    place_hold(session, company, customer, "manual", "on holiday", date(2026, 3, 7))
    author = make_user(session, company)
    add_note(session, company.id, "C-1", author.id, "Asked for the PO", at(8))
    log_call(session, company.id, "C-1", author.id, "no_answer", None, date(2026, 3, 9), at(9))
    raise_task(
        session, company_id=company.id, customer=customer, kind="review",
        title="Check the broken boxes", due_on=date(2026, 3, 10),
    )  # fmt: skip
    session.flush()
    return company.id, "C-1"


def test_every_kind_of_event_is_told_newest_first(session: Session) -> None:
    company_id, customer = story_world(session)
    events = customer_story(session, company_id, customer)
    kinds = {event.kind for event in events}
    assert kinds == set(KINDS) - {"message"}  # no cycle ran: no message yet
    assert [event.at for event in events] == sorted((event.at for event in events), reverse=True)
    promise = next(event for event in events if event.kind == "promise")
    assert (promise.amount, promise.until, promise.status) == (200_00, date(2026, 3, 12), "open")
    assert promise.summary == "promised 200.00 EUR by 2026-03-12 (call): open"
    dispute = next(event for event in events if event.kind == "dispute")
    assert (dispute.amount, dispute.currency, dispute.detail) == (60_00, "EUR", "two boxes broken")
    holds = [event for event in events if event.kind == "hold"]
    assert [event.detail for event in holds] == ["on holiday"]  # the dispute's hold is its own
    write_off = next(event for event in events if event.kind == "write_off")
    assert (write_off.status, write_off.invoice is not None) == ("small_balance", True)
    call = next(event for event in events if event.kind == "call")
    assert call.status == "no_answer"
    tasks = [event.detail for event in events if event.kind == "task"]
    assert "Check the broken boxes" in tasks


def test_kinds_and_limit_narrow_the_story(session: Session) -> None:
    company_id, customer = story_world(session)
    only = customer_story(session, company_id, customer, ["promise", "dispute"])
    assert [event.kind for event in only] == ["dispute", "promise"]
    assert len(customer_story(session, company_id, customer, limit=3)) == 3
    with pytest.raises(Invalid) as refused:
        customer_story(session, company_id, customer, ["gossip"])
    assert refused.value.field == "kind"


def test_another_company_s_customer_has_no_story(session: Session) -> None:
    _company_id, customer = story_world(session)
    stranger = make_company(session)
    with pytest.raises(NotFound):
        customer_story(session, stranger.id, customer)
