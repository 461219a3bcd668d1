"""JSON shapes of the validation notice endpoints (`cobro.validation.endpoints`): a notice with
its dates, itemization and disputes; what a new notice, a dispute and a verification take."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from cobro.invoice.schemas import MAX_MINOR, Day
from cobro.policy.models import Hold
from cobro.validation.models import ValidationDispute
from cobro.validation.rules import ITEMIZATION_KINDS
from cobro.validation.service import DisputeOutcome, NoticeRow, notice_reference

ItemizationKind = Literal["last_statement", "charge_off", "last_payment", "transaction", "judgment"]
assert set(get_args(ItemizationKind)) == set(ITEMIZATION_KINDS)  # every kind the rules take
MINOR = "minor units of the notice's currency"
Minor = Annotated[int, Field(ge=0, le=MAX_MINOR, description=MINOR)]


class ItemizationOut(BaseModel):
    """The debt as of the itemization date and what changed it since (§1006.34(c)(2))."""

    kind: str = Field(description="the kind of itemization date: " + ", ".join(ITEMIZATION_KINDS))
    on: date = Field(description="the itemization date")
    owed: int = Field(description=f"owed on the itemization date, {MINOR}")
    interest: int = Field(description=f"interest charged since, {MINOR}")
    fees: int = Field(description=f"fees charged since, {MINOR}")
    payments: int = Field(description=f"paid or credited since, {MINOR}")
    total: int = Field(description=f"owed now: owed + interest + fees - payments, {MINOR}")
    currency: str


class DisputeOut(BaseModel):
    id: int
    notice_id: int
    received_on: date
    amount: int | None = Field(description=f"the disputed part, {MINOR}; None: the whole debt")
    timely: bool = Field(description="received by the end of the validation period")
    held: bool = Field(description="collection stopped until verification is sent")
    verification_sent_on: date | None
    note: str | None
    created_at: datetime

    @classmethod
    def of(cls, dispute: ValidationDispute) -> DisputeOut:
        return cls(
            id=dispute.id,
            notice_id=dispute.notice_id,
            received_on=dispute.received_on,
            amount=dispute.amount,
            timely=dispute.timely,
            held=dispute.hold_id is not None,
            verification_sent_on=dispute.verification_sent_on,
            note=dispute.note,
            created_at=dispute.created_at,
        )


class NoticeOut(BaseModel):
    id: int
    reference: str = Field(description="printed on the notice and its response form")
    customer: str = Field(description="the customer's external id")
    sent_on: date
    assumed_receipt_on: date = Field(description="the 5th business day after sending")
    ends_on: date = Field(description="the last day of the validation period")
    itemization: ItemizationOut
    disputes: list[DisputeOut] = Field(description="oldest first")
    created_at: datetime

    @classmethod
    def of(cls, row: NoticeRow) -> NoticeOut:
        notice = row.notice
        return cls(
            id=notice.id,
            reference=notice_reference(notice),
            customer=row.customer,
            sent_on=notice.sent_on,
            assumed_receipt_on=notice.assumed_receipt_on,
            ends_on=notice.ends_on,
            itemization=ItemizationOut(
                kind=notice.itemization_kind,
                on=notice.itemization_on,
                owed=notice.owed,
                interest=notice.interest,
                fees=notice.fees,
                payments=notice.payments,
                total=notice.total,
                currency=notice.currency,
            ),
            disputes=[DisputeOut.of(dispute) for dispute in row.disputes],
            created_at=notice.created_at,
        )


class NoticeIn(BaseModel):
    """A validation notice sent to a US consumer; its total is computed from the itemization."""

    model_config = ConfigDict(extra="forbid")

    customer: str = Field(min_length=1, max_length=100, description="external id")
    sent_on: Day
    itemization_kind: ItemizationKind
    itemization_on: Day = Field(description="the itemization date, on or before sent_on")
    owed: Minor = Field(description=f"owed on the itemization date, {MINOR}")
    interest: Minor = Field(default=0, description=f"interest charged since, {MINOR}")
    fees: Minor = Field(default=0, description=f"fees charged since, {MINOR}")
    payments: Minor = Field(default=0, description=f"paid or credited since, {MINOR}")
    creditor: str | None = Field(
        default=None, max_length=200, description="to whom the debt is owed; default the company"
    )


class DisputeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    received_on: Day
    amount: int | None = Field(
        default=None, le=MAX_MINOR, description=f"the disputed part, {MINOR}; None: all of it"
    )
    invoices: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="hold these invoices (numbers) only; none: the whole customer",
    )
    honour_late: bool = Field(default=False, description="stop collection even if it is late")
    note: str | None = Field(default=None, max_length=300, description="what the consumer said")


class VerifiedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on: Day | None = Field(default=None, description="the day it was mailed; default today")


class HoldPlaced(BaseModel):
    id: int = Field(description="the hold's id (see /api/holds)")
    invoice: str | None = Field(description="the invoice's number; None: the whole customer")


class DisputeRecordedOut(DisputeOut):
    holds: list[HoldPlaced] = Field(description="the holds placed; none for a late dispute")
    undisputed: int = Field(description=f"what may still be collected, {MINOR}")
    currency: str
    message: str = Field(description="what happened, in a sentence or two")

    @classmethod
    def of_outcome(
        cls, outcome: DisputeOutcome, currency: str, numbers: dict[int, str]
    ) -> DisputeRecordedOut:
        """`numbers`: invoice id -> number, of the invoices the dispute named."""

        def placed(hold: Hold) -> HoldPlaced:
            number = None if hold.invoice_id is None else numbers.get(hold.invoice_id)
            return HoldPlaced(id=hold.id, invoice=number)

        return cls(
            **DisputeOut.of(outcome.dispute).model_dump(),
            holds=[placed(hold) for hold in outcome.holds],
            undisputed=outcome.undisputed,
            currency=currency,
            message=outcome.message,
        )
