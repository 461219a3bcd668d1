"""The payment.received webhook event (see `cobro.webhook`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from cobro.customer.models import Customer
from cobro.payment.models import Payment
from cobro.webhook.service import emit


def payment_received(
    session: Session,
    payment: Payment,
    customer: Customer | None,
    applied: Sequence[tuple[str, int]],
) -> int:
    """Tell the company's subscribers that `payment` was recorded and applied to `applied`
    (invoice number, amount in minor units)."""
    data = {
        "payment": payment.external_id,
        "amount": payment.amount,
        "currency": payment.currency,
        "received_on": payment.received_on.isoformat(),
        "customer": customer.external_id if customer else None,
        "reference": payment.reference,
        "unapplied": payment.unapplied,
        "allocations": [{"invoice": number, "amount": amount} for number, amount in applied],
    }
    return emit(
        session, payment.company_id, "payment.received", key=f"payment-{payment.id}", data=data
    )
