"""The stage.reached webhook event, for a whole cycle day at once (see `cobro.webhook`).

The cycle moves a million items in seconds; so nothing here runs unless the company has a
subscription to stage.reached, and then the day's steps are read in one query and queued in
one INSERT: one event per customer and stage reached that day, listing its invoices. A day
run again finds its events already queued (same keys) and queues nothing."""

from __future__ import annotations

from datetime import date, datetime
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.customer.models import Customer
from cobro.invoice.models import Invoice
from cobro.policy.models import ChaseStep
from cobro.webhook.service import emit_many, subscribed

EVENT = "stage.reached"


def stages_reached(session: Session, company_id: int, on: date, now: datetime) -> int:
    """Queue the day's stage.reached events; the deliveries queued."""
    if not subscribed(session, company_id, EVENT):
        return 0
    rows = session.execute(
        select(
            Customer.id,
            ChaseStep.stage,
            Customer.external_id,
            Customer.name,
            Invoice.number,
            Invoice.currency,
            ChaseStep.open_amount,
        )
        .join(Invoice, Invoice.id == ChaseStep.invoice_id)
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(Invoice.company_id == company_id, ChaseStep.reached_on == on)
        .order_by(Customer.id, ChaseStep.stage, Invoice.number)
    ).all()
    events = []
    for (customer_id, stage), group in groupby(rows, key=itemgetter(0, 1)):
        items = list(group)
        data: dict[str, Any] = {
            "stage": stage,
            "on": on.isoformat(),
            "customer": items[0].external_id,
            "customer_name": items[0].name,
            "invoices": [
                {"number": row.number, "currency": row.currency, "open_amount": row.open_amount}
                for row in items
            ],
        }
        events.append((f"stage-{customer_id}-{stage}-{on.isoformat()}", data))
    return emit_many(session, company_id, EVENT, events, now)
