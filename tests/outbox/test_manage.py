"""A person's moves on the outbox: retry only a failed action, send now or cancel only a queued
one (else a Conflict naming its status), each an audit event with the status before and after;
another company's action is not found."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.models import AuditEvent
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import Conflict, NotFound
from cobro.kit.pagination import PageRequest
from cobro.outbox import manage
from cobro.outbox.models import Action
from tests.factories.ledger import make_company, make_customer

NOW = datetime(2026, 3, 5, 12, tzinfo=UTC)
LATER = NOW + timedelta(hours=8)


def action(
    session: Session,
    company: Company,
    customer: Customer,
    status: str,
    kind: str = "email",
    stage: str = "due",
    on: date = date(2026, 3, 5),
) -> Action:
    row = Action(
        company_id=company.id,
        customer_id=customer.id,
        policy_id=0,
        stage=stage,
        tone="soft",
        kind=kind,
        cycle_on=on,
        status=status,
        not_before=LATER,
        attempts=3 if status == "failed" else 0,
        last_error="550 no mailbox" if status == "failed" else None,
    )
    session.add(row)
    session.flush()
    return row


def events(session: Session, entity_id: int) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "action", AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.id)
        )
    )


@pytest.fixture
def acme(session: Session) -> tuple[Company, Customer]:
    company = make_company(session)
    return company, make_customer(session, company, name="Ferretería López")


def test_retry_puts_a_failed_action_back_in_the_queue_due_now(
    session: Session, acme: tuple[Company, Customer]
) -> None:
    company, customer = acme
    failed = action(session, company, customer, "failed")
    manage.retry(session, company.id, failed.id, NOW, None)
    assert failed.status == "queued"
    assert failed.not_before == NOW
    assert failed.attempts == 3  # kept
    [event] = events(session, failed.id)
    assert event.action == "action.retried"
    assert event.company_id == company.id
    assert event.before == {"status": "failed", "not_before": LATER.isoformat()}
    assert event.after == {"status": "queued", "not_before": NOW.isoformat()}


def test_send_now_and_cancel_take_queued_actions_only(
    session: Session, acme: tuple[Company, Customer]
) -> None:
    company, customer = acme
    queued = action(session, company, customer, "queued")
    manage.send_now(session, company.id, queued.id, NOW, None)
    assert (queued.status, queued.not_before) == ("queued", NOW)
    manage.cancel(session, company.id, queued.id, NOW, None, "paid by phone")
    assert queued.status == "cancelled"
    assert [e.action for e in events(session, queued.id)] == ["action.send_now", "action.cancelled"]
    last = events(session, queued.id)[-1]
    assert last.before == {"status": "queued", "not_before": NOW.isoformat()}
    assert last.after == {
        "status": "cancelled",
        "not_before": NOW.isoformat(),
        "reason": "paid by phone",
    }


@pytest.mark.parametrize(
    ("move", "refused"),
    [
        (manage.retry, ("queued", "sending", "sent", "cancelled", "skipped")),
        (manage.send_now, ("sending", "sent", "failed", "cancelled", "skipped")),
        (manage.cancel, ("sending", "sent", "failed", "cancelled", "skipped")),
    ],
)
def test_a_move_its_status_does_not_allow_is_a_conflict_naming_the_status(
    session: Session, acme: tuple[Company, Customer], move: object, refused: tuple[str, ...]
) -> None:
    company, customer = acme
    for number, status in enumerate(refused):
        row = action(session, company, customer, status, stage=f"s{number}")
        with pytest.raises(Conflict, match=f"is {status}"):
            move(session, company.id, row.id, NOW, None)  # type: ignore[operator]
        assert row.status == status
        assert row.not_before == LATER
        assert events(session, row.id) == []


def test_another_companys_action_is_not_found(
    session: Session, acme: tuple[Company, Customer]
) -> None:
    company, _customer = acme
    other = make_company(session)
    theirs = action(session, other, make_customer(session, other), "failed")
    for move in (manage.retry, manage.send_now, manage.cancel):
        with pytest.raises(NotFound):
            move(session, company.id, theirs.id, NOW, None)
    with pytest.raises(NotFound):
        manage.action_row(session, company.id, theirs.id)
    assert theirs.status == "failed"
    assert manage.list_actions(session, company.id).items == []


def test_the_list_filters_by_status_kind_and_day_with_the_customer(
    session: Session, acme: tuple[Company, Customer]
) -> None:
    company, customer = acme
    failed = action(session, company, customer, "failed")
    queued = action(session, company, customer, "queued", kind="letter", stage="late")
    old = action(session, company, customer, "sent", on=date(2026, 3, 1))
    listed = manage.list_actions(session, company.id, status="failed").items
    assert [(r.id, r.customer_name, r.last_error) for r in listed] == [
        (failed.id, "Ferretería López", "550 no mailbox")
    ]
    assert [r.id for r in manage.list_actions(session, company.id, kind="letter").items] == [
        queued.id
    ]
    assert [r.id for r in manage.list_actions(session, company.id, on=date(2026, 3, 1)).items] == [
        old.id
    ]
    first = manage.list_actions(session, company.id, page=PageRequest(limit=2))
    assert len(first.items) == 2
    assert first.next_offset == 2
    assert manage.list_actions(session, company.id, page=PageRequest(2, 2)).items[0].id == old.id
