"""The JSON shapes of the legal case and agency placement endpoints. Money is integer minor
units of the currency given with it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from cobro.legal.rules import MAX_AGENCY, MAX_NOTE, MAX_REFERENCE, STAGES, STATUSES

Stage = Literal["pre_legal", "claim_filed", "judgment", "enforcement", "closed"]
Status = Literal["placed", "recalled", "closed"]
assert get_args(Stage) == STAGES
assert get_args(Status) == STATUSES


class StepOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    stage: str
    reached_on: date
    note: str | None
    by: str | None


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer: str = Field(description="the customer's external id")
    customer_name: str
    stage: Stage
    opened_on: date
    closed_on: date | None
    amount: int = Field(description="claimed when opened, minor units")
    currency: str
    court: str | None
    case_number: str | None
    lawyer: str | None
    guarantees: str | None
    note: str | None
    created_by: str | None
    created_at: datetime
    steps: list[StepOut] = Field(description="every stage reached; empty in lists")


class CaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: str = Field(min_length=1, max_length=100, description="external id")
    court: str | None = Field(default=None, max_length=200)
    case_number: str | None = Field(default=None, max_length=100)
    lawyer: str | None = Field(default=None, max_length=200)
    guarantees: str | None = Field(default=None, max_length=20_000)
    note: str | None = Field(default=None, max_length=20_000)
    opened_on: date | None = Field(default=None, description="default: the company's today")


class MoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stage: Stage = Field(description="the next stage, or closed")
    note: str | None = Field(default=None, max_length=MAX_NOTE)
    on: date | None = Field(default=None, description="default: the company's today")


class PlacementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer: str = Field(description="the customer's external id")
    customer_name: str
    agency: str
    reference: str | None = Field(description="the agency's own")
    status: Status
    placed_on: date
    recalled_on: date | None
    amount: int = Field(description="placed, minor units")
    currency: str
    commission_percent: str | None
    note: str | None
    created_by: str | None
    created_at: datetime
    invoices: list[str] = Field(description="the numbers of the invoices placed")


class PlacementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: str = Field(min_length=1, max_length=100, description="external id")
    agency: str = Field(min_length=1, max_length=MAX_AGENCY)
    invoices: list[str] = Field(
        default_factory=list, max_length=1000, description="numbers; empty: every open one"
    )
    reference: str | None = Field(default=None, max_length=MAX_REFERENCE)
    commission: str | None = Field(default=None, max_length=12, description="% (0 to 100)")
    note: str | None = Field(default=None, max_length=MAX_NOTE)
    placed_on: date | None = Field(default=None, description="default: the company's today")


class SyncOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    recorded: int = Field(description="payments newly recorded")
    already: int = Field(description="rows recorded by an earlier sync")
    amount: int = Field(description="minor units newly recorded")
    closed: bool = Field(description="all the placement's invoices are paid: it is closed")
    placement: PlacementOut
