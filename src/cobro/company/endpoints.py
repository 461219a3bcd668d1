"""Company endpoints (mounted under /api by `cobro.app`)."""

from __future__ import annotations

from fastapi import APIRouter

from cobro.company.schemas import CompanyPage
from cobro.company.service import companies_page
from cobro.endpoint import DbSession, Paging

router = APIRouter(prefix="/companies", tags=["companies"])


@router.get("")
def list_companies(session: DbSession, page: Paging) -> CompanyPage:
    """Companies, by code.

    TODO(issue 4): only the companies the signed-in user belongs to, once the auth domain
    lands (today every company in the database is listed: there are no users yet)."""
    return CompanyPage.of(companies_page(session, page))
