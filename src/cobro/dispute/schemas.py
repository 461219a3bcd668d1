"""The JSON shapes of the dispute endpoints. Money is integer minor units of the invoice's
currency."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from cobro.dispute.rules import MAX_DESCRIPTION, MAX_ITEMS, MAX_NOTE, OUTCOMES, REASONS

Reason = Literal["price", "quality", "not_received", "already_paid", "duplicate", "other"]
Outcome = Literal["credit", "partial", "reject", "withdraw"]
Status = Literal["open", "credited", "partly_credited", "rejected", "withdrawn"]
assert get_args(Reason) == REASONS
assert get_args(Outcome) == OUTCOMES


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    invoice: str = Field(min_length=1, max_length=60, description="the invoice's number")
    amount: int | None = Field(
        default=None, description="minor units disputed; None: all that is open"
    )


class DisputeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: str = Field(min_length=1, max_length=100, description="external id")
    items: list[ItemIn] = Field(min_length=1, max_length=MAX_ITEMS)
    reason: Reason
    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION)
    owner: str | None = Field(
        default=None, max_length=100, description="who works it; default: the collector"
    )
    due_on: date | None = Field(default=None, description="default: the company's days later")
    opened_on: date | None = Field(default=None, description="default: the company's today")


class CreditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    invoice: str = Field(min_length=1, max_length=60)
    amount: int = Field(gt=0, description="minor units to credit")


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    credits: list[CreditIn] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="for `partial` only"
    )
    note: str | None = Field(default=None, max_length=MAX_NOTE)
    on: date | None = Field(default=None, description="default: the company's today")


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    invoice: str
    currency: str
    amount: int
    credited: int
    credit_note: str | None
    open_amount: int


class EvidenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str | None
    created_at: datetime


class DisputeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer: str = Field(description="the customer's external id")
    customer_name: str
    reason: str
    description: str
    status: Status
    owner: str | None
    opened_on: date
    due_on: date
    resolved_on: date | None
    resolution: str | None
    source: str
    created_by: str | None
    validation_dispute_id: int | None = Field(
        description="the Regulation F validation dispute recorded with it, if any"
    )
    overdue: bool
    amount: int = Field(description="minor units disputed, all invoices")
    currency: str
    items: list[ItemOut]
    evidence: list[EvidenceOut] = Field(description="in one dispute's answer; [] in lists")
