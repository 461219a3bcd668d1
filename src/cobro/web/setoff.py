"""The set-off card of the customer page and its form: what the customer owes us, what we
owe them (their open vendor bills), the net per currency, the set-off proposed, and "Apply
set-off" for roles that may `work`. The form goes through the same service as the JSON API
(`cobro.setoff.service.apply_set_off`): one rule, one audit trail.

Post, redirect, get: success goes back to the customer's card; a refused set-off (an amount
above what can be set off…) answers a page with the reason and its status, nothing written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.service import get_customer
from cobro.endpoint import DbSession, Worker
from cobro.errors import CobroError, Invalid
from cobro.kit.dates import today_in, utcnow
from cobro.kit.money import check_currency, parse_amount
from cobro.setoff import rules, service
from cobro.setoff.models import VendorBill
from cobro.web.templates import render

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class SetOffCard:
    exposures: list[rules.Exposure]
    proposals: list[rules.Proposal]
    may_work: bool


def set_off_card(
    session: Session, company_id: int, external_id: str, may_work: bool
) -> SetOffCard | None:
    """The card's content, or None when the company owes the customer nothing (no card)."""
    company = session.get_one(Company, company_id)
    customer = get_customer(session, company_id, external_id)
    owed = session.scalar(
        select(exists().where(VendorBill.customer_id == customer.id, VendorBill.open_amount > 0))
    )
    if not owed:
        return None
    return SetOffCard(
        exposures=service.exposure(session, company, customer),
        proposals=service.proposals(session, customer),
        may_work=may_work,
    )


@router.post("/customers/{external_id}/set-off", response_class=HTMLResponse)
def apply_set_off(
    request: Request,
    session: DbSession,
    caller: Worker,
    external_id: str,
    currency: Annotated[str, Form(max_length=3)],
    amount: Annotated[str, Form(max_length=30)] = "",
    note: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    company = session.get_one(Company, caller.company_id)
    try:
        minor = None
        if amount.strip():
            try:
                minor = parse_amount(amount, check_currency(currency))
            except Invalid as error:
                raise Invalid(error.message, field="amount") from None
        service.apply_set_off(
            session,
            company,
            external_id,
            currency,
            today_in(company.timezone),
            (caller.user.id, caller.user.email),
            minor,
            note or None,
            utcnow(),
        )
    except CobroError as error:
        # the service checks everything before it writes: a refusal has changed nothing
        return render(
            request,
            "setoff/refused.html",
            status_code=error.status,
            message=error.message,
            external_id=external_id,
        )
    return RedirectResponse(f"/customers/{quote(external_id, safe='')}#set-off", 303)
