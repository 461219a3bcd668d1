"""Payment plans: a customer pays one or several invoices in installments (the first may be a
down payment). While a plan runs its invoices are held (`Hold.plan_id`) and its installments
are chased instead, more gently; a missed installment past grace breaks the plan and the
invoices are chased again. A rescheduled plan is a new plan that `replaces` the old one, so
the history stays."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow

PLAN_STATUSES = ("active", "completed", "broken", "cancelled", "replaced")
PLAN_FREQUENCIES = ("weekly", "fortnightly", "monthly")
PLAN_SOURCES = ("call", "portal", "reply", "web", "api")


class PaymentPlan(Base):
    __tablename__ = "payment_plan"
    __table_args__ = (
        ForeignKeyConstraint(["customer_id", "company_id"], ["customer.id", "customer.company_id"]),
        CheckConstraint(
            "status IN ('active', 'completed', 'broken', 'cancelled', 'replaced')", name="status"
        ),
        CheckConstraint("frequency IN ('weekly', 'fortnightly', 'monthly')", name="frequency"),
        CheckConstraint("source IN ('call', 'portal', 'reply', 'web', 'api')", name="source"),
        CheckConstraint("total > 0", name="total_positive"),
        CheckConstraint("down_payment >= 0 AND fee >= 0", name="parts_not_negative"),
        CheckConstraint("grace_days >= 0", name="grace"),
        Index("ix_payment_plan_active", "company_id", "status"),
        Index("ix_payment_plan_customer", "customer_id", "starts_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int]
    customer_id: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[int] = mapped_column(BigInteger)  # what the installments add up to
    down_payment: Mapped[int] = mapped_column(BigInteger, default=0)
    fee: Mapped[int] = mapped_column(BigInteger, default=0)  # fee and interest, on a debit note
    interest_rate: Mapped[str | None] = mapped_column(String(12))  # % a year, as text
    frequency: Mapped[str] = mapped_column(String(12))
    starts_on: Mapped[date] = mapped_column(Date)
    grace_days: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default="active")
    source: Mapped[str] = mapped_column(String(10))
    approved_by: Mapped[str | None] = mapped_column(String(100))  # a person, or "guardrails"
    created_by: Mapped[str | None] = mapped_column(String(100))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("payment_plan.id"))
    fee_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"))
    resolved_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PlanInstallment(Base):
    """One payment of a plan (sequence 0: the down payment), what of it was paid, and when
    the debtor was reminded of it (once before, once after the due date)."""

    __tablename__ = "plan_installment"
    __table_args__ = (
        UniqueConstraint("plan_id", "sequence"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("paid >= 0 AND paid <= amount", name="paid_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("payment_plan.id"), index=True)
    sequence: Mapped[int]
    due_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)
    paid: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_on: Mapped[date | None] = mapped_column(Date)  # the day it was paid in full
    reminded_on: Mapped[date | None] = mapped_column(Date)  # the reminder before it is due
    late_notice_on: Mapped[date | None] = mapped_column(Date)  # the notice once it is late


class PlanInvoice(Base):
    """An invoice a plan covers."""

    __tablename__ = "plan_invoice"
    __table_args__ = (Index("ix_plan_invoice_invoice", "invoice_id"),)

    plan_id: Mapped[int] = mapped_column(ForeignKey("payment_plan.id"), primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), primary_key=True)
