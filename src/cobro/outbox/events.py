"""The message.failed webhook event (see `cobro.webhook`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cobro.customer.models import Customer
from cobro.outbox.models import Action
from cobro.webhook.service import emit


def message_failed(
    session: Session, action: Action, customer: Customer, reason: str, now: datetime
) -> int:
    """Tell the company's subscribers that the worker gave up on `action`."""
    data = {
        "action": action.id,
        "kind": action.kind,
        "stage": action.stage,
        "cycle_on": action.cycle_on.isoformat(),
        "customer": customer.external_id,
        "customer_name": customer.name,
        "attempts": action.attempts,
        "reason": reason[:1000],
    }
    return emit(
        session, action.company_id, "message.failed", key=f"action-{action.id}", data=data, now=now
    )
