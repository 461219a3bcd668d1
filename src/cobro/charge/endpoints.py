"""Charge endpoints (mounted under /api by `cobro.app`): the fees and interest recorded (any
reader), waiving one (`configure`: managers and admins, with a reason), and the company's
charge settings (read: any reader; change: `configure`). Another company's charge is a 404;
waiving a waived charge, or one on a paid debit note, a 409."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from cobro.charge import debit, manage
from cobro.company.models import Company
from cobro.endpoint import (
    CALLER_ERRORS,
    Caller,
    DbSession,
    Paging,
    Reader,
    error_responses,
    require,
)
from cobro.kit.dates import today_in, utcnow
from cobro.kit.pagination import MAX_OFFSET
from cobro.kit.schemas import PageOut

router = APIRouter(prefix="/charges", tags=["charges"], responses=CALLER_ERRORS)

Configurer = Annotated[Caller, require("configure")]
ChargeId = Annotated[int, Path(ge=1, le=MAX_OFFSET, description="the charge's id")]


class ChargeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer: str = Field(description="the customer's external id")
    invoice: str | None = Field(description="the invoice's number; None: a fee per notice")
    kind: str = Field(description="fee, interest or compensation")
    label: str
    currency: str
    amount: int = Field(description="minor units")
    computed_on: date
    accrued_from: date | None = Field(description="interest: the first day counted")
    accrued_to: date | None = Field(description="interest: the last day counted")
    stage: str | None
    mode: str = Field(description="claim (in the letters) or charge (on a debit note)")
    debit_note: str | None
    waived_on: date | None
    waived_by: str | None
    waived_reason: str | None
    detail: dict[str, Any] = Field(description="the computation: stretches, rule, law")


class WaiveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=300)


class ChargeSettings(BaseModel):
    jurisdiction: str | None = Field(description="whose late-payment law; None: no interest")
    mode: Literal["off", "claim", "charge"]
    contract_rate: str | None = Field(description="an agreed rate, % a year")


class ChargeSettingsIn(BaseModel):
    """The settings to change; "" clears jurisdiction or contract_rate."""

    model_config = ConfigDict(extra="forbid")

    jurisdiction: str | None = Field(default=None, max_length=2)
    mode: Literal["off", "claim", "charge"] | None = None
    contract_rate: str | None = Field(default=None, max_length=12)


def _company(session: DbSession, caller: Caller) -> Company:
    return session.get_one(Company, caller.company_id)


@router.get("")
def list_charges(
    session: DbSession,
    caller: Reader,
    page: Paging,
    customer: Annotated[
        str | None, Query(min_length=1, max_length=100, description="external id")
    ] = None,
    invoice: Annotated[str | None, Query(max_length=60, description="number")] = None,
    waived: Annotated[bool | None, Query(description="only waived ones (or not)")] = None,
) -> PageOut[ChargeOut]:
    """The company's fees, interest and compensation, newest first."""
    found = manage.charges_page(
        session, caller.company_id, page, customer=customer, invoice=invoice, waived=waived
    )
    return PageOut.of(found, ChargeOut)


@router.post("/{charge_id}/waive", responses=error_responses(404, 409))
def waive_charge(
    session: DbSession, caller: Configurer, charge_id: ChargeId, body: WaiveIn
) -> ChargeOut:
    """Waive a charge, with a reason (audited): a claim is no longer asked for, a charge on a
    debit note is credited back."""
    company = _company(session, caller)
    debit.waive(
        session,
        company,
        charge_id,
        body.reason,
        (caller.user.id, caller.user.email),
        utcnow(),
        today_in(company.timezone),
    )
    return ChargeOut.model_validate(manage.charge_row(session, company.id, charge_id))


@router.get("/settings")
def read_settings(session: DbSession, caller: Reader) -> ChargeSettings:
    """Whose law, claim or charge, and the agreed rate."""
    return ChargeSettings.model_validate(manage.settings_of(_company(session, caller)))


@router.patch("/settings")
def change_settings(
    session: DbSession, caller: Configurer, body: ChargeSettingsIn
) -> ChargeSettings:
    """Change the charge settings given (audited)."""
    company = _company(session, caller)
    changes = body.model_dump(exclude_none=True)
    manage.update_settings(session, company, changes, caller.user.id, utcnow())
    return ChargeSettings.model_validate(manage.settings_of(company))
