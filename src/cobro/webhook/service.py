"""Webhook subscriptions, and emitting an event: one call from any domain,

    emit(session, company_id, "payment.received", key=f"payment-{payment.id}", data={...})

queues one delivery per live subscription of the company to that event, in the caller's
transaction (so an event exists exactly when what it tells of was committed), and does nothing
more than one cached look-up when nobody subscribed. The worker delivers (`webhook.deliver`).
Services flush; the caller commits."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.errors import NotFound
from cobro.kit.dates import utcnow
from cobro.kit.pagination import Page, PageRequest, paginate
from cobro.webhook.models import Delivery, WebhookSubscription
from cobro.webhook.rules import EVENTS, PING, body, check_events
from cobro.webhook.targets import check_target

_CHUNK = 1000  # rows per INSERT: 13 parameters each, within SQLite's 32766
_CACHE = "cobro.webhook.subscribed"  # session.info: company id -> its live subscriptions


@dataclass(frozen=True)
class Subscribed:
    id: int
    url: str
    events: frozenset[str]


def subscribed(session: Session, company_id: int, event: str) -> list[Subscribed]:
    """The company's live subscriptions to `event`, read once per session (a bulk import that
    records a hundred thousand payments asks the database once)."""
    cache: dict[int, list[Subscribed]] = session.info.setdefault(_CACHE, {})
    if company_id not in cache:
        rows = session.execute(
            select(WebhookSubscription.id, WebhookSubscription.url, WebhookSubscription.events)
            .where(
                WebhookSubscription.company_id == company_id,
                WebhookSubscription.removed_at.is_(None),
            )
            .order_by(WebhookSubscription.id)
        )
        cache[company_id] = [Subscribed(id, url, frozenset(events)) for id, url, events in rows]
    return [each for each in cache[company_id] if event in each.events]


def _forget(session: Session) -> None:
    session.info.pop(_CACHE, None)


def emit(
    session: Session,
    company_id: int,
    event: str,
    *,
    key: str,
    data: Mapping[str, Any],
    now: datetime | None = None,
) -> int:
    """Queue `event` (one of EVENTS) for every subscription of the company to it; `key` names
    the event uniquely (emitting the same key again queues nothing). The deliveries queued."""
    return emit_many(session, company_id, event, [(key, data)], now)


def emit_many(
    session: Session,
    company_id: int,
    event: str,
    events: Sequence[tuple[str, Mapping[str, Any]]],
    now: datetime | None = None,
) -> int:
    """`emit` for many events of one kind at once: one INSERT for all of them."""
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")  # a bug, not an input error
    targets = subscribed(session, company_id, event)
    if not targets or not events:
        return 0
    at = now or utcnow()
    rows = [
        _row(company_id, target, event, key, body(event, key, at, data), at)
        for key, data in events
        for target in targets
    ]
    return _insert_new(session, rows)


def _row(
    company_id: int, target: Subscribed, event: str, key: str, payload: str, at: datetime
) -> dict[str, Any]:
    return {
        "company_id": company_id,
        "subscription_id": target.id,
        "channel": "webhook",
        "event": event,
        "event_key": key[:200],
        "target": target.url,
        "payload": payload,
        "status": "queued",
        "not_before": at,
        "attempts": 0,
        "created_at": at,
    }


def _insert_new(session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert the rows whose (subscription, event key) is new, a chunk per statement (within
    every database's limit on parameters); how many were new."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    written = 0
    for start in range(0, len(rows), _CHUNK):
        statement = (
            insert(Delivery)
            .values(rows[start : start + _CHUNK])
            .on_conflict_do_nothing(index_elements=["subscription_id", "event_key"])
            .returning(Delivery.id)
        )
        written += len(session.execute(statement).all())
    return written


# ---- subscriptions ---------------------------------------------------------------------------


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def subscribe(
    session: Session,
    company_id: int,
    url: str,
    events: Sequence[str],
    *,
    actor_id: int | None,
    now: datetime,
    description: str | None = None,
) -> WebhookSubscription:
    """A new subscription; its `secret` is for the caller to show once."""
    chosen = check_events(events)
    target = check_target(url)
    subscription = WebhookSubscription(
        company_id=company_id,
        url=target,
        events=chosen,
        description=(description or "").strip()[:200] or None,
        secret=new_secret(),
        created_by=actor_id,
        created_at=now,
    )
    session.add(subscription)
    session.flush()
    _forget(session)
    _audit(session, "webhook.subscribed", subscription, actor_id, now, after=_shown(subscription))
    return subscription


def remove(
    session: Session, company_id: int, subscription_id: int, *, actor_id: int | None, now: datetime
) -> WebhookSubscription:
    """Stop delivering to a subscription: it is kept (its deliveries are history), marked
    removed, and what was still queued for it is cancelled."""
    subscription = get_subscription(session, company_id, subscription_id)
    subscription.removed_at = now
    session.execute(
        update(Delivery)
        .where(Delivery.subscription_id == subscription.id, Delivery.status == "queued")
        .values(status="cancelled", last_error="the subscription was removed")
        .execution_options(synchronize_session=False)
    )
    _forget(session)
    _audit(session, "webhook.removed", subscription, actor_id, now, before=_shown(subscription))
    return subscription


def ping(
    session: Session, company_id: int, subscription_id: int, *, actor_id: int | None, now: datetime
) -> Delivery:
    """Queue a test delivery ("ping") to one subscription, due now."""
    subscription = get_subscription(session, company_id, subscription_id)
    key = f"ping-{secrets.token_hex(8)}"
    data = {"subscription": subscription.id, "message": "a test delivery from Cobro"}
    delivery = Delivery(
        **_row(company_id, _as_target(subscription), PING, key, body(PING, key, now, data), now)
    )
    session.add(delivery)
    session.flush()
    _audit(session, "webhook.pinged", subscription, actor_id, now, after={"delivery": delivery.id})
    return delivery


def _as_target(subscription: WebhookSubscription) -> Subscribed:
    return Subscribed(subscription.id, subscription.url, frozenset(subscription.events))


def _shown(subscription: WebhookSubscription) -> dict[str, Any]:
    # never the secret: audit events are read by auditors
    return {"url": subscription.url, "events": list(subscription.events)}


def _audit(
    session: Session,
    action: str,
    subscription: WebhookSubscription,
    actor_id: int | None,
    now: datetime,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    record(
        session,
        action,
        at=now,
        entity_type="webhook_subscription",
        entity_id=subscription.id,
        actor_id=actor_id,
        company_id=subscription.company_id,
        before=before,
        after=after,
    )


def get_subscription(
    session: Session, company_id: int, subscription_id: int
) -> WebhookSubscription:
    """A live subscription of the company; another company's, or a removed one, NotFound."""
    found = session.scalar(
        select(WebhookSubscription).where(
            WebhookSubscription.id == subscription_id,
            WebhookSubscription.company_id == company_id,
            WebhookSubscription.removed_at.is_(None),
        )
    )
    if found is None:
        raise NotFound(f"webhook {subscription_id} not found", field="webhook_id")
    return found


def subscriptions_page(
    session: Session, company_id: int, page: PageRequest
) -> Page[WebhookSubscription]:
    query = (
        select(WebhookSubscription)
        .where(
            WebhookSubscription.company_id == company_id,
            WebhookSubscription.removed_at.is_(None),
        )
        .order_by(WebhookSubscription.id)
    )
    return paginate(session, query, page)


def deliveries_page(
    session: Session,
    company_id: int,
    page: PageRequest,
    subscription_id: int | None = None,
    status: str | None = None,
) -> Page[Delivery]:
    """The company's webhook deliveries, newest first (of one subscription when given)."""
    query = select(Delivery).where(Delivery.company_id == company_id, Delivery.channel == "webhook")
    if subscription_id is not None:
        get_subscription(session, company_id, subscription_id)
        query = query.where(Delivery.subscription_id == subscription_id)
    if status is not None:
        query = query.where(Delivery.status == status)
    return paginate(session, query.order_by(Delivery.id.desc()), page)
