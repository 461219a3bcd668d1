"""Audit events are written, listed, and refused any change by the database itself."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from cobro.audit.models import AuditEvent
from cobro.audit.service import list_events, record
from tests.factories.access import NOW, make_user
from tests.factories.ledger import make_company


def test_an_event_keeps_who_what_when_and_before_after(session: Session) -> None:
    company = make_company(session)
    admin = make_user(session, company, role="admin")
    event = record(
        session,
        "membership.granted",
        at=NOW,
        entity_type="membership",
        entity_id=7,
        actor_id=admin.id,
        company_id=company.id,
        before={"role": "viewer"},
        after={"role": "manager"},
        source="cli",
    )
    session.expire_all()
    stored = session.get(AuditEvent, event.id)
    assert stored is not None
    assert (stored.at, stored.actor_id, stored.company_id, stored.entity_id) == (
        NOW,
        admin.id,
        company.id,
        "7",
    )
    assert (stored.before, stored.after, stored.source) == (
        {"role": "viewer"},
        {"role": "manager"},
        "cli",
    )


def test_a_naive_time_is_refused(session: Session) -> None:
    with pytest.raises(ValueError, match="aware"):
        record(session, "x", at=datetime(2026, 1, 1), entity_type="user")  # noqa: DTZ001


def test_events_list_newest_first_by_company_and_since(session: Session) -> None:
    acme, other = make_company(session), make_company(session)
    for minutes, company_id in ((0, acme.id), (10, other.id), (20, acme.id), (30, None)):
        at = NOW + timedelta(minutes=minutes)
        record(session, f"e{minutes}", at=at, entity_type="user", company_id=company_id)
    assert [e.action for e in list_events(session, acme.id)][:2] == ["e20", "e0"]
    since = [e.action for e in list_events(session, since=NOW + timedelta(minutes=10))]
    assert since[:3] == ["e30", "e20", "e10"]


def _refused(session: Session, statement: object) -> None:
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(statement)  # type: ignore[call-overload]


def test_the_database_refuses_to_change_or_delete_an_event(session: Session) -> None:
    event = record(session, "user.login", at=NOW, entity_type="user", source="192.0.2.1")
    _refused(session, update(AuditEvent).where(AuditEvent.id == event.id).values(action="x"))
    _refused(session, delete(AuditEvent).where(AuditEvent.id == event.id))
    _refused(session, text("UPDATE audit_event SET source = 'forged'"))
    assert session.get(AuditEvent, event.id) is not None
