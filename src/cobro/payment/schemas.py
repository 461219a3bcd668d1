"""What the API says about payments and their allocations. Money is always an integer number
of the currency's minor units (cents for EUR) next to its ISO 4217 `currency`."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from cobro.invoice.schemas import MINOR, AllocationOut, Day, Minor

MAX_ALLOCATIONS = 200


class PaymentOut(BaseModel):
    """Money received by the caller's company, and how much of it no invoice has taken."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: str = Field(description="the payment's id in the company's own systems")
    customer: str | None = Field(description="the payer's external id; none while unknown")
    received_on: date
    currency: str = Field(description="ISO 4217 code of every amount of the payment")
    amount: int = Field(description=MINOR)
    allocated: int = Field(description=f"taken by invoices, {MINOR}")
    unapplied: int = Field(description=f"not yet allocated (amount − allocated), {MINOR}")
    method: str | None
    reference: str | None
    payer_name: str | None
    created_at: datetime


class PaymentDetailOut(PaymentOut):
    allocations: list[AllocationOut]


class AllocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    invoice: str = Field(min_length=1, max_length=60, description="the invoice's number")
    amount: Minor


class PaymentIn(BaseModel):
    """A payment received. Optionally allocated at once: to the invoices and amounts given in
    `allocations`, or with `apply_to_oldest` to the customer's oldest open invoices in its
    currency; what is left stays unapplied."""

    model_config = ConfigDict(extra="forbid")

    external_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="unique in the company (a bank transaction id); default: one is made up",
    )
    customer: str | None = Field(
        default=None, min_length=1, max_length=100, description="the payer's external id"
    )
    received_on: Day
    amount: Minor
    currency: str | None = Field(
        default=None,
        min_length=3,
        max_length=3,
        description="ISO 4217; default: the customer's, else the company's",
    )
    method: str | None = Field(default=None, max_length=40, description="transfer, card, cash…")
    reference: str | None = Field(default=None, max_length=140)
    payer_name: str | None = Field(default=None, max_length=200)
    allocations: list[AllocationIn] = Field(default_factory=list, max_length=MAX_ALLOCATIONS)
    apply_to_oldest: bool = False


class AllocationsIn(BaseModel):
    """Allocate part of a payment's unapplied cash to invoices."""

    model_config = ConfigDict(extra="forbid")

    allocations: list[AllocationIn] = Field(min_length=1, max_length=MAX_ALLOCATIONS)
    applied_on: Day | None = Field(
        default=None,
        description="the day the allocation takes effect; default: today (never before the "
        "payment was received)",
    )
