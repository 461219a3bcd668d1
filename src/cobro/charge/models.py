"""Charges: the fees and late-payment interest a customer owes on top of their invoices."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow

KINDS = ("fee", "interest", "compensation")


class Charge(Base):
    """One fee, one stretch of interest, or one fixed compensation, with how it was computed.

    `key` makes recording idempotent: the fee of an invoice at a stage, the interest accrued to
    a day, the compensation of an invoice are each recorded once however often the worker asks
    (a retried action, a letter and the interest action of the same stage). Interest is
    recorded as increments: the rows of an invoice add up to the interest accrued to the last
    `accrued_to`, so a payment that settles the invoice later loses none of it.

    `mode` says what was done with it: `claim` (shown in the letters as owed) or `charge` (on
    the debit note `debit_note_id`, which the policy chases like any invoice). A waived charge
    keeps its row, with who waived it and why."""

    __tablename__ = "charge"
    __table_args__ = (
        UniqueConstraint("company_id", "key"),
        CheckConstraint("kind IN ('fee', 'interest', 'compensation')", name="kind"),
        CheckConstraint("mode IN ('claim', 'charge')", name="mode"),
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_charge_customer", "customer_id", "computed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    # the invoice it is for; empty for a fee charged per notice (all the customer's items)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), index=True)
    key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(12))
    policy_id: Mapped[int | None]
    stage: Mapped[str | None] = mapped_column(String(40))
    action_id: Mapped[int | None]
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)  # minor units
    computed_on: Mapped[date] = mapped_column(Date)
    accrued_from: Mapped[date | None] = mapped_column(Date)  # interest: first day counted
    accrued_to: Mapped[date | None] = mapped_column(Date)  # interest: last day counted
    label: Mapped[str] = mapped_column(String(200))  # what the letter calls it
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)  # the computation, shown
    mode: Mapped[str] = mapped_column(String(6))
    debit_note_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"))
    waived_on: Mapped[date | None] = mapped_column(Date)
    waived_by: Mapped[str | None] = mapped_column(String(100))
    waived_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
