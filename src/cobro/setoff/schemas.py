"""What the set-off endpoints take and answer. Money is integer minor units."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from cobro.invoice.schemas import MAX_MINOR, MINOR
from cobro.setoff import rules


class ExposureOut(BaseModel):
    """What each side owes in one currency."""

    currency: str
    owed: int = Field(description=f"the customer owes us (open invoices); {MINOR}")
    owe: int = Field(description=f"we owe the customer (open vendor bills); {MINOR}")
    net: int = Field(description=f"owed − owe: negative when we owe them on balance; {MINOR}")
    settable: int = Field(description=f"what can be set off: the smaller side; {MINOR}")

    @classmethod
    def of(cls, exposure: rules.Exposure) -> ExposureOut:
        return cls(
            currency=exposure.currency,
            owed=exposure.owed,
            owe=exposure.owe,
            net=exposure.net,
            settable=exposure.settable,
        )


class CustomerExposureOut(BaseModel):
    customer: str = Field(description="the customer's external id")
    name: str
    exposures: list[ExposureOut]


class LineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: str
    due_date: date
    open_amount: int = Field(description=f"open before the set-off; {MINOR}")
    amount: int = Field(description=f"set off; {MINOR}")


class ProposalOut(BaseModel):
    currency: str
    amount: int = Field(description=f"set off on each side; {MINOR}")
    invoices: list[LineOut] = Field(description="the invoices it pays, oldest due first")
    bills: list[LineOut] = Field(description="the vendor bills it pays, oldest due first")

    @classmethod
    def of(cls, proposal: rules.Proposal) -> ProposalOut:
        return cls(
            currency=proposal.currency,
            amount=proposal.amount,
            invoices=[LineOut.model_validate(line) for line in proposal.invoices],
            bills=[LineOut.model_validate(line) for line in proposal.bills],
        )


class SetOffViewOut(BaseModel):
    customer: str
    name: str
    exposures: list[ExposureOut]
    proposals: list[ProposalOut] = Field(description="one per currency that can be set off")


class SetOffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    currency: str | None = Field(
        default=None,
        min_length=3,
        max_length=3,
        description="default: the only currency both sides owe in",
    )
    amount: int | None = Field(
        default=None, gt=0, le=MAX_MINOR, description=f"default: all that can be; {MINOR}"
    )
    set_off_on: date | None = Field(default=None, description="default: the company's today")
    note: str | None = Field(default=None, max_length=300)


class SetOffOut(BaseModel):
    id: int
    customer: str
    currency: str
    amount: int = Field(description=f"{MINOR}")
    set_off_on: date
    payment: str = Field(description="the payment's external id (SETOFF-<id>)")
    note: str | None
    invoices: list[LineOut]
    bills: list[LineOut]


class VendorBillOut(BaseModel):
    customer: str = Field(description="the customer's external id")
    number: str
    issue_date: date
    due_date: date
    currency: str
    total: int = Field(description=f"{MINOR}")
    open_amount: int = Field(description=f"still to pay them; {MINOR}")
    settled_on: date | None
    reference: str | None
