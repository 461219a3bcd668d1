"""Customer endpoints (mounted under /api by `cobro.app`): always the caller's company's
customers; another company's customer is a 404, never its data."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from cobro.customer.schemas import CustomerOut
from cobro.customer.service import customers_page, get_customer
from cobro.endpoint import CALLER_ERRORS, DbSession, Paging, Reader, error_responses
from cobro.kit.schemas import PageOut

router = APIRouter(prefix="/customers", tags=["customers"], responses=CALLER_ERRORS)

Sort = Literal[
    "external_id",
    "-external_id",
    "name",
    "-name",
    "country",
    "-country",
    "created_at",
    "-created_at",
]


@router.get("")
def list_customers(
    session: DbSession,
    caller: Reader,
    page: Paging,
    q: Annotated[
        str | None, Query(max_length=100, description="part of the name or external id")
    ] = None,
    sort: Annotated[Sort, Query(description="field to sort by; - first: descending")] = (
        "external_id"
    ),
) -> PageOut[CustomerOut]:
    """The customers of the caller's company, a page at a time."""
    return PageOut.of(customers_page(session, caller.company_id, page, q, sort), CustomerOut)


@router.get("/{external_id}", responses=error_responses(404))
def show_customer(session: DbSession, caller: Reader, external_id: str) -> CustomerOut:
    """One customer of the caller's company, by the id it has in the company's own systems."""
    return CustomerOut.model_validate(get_customer(session, caller.company_id, external_id))
