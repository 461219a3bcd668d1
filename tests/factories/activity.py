"""Factories for promises, disputes and messages sent, as rows with the dates a test needs (the
services date them today): for reports that read what happened when."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.dispute.models import Dispute, DisputeItem
from cobro.invoice.models import Invoice
from cobro.outbox.models import Action
from cobro.promise.models import Promise

_seq = itertools.count(1)


def make_promise_row(
    session: Session,
    customer: Customer,
    amount: int,
    promised_on: date,
    status: str = "open",
    resolved_on: date | None = None,
    currency: str | None = None,
) -> Promise:
    promise = Promise(
        company_id=customer.company_id, customer_id=customer.id, amount=amount,
        currency=currency or customer.currency, promised_on=promised_on,
        due_on=promised_on + timedelta(days=7), grace_days=0, status=status,
        paid=amount if status == "kept" else 0, resolved_on=resolved_on, source="call",
        collector=customer.collector,
    )  # fmt: skip
    session.add(promise)
    session.flush()
    return promise


def make_dispute_row(
    session: Session,
    customer: Customer,
    opened_on: date,
    items: Sequence[tuple[Invoice, int]],
    status: str = "open",
    resolved_on: date | None = None,
) -> Dispute:
    dispute = Dispute(
        company_id=customer.company_id, customer_id=customer.id, reason="quality",
        description="broken", status=status, opened_on=opened_on,
        due_on=opened_on + timedelta(days=30), resolved_on=resolved_on, source="call",
    )  # fmt: skip
    session.add(dispute)
    session.flush()
    session.add_all(
        DisputeItem(dispute_id=dispute.id, invoice_id=invoice.id, amount=amount)
        for invoice, amount in items
    )
    session.flush()
    return dispute


def make_message(
    session: Session,
    company: Company,
    customer: Customer,
    at: datetime,
    kind: str = "email",
    status: str = "sent",
) -> Action:
    """An action of the outbox, carried out (`status` "sent") at `at`."""
    action = Action(
        company_id=company.id, customer_id=customer.id, policy_id=0,
        stage=f"stage-{next(_seq)}", tone="friendly", kind=kind, cycle_on=at.date(),
        status=status, not_before=at, sent_at=at if status == "sent" else None,
    )  # fmt: skip
    session.add(action)
    session.flush()
    return action
