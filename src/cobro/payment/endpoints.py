"""Payment endpoints (mounted under /api by `cobro.app`): the caller's company's payments,
filtered, sorted and paged; one with its allocations; recording a payment (allocated at once
or not) and allocating its cash, each with a required `Idempotency-Key`; reversing an
allocation. Reading needs `read`; changing `work` (an API token's `write` scope). Another
company's payment is a 404, never its data. Money is integer minor units next to its currency."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.endpoint import CALLER_ERRORS, DbSession, Paging, Reader, Worker, error_responses
from cobro.idempotency.http import REPLAYED_HEADER_DOC, Idempotent
from cobro.kit.dates import today_in, utcnow
from cobro.kit.pagination import MAX_OFFSET
from cobro.kit.schemas import PageOut
from cobro.payment import manage
from cobro.payment.models import Payment
from cobro.payment.queries import PaymentFilter, payment_detail, payments_page
from cobro.payment.schemas import AllocationsIn, PaymentDetailOut, PaymentIn, PaymentOut
from cobro.payment.service import PaymentIn as PaymentData
from cobro.worklist.snapshot import refresh_customers

router = APIRouter(prefix="/payments", tags=["payments"], responses=CALLER_ERRORS)

Sort = Literal[
    "received_on",
    "-received_on",
    "amount",
    "-amount",
    "unapplied",
    "-unapplied",
    "external_id",
    "-external_id",
]
PaymentId = Annotated[int, Path(ge=1, le=MAX_OFFSET, description="the payment's id")]
AllocationId = Annotated[int, Path(ge=1, le=MAX_OFFSET, description="the allocation's id")]
MONEY_ANSWERS = {
    **error_responses(404, 409),
    201: {
        "description": "Created (or the stored answer, replayed)",
        "headers": REPLAYED_HEADER_DOC,
    },
}


@router.get("")
def list_payments(
    session: DbSession,
    caller: Reader,
    page: Paging,
    customer: Annotated[
        str | None, Query(max_length=100, description="only this payer's (external id)")
    ] = None,
    currency: Annotated[
        str | None, Query(min_length=3, max_length=3, description="only in this ISO 4217 code")
    ] = None,
    unapplied: Annotated[
        bool | None,
        Query(description="true: only with cash left to allocate; false: only fully allocated"),
    ] = None,
    received_after: Annotated[date | None, Query(description="received on or after")] = None,
    received_before: Annotated[date | None, Query(description="received on or before")] = None,
    external_id: Annotated[str | None, Query(max_length=100)] = None,
    sort: Annotated[Sort, Query(description="field to sort by; - first: descending")] = (
        "-received_on"
    ),
) -> PageOut[PaymentOut]:
    """The payments of the caller's company, newest first by default, a page at a time."""
    where = PaymentFilter(
        customer, currency, unapplied, received_after, received_before, external_id
    )
    return PageOut.of(payments_page(session, caller.company_id, page, where, sort), PaymentOut)


@router.get("/{payment_id}", responses=error_responses(404))
def show_payment(session: DbSession, caller: Reader, payment_id: PaymentId) -> PaymentDetailOut:
    """One payment of the caller's company with its allocations."""
    return PaymentDetailOut.model_validate(payment_detail(session, caller.company_id, payment_id))


@router.post("", status_code=201, response_model=PaymentDetailOut, responses=MONEY_ANSWERS)
def record_payment(
    session: DbSession, caller: Worker, body: PaymentIn, once: Idempotent
) -> Response:
    """Record a payment received, optionally allocated at once (`allocations`, or
    `apply_to_oldest`); what no invoice takes stays unapplied."""
    company = session.get_one(Company, caller.company_id)

    def act() -> PaymentDetailOut:
        data = PaymentData(
            external_id=body.external_id or "",
            received_on=body.received_on,
            amount=body.amount,
            currency=body.currency or "",
            customer=body.customer,
            method=body.method,
            reference=body.reference,
            payer_name=body.payer_name,
        )
        shares = [manage.Share(each.invoice, each.amount) for each in body.allocations]
        payment = manage.record_api_payment(
            session, company, data, shares, body.apply_to_oldest, caller.user.id, utcnow()
        )
        _rerank(session, company, payment.id)
        return _detail(session, company.id, payment.id)

    return once.answer(session, company.id, act)


@router.post(
    "/{payment_id}/allocations",
    status_code=201,
    response_model=PaymentDetailOut,
    responses=MONEY_ANSWERS,
)
def allocate_payment(
    session: DbSession, caller: Worker, payment_id: PaymentId, body: AllocationsIn, once: Idempotent
) -> Response:
    """Allocate some of a payment's unapplied cash to invoices of its customer, in its
    currency: all the allocations or none. Answers the payment as it stands afterwards."""
    company = session.get_one(Company, caller.company_id)

    def act() -> PaymentDetailOut:
        on = body.applied_on or today_in(company.timezone)
        shares = [manage.Share(each.invoice, each.amount) for each in body.allocations]
        manage.allocate_payment(
            session, company.id, payment_id, shares, on, caller.user.id, utcnow()
        )
        _rerank(session, company, payment_id)
        return _detail(session, company.id, payment_id)

    return once.answer(session, company.id, act)


@router.delete("/{payment_id}/allocations/{allocation_id}", responses=error_responses(404))
def reverse_allocation(
    session: DbSession, caller: Worker, payment_id: PaymentId, allocation_id: AllocationId
) -> PaymentDetailOut:
    """Reverse an allocation (cash applied to the wrong invoice): the invoice is open again by
    its amount, the payment's cash unapplied again. Answers the payment afterwards."""
    manage.reverse_payment_allocation(
        session, caller.company_id, payment_id, allocation_id, caller.user.id, utcnow()
    )
    _rerank(session, session.get_one(Company, caller.company_id), payment_id)
    return _detail(session, caller.company_id, payment_id)


def _rerank(session: Session, company: Company, payment_id: int) -> None:
    """The payment's customer owes less (or more) now: its worklist rank follows at once."""
    customer_id = session.get_one(Payment, payment_id).customer_id
    if customer_id is not None:
        refresh_customers(session, company.id, today_in(company.timezone), [customer_id])


def _detail(session: Session, company_id: int, payment_id: int) -> PaymentDetailOut:
    return PaymentDetailOut.model_validate(payment_detail(session, company_id, payment_id))
