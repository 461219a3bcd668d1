"""Account emails (a password reset link) as deliveries: they belong to no customer, so they
are no outbox action, but they go out the same way: the worker claims them, sends them through
the email channel (SMTP), and retries with the outbox's backoff."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.orm import Session

from cobro.webhook.models import Delivery


def queue_email(
    session: Session,
    *,
    to: str,
    subject: str,
    text: str,
    event: str,
    now: datetime,
    company_id: int | None = None,
) -> Delivery:
    """Queue one plain-text email to `to`, due now."""
    delivery = Delivery(
        company_id=company_id,
        subscription_id=None,
        channel="email",
        event=event[:40],
        event_key=f"{event[:40]}-{secrets.token_hex(8)}",
        target=to,
        subject=subject[:300],
        payload=text,
        status="queued",
        not_before=now,
        attempts=0,
        created_at=now,
    )
    session.add(delivery)
    session.flush()
    return delivery
