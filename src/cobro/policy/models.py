"""Stored policies and their assignment; holds and opt-outs; where each item is in its chase."""

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

HOLD_KINDS = ("dispute", "promise", "plan", "paid_claim", "manual", "agency")


class CollectionPolicy(Base):
    """A policy as saved: its stages as a JSON document, checked by `policy.rules.check_policy`."""

    __tablename__ = "policy"
    __table_args__ = (UniqueConstraint("company_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    stages: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    is_default: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PolicyRule(Base):
    """Which policy an item gets, tried in `position` order; the first whose every set field
    matches wins. Overrides on the customer and the invoice come before any rule."""

    __tablename__ = "policy_rule"
    __table_args__ = (
        UniqueConstraint("company_id", "position"),
        CheckConstraint("kind IS NULL OR kind IN ('business', 'consumer')", name="kind"),
        CheckConstraint("min_amount IS NULL OR currency IS NOT NULL", name="amount_currency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    position: Mapped[int]
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"))
    segment: Mapped[str | None] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(2))
    kind: Mapped[str | None] = mapped_column(String(10))
    grade: Mapped[str | None] = mapped_column(String(1))
    currency: Mapped[str | None] = mapped_column(String(3))
    min_amount: Mapped[int | None] = mapped_column(BigInteger)  # open amount, minor units


class ChaseSetting(Base):
    """One layer of chase settings (send window, contact caps...): company, segment, customer or
    invoice; the later layers win where they set a value (`policy.settings.merge`)."""

    __tablename__ = "chase_setting"
    __table_args__ = (
        UniqueConstraint("company_id", "scope", "target"),
        CheckConstraint("scope IN ('company', 'segment', 'customer', 'invoice')", name="scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    scope: Mapped[str] = mapped_column(String(10))
    target: Mapped[str] = mapped_column(String(100), default="")  # segment, or the row id
    values: Mapped[dict[str, Any]] = mapped_column(JSON)


class Hold(Base):
    """A reason not to chase a customer (invoice_id empty) or one invoice, from `starts_on`
    until `ends_on` (inclusive; open-ended when empty) unless released earlier."""

    __tablename__ = "hold"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('dispute', 'promise', 'plan', 'paid_claim', 'manual', 'agency')",
            name="kind",
        ),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        # a part of one invoice (a dispute of part of its amount), never of a whole customer
        CheckConstraint(
            "amount IS NULL OR (amount > 0 AND invoice_id IS NOT NULL)", name="part_of_invoice"
        ),
        Index("ix_hold_active", "company_id", "released_on", "starts_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(300))
    reference: Mapped[str | None] = mapped_column(String(140))  # e.g. the "I've paid" reference
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    released_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # how much of the invoice is held (minor units); empty: all of it. The rest is chased
    amount: Mapped[int | None] = mapped_column(BigInteger)
    # the agreement or case that placed it, released with it
    promise_id: Mapped[int | None] = mapped_column(ForeignKey("promise.id"), index=True)
    dispute_id: Mapped[int | None] = mapped_column(ForeignKey("dispute.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("payment_plan.id"), index=True)
    placement_id: Mapped[int | None] = mapped_column(ForeignKey("agency_placement.id"), index=True)


class OptOut(Base):
    """A channel the customer asked not to be contacted on."""

    __tablename__ = "opt_out"
    __table_args__ = (UniqueConstraint("customer_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    channel: Mapped[str] = mapped_column(String(20))
    since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str | None] = mapped_column(String(100))  # "unsubscribe link", a user...


class ChaseStep(Base):
    """Each stage an invoice reached, once: the timeline, the item-level idempotency key (the
    primary key; a WITHOUT ROWID table on SQLite, so each row is stored once, in key order),
    and the chase state (`policy.progress`: the step reached last is the current stage; the
    last one with `delivered_on`, the stage a message of which last reached the debtor)."""

    __tablename__ = "chase_step"
    __table_args__ = ({"sqlite_with_rowid": False},)

    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), primary_key=True)
    # no foreign key: policies are never deleted, and a million moves were 2.4 s of checks
    policy_id: Mapped[int] = mapped_column(primary_key=True)
    stage: Mapped[str] = mapped_column(String(40), primary_key=True)
    reached_on: Mapped[date] = mapped_column(Date)
    open_amount: Mapped[int] = mapped_column(BigInteger)  # what was chased at that stage
    delivered_on: Mapped[date | None] = mapped_column(Date)  # a message listing it reached them
