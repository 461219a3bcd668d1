"""The HTML pages. TODO(issue 4): sign-in, then the dashboard, worklist and customer pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cobro.company.service import list_companies
from cobro.endpoint import DbSession
from cobro.web.templates import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: DbSession) -> HTMLResponse:
    # TODO(issue 4): only the signed-in user's companies; until then, names and codes only
    companies = [(company.code, company.name) for company in list_companies(session)]
    return render(request, "home.html", companies=companies)
