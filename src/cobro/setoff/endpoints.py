"""Set-off endpoints (mounted under /api by `cobro.app`).

- `GET /setoff` (`read`): the customers the company also owes (open vendor bills), with what
  each side owes per currency.
- `GET /setoff/{external_id}` (`read`): one customer's exposure and the set-off proposed in
  each currency (the invoices and bills it would pay).
- `POST /setoff/{external_id}` (`work`): apply it. It moves money: an `Idempotency-Key` is
  required, and the same request again answers the first answer and moves nothing.
- `GET /vendor-bills` (`read`): the bills, oldest due first.

Another company's customer is a 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.service import get_customer
from cobro.endpoint import CALLER_ERRORS, DbSession, Paging, Reader, Worker, error_responses
from cobro.idempotency.http import REPLAYED_HEADER_DOC, Idempotent
from cobro.kit.dates import today_in, utcnow
from cobro.kit.pagination import page_of
from cobro.kit.schemas import PageOut
from cobro.setoff import service
from cobro.setoff.schemas import (
    CustomerExposureOut,
    ExposureOut,
    LineOut,
    ProposalOut,
    SetOffIn,
    SetOffOut,
    SetOffViewOut,
    VendorBillOut,
)

router = APIRouter(responses=CALLER_ERRORS)


def _company(session: Session, company_id: int) -> Company:
    return session.get_one(Company, company_id)


@router.get("/setoff", tags=["set-off"])
def list_set_offs(session: DbSession, caller: Reader) -> list[CustomerExposureOut]:
    """The customers the company also owes (open vendor bills), by name, with what each side
    owes per currency and what can be set off."""
    found = service.customer_exposures(session, _company(session, caller.company_id))
    return [
        CustomerExposureOut(
            customer=row.external_id,
            name=row.name,
            exposures=[ExposureOut.of(e) for e in row.exposures],
        )
        for row in found
    ]


@router.get("/setoff/{external_id}", tags=["set-off"], responses=error_responses(404))
def show_set_off(session: DbSession, caller: Reader, external_id: str) -> SetOffViewOut:
    """One customer's exposure per currency and the set-off proposed in each: the invoices
    and the bills it would pay, oldest due first. Nothing is written."""
    company = _company(session, caller.company_id)
    customer = get_customer(session, company.id, external_id)
    return SetOffViewOut(
        customer=customer.external_id,
        name=customer.name,
        exposures=[ExposureOut.of(e) for e in service.exposure(session, company, customer)],
        proposals=[ProposalOut.of(p) for p in service.proposals(session, customer)],
    )


@router.post(
    "/setoff/{external_id}",
    tags=["set-off"],
    status_code=201,
    response_model=SetOffOut,
    responses={
        **error_responses(404),
        201: {
            "description": "Set off (or the stored answer, replayed)",
            "headers": REPLAYED_HEADER_DOC,
        },
    },
)
def apply_set_off(
    session: DbSession, caller: Worker, external_id: str, body: SetOffIn, once: Idempotent
) -> Response:
    """Set off what the customer owes us against what we owe them: a payment (method
    `set_off`, external id `SETOFF-<id>`) applied to their oldest invoices, and their oldest
    vendor bills reduced by as much. An amount above what can be set off is a 422 naming
    `amount`, and nothing is written."""
    company = _company(session, caller.company_id)

    def act() -> SetOffOut:
        applied = service.apply_set_off(
            session,
            company,
            external_id,
            body.currency,
            body.set_off_on or today_in(company.timezone),
            (caller.user.id, caller.user.email),
            body.amount,
            body.note,
            utcnow(),
        )
        made = applied.set_off
        return SetOffOut(
            id=made.id,
            customer=external_id,
            currency=made.currency,
            amount=made.amount,
            set_off_on=made.set_off_on,
            payment=applied.payment.external_id,
            note=made.note,
            invoices=[LineOut.model_validate(line) for line in applied.proposal.invoices],
            bills=[LineOut.model_validate(line) for line in applied.proposal.bills],
        )

    return once.answer(session, company.id, act, 201)


@router.get("/vendor-bills", tags=["set-off"], responses=error_responses(404))
def list_vendor_bills(
    session: DbSession,
    caller: Reader,
    page: Paging,
    customer: Annotated[
        str | None, Query(min_length=1, max_length=100, description="external id")
    ] = None,
    open: Annotated[bool, Query(description="only bills with something still to pay")] = True,
) -> PageOut[VendorBillOut]:
    """The bills customers who are also suppliers sent the company, oldest due first."""
    company = _company(session, caller.company_id)
    rows = service.list_bills(session, company, customer, open, page)
    found = page_of(
        [
            VendorBillOut(
                customer=external_id,
                number=bill.number,
                issue_date=bill.issue_date,
                due_date=bill.due_date,
                currency=bill.currency,
                total=bill.total,
                open_amount=bill.open_amount,
                settled_on=bill.settled_on,
                reference=bill.reference,
            )
            for bill, external_id in rows
        ],
        page,
    )
    return PageOut.of(found, VendorBillOut)
