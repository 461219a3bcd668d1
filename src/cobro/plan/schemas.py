"""What the API says and takes about payment plans. Money is integer minor units next to its
ISO 4217 currency."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MINOR = "minor units of `currency` (cents for EUR)"
Status = Literal["active", "completed", "broken", "cancelled", "replaced"]
Frequency = Literal["weekly", "fortnightly", "monthly"]


class PlanOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer: str = Field(description="the customer's external id")
    customer_name: str
    currency: str
    total: int = Field(description=f"what the installments add up to, {MINOR}")
    down_payment: int = Field(description=MINOR)
    fee: int = Field(description=f"fee and interest, on a debit note, {MINOR}")
    interest_rate: str | None = Field(description="simple, % a year")
    frequency: Frequency
    starts_on: date
    grace_days: int = Field(description="an installment may be this late before the plan breaks")
    status: Status
    source: str
    approved_by: str | None = Field(description='a person, or "guardrails"')
    created_by: str | None
    replaces_id: int | None = Field(description="the plan this one rescheduled")
    fee_invoice: str | None = Field(description="the debit note of the fee, its number")
    resolved_on: date | None
    note: str | None
    invoices: list[str] = Field(description="the invoices it covers")
    paid: int = Field(description=f"paid toward it as of the last daily review, {MINOR}")
    created_at: datetime


class InstallmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    sequence: int = Field(description="0: the down payment")
    due_on: date
    amount: int = Field(description=MINOR)
    paid: int = Field(description=MINOR)
    paid_on: date | None
    state: Literal["paid", "partly_paid", "due", "missed"]
    reminded_on: date | None
    late_notice_on: date | None


class PlanDetailOut(PlanOut):
    installments: list[InstallmentOut]
    replaced_by: int | None


class TermsIn(BaseModel):
    """The terms of a plan."""

    model_config = ConfigDict(extra="forbid")

    installments: int = Field(ge=1, le=120, description="how many, besides the down payment")
    frequency: Frequency = "monthly"
    first_on: date = Field(description="the first installment's day")
    down_payment: int = Field(default=0, ge=0, description=f"due at once, {MINOR}")
    fee: int = Field(default=0, ge=0, description=MINOR)
    interest_rate: Decimal | None = Field(
        default=None, ge=0, le=100, description="simple interest, % a year"
    )
    override: bool = Field(
        default=False, description="approve past the guardrails (the `configure` permission)"
    )


class PlanIn(TermsIn):
    customer: str = Field(min_length=1, max_length=100, description="external id")
    currency: str | None = Field(default=None, description="default: the open invoices'")
    invoices: list[str] = Field(
        default_factory=list, max_length=200, description="numbers; none: all open ones"
    )
    note: str | None = Field(default=None, description="300 characters at most")


class ScheduledOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    sequence: int = Field(description="0: the down payment")
    due_on: date
    amount: int = Field(description=MINOR)


class ReasonOut(BaseModel):
    field: str
    message: str
    hard: bool = Field(description="no plan at all; else a guardrail a manager may override")


class PreviewOut(BaseModel):
    customer: str
    currency: str
    invoices: list[str]
    inside_guardrails: bool
    possible: bool = Field(description="a manager may approve it past the guardrails")
    reasons: list[ReasonOut]
    total: int | None = Field(description=MINOR)
    fee: int | None = Field(description=MINOR)
    installments: list[ScheduledOut]
