"""Company endpoints (mounted under /api by `cobro.app`)."""

from __future__ import annotations

from fastapi import APIRouter

from cobro.company.schemas import CompanyOut
from cobro.company.service import companies_page
from cobro.endpoint import CALLER_ERRORS, DbSession, Paging, Reader
from cobro.kit.schemas import PageOut

router = APIRouter(prefix="/companies", tags=["companies"], responses=CALLER_ERRORS)


@router.get("")
def list_companies(session: DbSession, caller: Reader, page: Paging) -> PageOut[CompanyOut]:
    """The companies the caller belongs to, by code: every company of a signed-in user; an
    API token's own company only."""
    return PageOut.of(companies_page(session, page, caller.company_ids(session)), CompanyOut)
