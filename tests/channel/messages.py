"""Ready-made messages for channel tests; override any field by keyword."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cobro.channel.base import Message, PostalAddress

ADDRESS = PostalAddress(
    name="Müller Bau GmbH",
    street="Hauptstraße",
    building_number="12",
    postal_code="10115",
    city="Berlin",
    country="DE",
)


def email(**changes: Any) -> Message:
    base = Message(
        key="action-1",
        channel="email",
        to=("Ana Debtor <ana@example.com>",),
        subject="Invoice 2024-001 is overdue",
        text="Dear Ana,\nInvoice 2024-001 is 10 days overdue.\n",
        html="<p>Dear Ana,</p><p>Invoice 2024-001 is 10 days overdue.</p>",
        language="es",
        sender="Acme Billing <billing@acme.example>",
    )
    return replace(base, **changes)


def sms(**changes: Any) -> Message:
    base = Message(
        key="action-sms-1",
        channel="sms",
        to=("+34600123456",),
        subject="",
        text="Acme: invoice 2024-001 is overdue.",
    )
    return replace(base, **changes)


def letter(**changes: Any) -> Message:
    base = Message(
        key="action-letter-1",
        channel="letter",
        to=(),
        subject="Reminder: invoice 2024-001",
        text="Dear customer,\nInvoice 2024-001 is overdue.\n",
        address=ADDRESS,
        on="2025-03-14",
    )
    return replace(base, **changes)
