"""What the API says about invoices. Money is always an integer number of the currency's minor
units (cents for EUR, yen for JPY) next to its ISO 4217 `currency`: 12.50 EUR is 1250."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

MINOR = "integer minor units of `currency` (1250 is 12.50 EUR)"
MAX_MINOR = 10**15  # ten trillion euros: beyond any invoice, within every database's integer
Minor = Annotated[int, Field(gt=0, le=MAX_MINOR, description=f"positive, {MINOR}")]
# the days an invoice or payment may carry: far from the ends of the calendar (terms add days)
Day = Annotated[date, Field(ge=date(1900, 1, 1), le=date(2999, 12, 31))]
InvoiceStatus = Literal["open", "overdue", "paid"]


class InvoiceOut(BaseModel):
    """An invoice of the caller's company and where it stands today."""

    model_config = ConfigDict(from_attributes=True)

    number: str
    customer: str = Field(description="the customer's external id")
    issue_date: date
    due_date: date
    currency: str = Field(description="ISO 4217 code of every amount of the invoice")
    total: int = Field(description=f"tax included, {MINOR}")
    tax: int = Field(description=MINOR)
    open_amount: int = Field(
        description=f"what is still owed: total − allocations − credit notes − write-offs, {MINOR}"
    )
    status: InvoiceStatus = Field(
        description="paid: nothing open; overdue: open past its due date; open: otherwise"
    )
    days_past_due: int = Field(description="today in the company's time zone; negative: not due")
    settled_on: date | None
    payment_reference: str = Field(description="ISO 11649 (RF) creditor reference")
    purchase_order: str | None
    reference: str | None
    discount_until: date | None
    discount_amount: int = Field(description=f"early-payment discount, {MINOR}")
    created_at: datetime


class AllocationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    payment_id: int
    payment: str = Field(description="the payment's external id")
    invoice: str = Field(description="the invoice's number")
    amount: int = Field(description=MINOR)
    applied_on: date


class CreditNoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: str
    issue_date: date
    amount: int = Field(description=MINOR)
    reason: str | None


class WriteOffOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    written_off_on: date
    amount: int = Field(description=MINOR)
    reason: str


class InstallmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    sequence: int
    due_date: date
    amount: int = Field(description=MINOR)


class InvoiceDetailOut(InvoiceOut):
    """An invoice with everything that took from it, and its stage in the chase."""

    installments: list[InstallmentOut]
    allocations: list[AllocationOut]
    credit_notes: list[CreditNoteOut]
    write_offs: list[WriteOffOut]
    stage: str | None = Field(description="the chase stage reached last; none before the first")
    stage_on: date | None


class InvoiceIn(BaseModel):
    """A new invoice for a customer of the caller's company."""

    model_config = ConfigDict(extra="forbid")

    number: str = Field(min_length=1, max_length=60, description="unique in the company")
    customer: str = Field(min_length=1, max_length=100, description="the customer's external id")
    issue_date: Day
    due_date: Day | None = Field(default=None, description="default: from the terms, else issue")
    total: Minor
    tax: int = Field(default=0, ge=0, le=MAX_MINOR, description=f"included in total, {MINOR}")
    currency: str | None = Field(
        default=None, min_length=3, max_length=3, description="default: the customer's"
    )
    terms: str | None = Field(
        default=None, max_length=60, description="payment terms, e.g. NET30, EOM+30, 2/10 NET30"
    )
    purchase_order: str | None = Field(default=None, max_length=60)
    reference: str | None = Field(default=None, max_length=140)
    payment_reference: str | None = Field(
        default=None, max_length=35, description="an RF reference; default: made from the number"
    )


class CreditNoteIn(BaseModel):
    """A credit note against the invoice: takes `amount` off what it asks for."""

    model_config = ConfigDict(extra="forbid")

    number: str = Field(min_length=1, max_length=60, description="unique in the company")
    issue_date: Day
    amount: Minor
    reason: str | None = Field(default=None, max_length=300)


class WriteOffIn(BaseModel):
    """Give up collecting some or all of what is open."""

    model_config = ConfigDict(extra="forbid")

    written_off_on: Day
    amount: Minor | None = Field(default=None, description=f"default: all that is open; {MINOR}")
    reason: str = Field(min_length=1, max_length=300)
