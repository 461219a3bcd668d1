"""The customer page's "Portal link" button: a collector makes a customer's signed portal link
to send by hand (a phone call, a chat), shown once with when it expires. The same as
`POST /api/customers/{external_id}/portal-link`, and audited the same way."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from cobro.company.models import Company
from cobro.endpoint import DbSession, Worker
from cobro.portal.endpoints import make_link
from cobro.portal.links import DEFAULT_DAYS
from cobro.web.templates import render

router = APIRouter(include_in_schema=False)


@router.post("/customers/{external_id}/portal-link", response_class=HTMLResponse)
def portal_link_page(
    request: Request,
    session: DbSession,
    caller: Worker,
    external_id: str,
    days: Annotated[int, Form(ge=1, le=366)] = DEFAULT_DAYS,
) -> HTMLResponse:
    link = make_link(request, session, caller, external_id, days, source="web")
    company = session.get_one(Company, caller.company_id)
    expires = link.expires_at.astimezone(ZoneInfo(company.timezone))
    return render(
        request,
        "portal/link_made.html",
        external_id=external_id,
        url=link.url,
        expires=expires.strftime("%Y-%m-%d %H:%M"),
    )
