"""Subscriptions and emitting events, against the real migrated database."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.models import AuditEvent
from cobro.errors import Invalid, NotFound
from cobro.kit.pagination import PageRequest
from cobro.webhook.models import Delivery
from cobro.webhook.service import (
    deliveries_page,
    emit,
    emit_many,
    ping,
    remove,
    subscribe,
    subscriptions_page,
)
from cobro.webhook.targets import ALLOW_PRIVATE
from tests.factories.ledger import make_company

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
URL = "http://127.0.0.1:9/hook"


def queued(session: Session, company_id: int) -> list[Delivery]:
    return list(
        session.scalars(
            select(Delivery).where(Delivery.company_id == company_id).order_by(Delivery.id)
        )
    )


def test_nobody_subscribed_means_nothing_is_queued(session: Session) -> None:
    company = make_company(session)
    assert emit(session, company.id, "payment.received", key="p-1", data={"a": 1}) == 0
    assert queued(session, company.id) == []


def test_an_event_goes_to_each_subscription_to_it_once_per_key(
    session: Session, private_allowed: None
) -> None:
    company = make_company(session)
    one = subscribe(
        session, company.id, URL, ["payment.received"], actor_id=None, now=NOW, description="ERP"
    )
    two = subscribe(
        session,
        company.id,
        URL + "2",
        ["payment.received", "stage.reached"],
        actor_id=None,
        now=NOW,
    )
    subscribe(session, company.id, URL + "3", ["stage.reached"], actor_id=None, now=NOW)
    assert emit(session, company.id, "payment.received", key="p-1", data={"a": 1}, now=NOW) == 2
    assert emit(session, company.id, "payment.received", key="p-1", data={"a": 1}, now=NOW) == 0
    rows = queued(session, company.id)
    assert [(row.subscription_id, row.status) for row in rows] == [
        (one.id, "queued"),
        (two.id, "queued"),
    ]
    document = json.loads(rows[0].payload or "")
    assert document == {
        "event": "payment.received",
        "id": "p-1",
        "created_at": NOW.isoformat(),
        "data": {"a": 1},
    }


def test_another_company_s_subscription_hears_nothing(
    session: Session, private_allowed: None
) -> None:
    mine, theirs = make_company(session), make_company(session)
    subscribe(session, theirs.id, URL, ["payment.received"], actor_id=None, now=NOW)
    assert emit(session, mine.id, "payment.received", key="p-1", data={}) == 0


def test_many_events_go_in_one_call(session: Session, private_allowed: None) -> None:
    company = make_company(session)
    subscribe(session, company.id, URL, ["stage.reached"], actor_id=None, now=NOW)
    events = [(f"s-{n}", {"n": n}) for n in range(50)]
    assert emit_many(session, company.id, "stage.reached", events, NOW) == 50
    assert emit_many(session, company.id, "stage.reached", events, NOW) == 0


def test_an_unknown_event_is_a_bug(session: Session) -> None:
    with pytest.raises(ValueError, match="unknown webhook event"):
        emit(session, 1, "payment.sent", key="x", data={})


def test_a_private_target_is_refused_unless_the_install_allows_it(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    company = make_company(session)
    monkeypatch.delenv(ALLOW_PRIVATE, raising=False)
    for url in (URL, "https://10.0.0.8/hook", "https://169.254.169.254/latest/meta-data"):
        with pytest.raises(Invalid, match="private or internal") as refused:
            subscribe(
                session,
                company.id,
                url,
                ["ping" if False else "stage.reached"],
                actor_id=None,
                now=NOW,
            )
        assert refused.value.field == "url"
    with pytest.raises(Invalid, match="use https"):
        subscribe(
            session, company.id, "http://93.184.215.14/x", ["stage.reached"], actor_id=None, now=NOW
        )


def test_subscribing_and_removing_are_audited_without_the_secret(
    session: Session, private_allowed: None
) -> None:
    company = make_company(session)
    made = subscribe(session, company.id, URL, ["message.failed"], actor_id=None, now=NOW)
    assert made.secret.startswith("whsec_")
    assert len(made.secret) > 40
    emit(session, company.id, "message.failed", key="a-1", data={})
    remove(session, company.id, made.id, actor_id=None, now=NOW)
    events = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.entity_type == "webhook_subscription", AuditEvent.entity_id == str(made.id)
        )
        .order_by(AuditEvent.id)
    ).all()
    assert [event.action for event in events] == ["webhook.subscribed", "webhook.removed"]
    assert made.secret not in json.dumps(
        [event.after for event in events] + [event.before for event in events]
    )
    assert [row.status for row in queued(session, company.id)] == ["cancelled"]
    assert emit(session, company.id, "message.failed", key="a-2", data={}) == 0
    assert subscriptions_page(session, company.id, PageRequest()).items == []


def test_another_company_s_subscription_is_not_found(
    session: Session, private_allowed: None
) -> None:
    mine, theirs = make_company(session), make_company(session)
    made = subscribe(session, theirs.id, URL, ["message.failed"], actor_id=None, now=NOW)
    with pytest.raises(NotFound):
        ping(session, mine.id, made.id, actor_id=None, now=NOW)
    with pytest.raises(NotFound):
        remove(session, mine.id, made.id, actor_id=None, now=NOW)
    with pytest.raises(NotFound):
        deliveries_page(session, mine.id, PageRequest(), made.id)


def test_a_ping_is_a_delivery_of_its_own_every_time(
    session: Session, private_allowed: None
) -> None:
    company = make_company(session)
    made = subscribe(session, company.id, URL, ["message.failed"], actor_id=None, now=NOW)
    first = ping(session, company.id, made.id, actor_id=None, now=NOW)
    second = ping(session, company.id, made.id, actor_id=None, now=NOW)
    assert first.event == second.event == "ping"
    assert first.event_key != second.event_key
    page = deliveries_page(session, company.id, PageRequest(), made.id)
    assert [d.id for d in page.items] == [second.id, first.id]
