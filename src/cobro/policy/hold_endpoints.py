"""Hold endpoints (mounted under /api by `cobro.app`): the caller's company's holds; placing
one on a customer or one invoice (with a reason, until a day or until released) and releasing
one need the `work` permission (a token's `write` scope). Another company's hold, customer or
invoice is a 404; releasing a released hold a 409."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, get_args

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.endpoint import CALLER_ERRORS, DbSession, Paging, Reader, Worker, error_responses
from cobro.kit.dates import today_in, utcnow
from cobro.kit.pagination import MAX_OFFSET
from cobro.kit.schemas import PageOut
from cobro.policy import hold_manage
from cobro.policy.models import HOLD_KINDS

router = APIRouter(prefix="/holds", tags=["holds"], responses=CALLER_ERRORS)

HoldId = Annotated[int, Path(ge=1, le=MAX_OFFSET, description="the hold's id")]
Kind = Literal["dispute", "promise", "plan", "paid_claim", "manual", "agency"]
assert set(get_args(Kind)) == set(HOLD_KINDS)  # the API offers every kind the table takes


class HoldOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer: str = Field(description="the customer's external id")
    customer_name: str
    invoice: str | None = Field(description="the invoice's number; None: the whole customer")
    kind: str
    reason: str
    reference: str | None
    starts_on: date
    ends_on: date | None
    released_on: date | None
    created_by: str | None
    created_at: datetime


class HoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: str = Field(min_length=1, max_length=100, description="external id")
    invoice: str | None = Field(default=None, min_length=1, max_length=60, description="number")
    kind: Kind = "manual"
    reason: str = Field(min_length=1, max_length=300)
    starts_on: date | None = Field(default=None, description="default: the company's today")
    until: date | None = Field(default=None, description="last day on hold; None: until released")


def _company(session: Session, company_id: int) -> Company:
    return session.get_one(Company, company_id)


@router.get("")
def list_holds(
    session: DbSession,
    caller: Reader,
    page: Paging,
    customer: Annotated[
        str | None, Query(min_length=1, max_length=100, description="external id")
    ] = None,
    active: Annotated[bool | None, Query(description="only holds in force today (or not)")] = None,
) -> PageOut[HoldOut]:
    """The company's holds, newest first."""
    today = today_in(_company(session, caller.company_id).timezone)
    found = hold_manage.holds_page(
        session, caller.company_id, page, on=today, customer=customer, active=active
    )
    return PageOut.of(found, HoldOut)


@router.post("", status_code=201, responses=error_responses(404))
def place_hold(session: DbSession, caller: Worker, body: HoldIn) -> HoldOut:
    """Stop chasing a customer, or one of its invoices, for a reason, until a day."""
    company = _company(session, caller.company_id)
    hold = hold_manage.place(
        session,
        company,
        customer=body.customer,
        invoice=body.invoice,
        kind=body.kind,
        reason=body.reason,
        starts_on=body.starts_on or today_in(company.timezone),
        until=body.until,
        actor_id=caller.user.id,
        actor=caller.user.email,
        now=utcnow(),
    )
    return HoldOut.model_validate(hold_manage.hold_row(session, company.id, hold.id))


@router.delete("/{hold_id}", responses=error_responses(404, 409))
def release_hold(session: DbSession, caller: Worker, hold_id: HoldId) -> HoldOut:
    """Release a hold today: the items are chased again from the next cycle."""
    company = _company(session, caller.company_id)
    hold = hold_manage.release(
        session,
        company,
        hold_id,
        on=today_in(company.timezone),
        actor_id=caller.user.id,
        now=utcnow(),
    )
    return HoldOut.model_validate(hold_manage.hold_row(session, company.id, hold.id))
