from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow


class Invoice(Base):
    """An amount a customer owes. `open_amount` and `settled_on` are kept by the ledger services
    in the same transaction as every allocation, credit note and write-off, so that reports read
    one row per invoice; `payment.service.check_ledger` proves they equal the formula."""

    __tablename__ = "invoice"
    __table_args__ = (
        UniqueConstraint("company_id", "number"),
        CheckConstraint("total > 0", name="total_positive"),
        CheckConstraint("tax >= 0 AND tax <= total", name="tax_range"),
        CheckConstraint("open_amount >= 0 AND open_amount <= total", name="open_range"),
        CheckConstraint("due_date >= issue_date", name="due_after_issue"),
        CheckConstraint("kind IN ('invoice', 'debit_note')", name="kind"),
        Index("ix_invoice_open", "company_id", "settled_on", "due_date"),
        # the API's list, by due date (its default sort): a page without sorting the company
        Index("ix_invoice_company_due", "company_id", "due_date", "id"),
        # a period's credit sales (reports) read from the index alone: the invoices issued in
        # it, not a walk over the ledger's rows
        Index(
            "ix_invoice_company_issue",
            "company_id",
            "issue_date",
            "kind",
            "currency",
            "total",
            "customer_id",
        ),
        # a customer's open items in due-date order, from the index alone (every column a
        # worklist page, a customer's page and a worklist refresh read of them)
        Index(
            "ix_invoice_open_customer",
            "customer_id",
            "currency",
            "due_date",
            "id",
            "open_amount",
            "company_id",
            postgresql_where=text("settled_on IS NULL"),
            sqlite_where=text("settled_on IS NULL"),
        ),
        # the few invoices a policy is set on by hand (the policies' list counts them)
        Index(
            "ix_invoice_policy",
            "policy_id",
            postgresql_where=text("policy_id IS NOT NULL"),
            sqlite_where=text("policy_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    number: Mapped[str] = mapped_column(String(60))
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[int] = mapped_column(BigInteger)  # minor units, tax included
    tax: Mapped[int] = mapped_column(BigInteger, default=0)
    terms_id: Mapped[int | None] = mapped_column(ForeignKey("payment_terms.id"))
    discount_until: Mapped[date | None] = mapped_column(Date)
    discount_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    purchase_order: Mapped[str | None] = mapped_column(String(60))
    reference: Mapped[str | None] = mapped_column(String(140))
    payment_reference: Mapped[str] = mapped_column(String(35))  # ISO 11649 RF reference
    open_amount: Mapped[int] = mapped_column(BigInteger)
    settled_on: Mapped[date | None] = mapped_column(Date)
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policy.id"))
    # a debit note carries fees and interest charged (`cobro.charge`): chased like an invoice,
    # but it earns neither fees nor interest itself (no interest on interest, BGB § 289).
    # The database fills it in (server default): bulk imports of invoices need not name it
    kind: Mapped[str] = mapped_column(String(12), server_default="invoice")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    installments: Mapped[list[Installment]] = relationship(
        cascade="all, delete-orphan", order_by="Installment.sequence"
    )


class Installment(Base):
    __tablename__ = "installment"
    __table_args__ = (
        UniqueConstraint("invoice_id", "sequence"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"))
    sequence: Mapped[int]
    due_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)


class CreditNote(Base):
    """Reduces what an invoice asks for (a return, a price correction)."""

    __tablename__ = "credit_note"
    __table_args__ = (
        UniqueConstraint("company_id", "number"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    number: Mapped[str] = mapped_column(String(60))
    issue_date: Mapped[date] = mapped_column(Date, index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WriteOff(Base):
    """The part of an invoice the company gives up on collecting (bad debt, small balance)."""

    __tablename__ = "write_off"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    written_off_on: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # why, as a code reports can group by (`writeoff.models.WRITE_OFF_REASONS`); empty on
    # write-offs made before codes existed
    reason_code: Mapped[str | None] = mapped_column(String(20))
    approved_by: Mapped[str | None] = mapped_column(String(100))  # who made or approved it
