"""The legal page: the company's legal cases (with their stage, a form to move each to its
next stage or close it, and its case file as a ZIP) and agency placements (with recall and
the agency's export as CSV or JSON). Roles that may `work` also open a case and place a
customer with an agency (forms at the top), download case files and exports: both carry the
debtor's personal data. Every move goes through the same services as the JSON API
(`cobro.legal`), so the rules and the audit trail are one.

Each move is a form with the CSRF token: on success a redirect back (post, redirect, get); a
refused one answers 422 with the page, the form as typed and the error above it."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from cobro.audit.actor import Actor
from cobro.company.models import Company
from cobro.endpoint import Caller, CurrentUser, DbSession, Worker
from cobro.errors import CobroError, Conflict, Invalid, NotFound
from cobro.kit.dates import today_in, utcnow
from cobro.kit.pagination import MAX_LIMIT, MAX_OFFSET, PageRequest
from cobro.legal import cases, placements
from cobro.legal.agency_export import export_placement
from cobro.legal.casefile import case_file
from cobro.legal.rules import next_stages
from cobro.notice.environment import format_money
from cobro.web.templates import language_of, render
from cobro.worklist.snapshot import refresh_customers

router = APIRouter(include_in_schema=False)

CaseId = Annotated[int, Path(ge=1, le=MAX_OFFSET)]
PlacementId = Annotated[int, Path(ge=1, le=MAX_OFFSET)]
# lengths and values are checked by the services, so their errors land with the form
Text = Annotated[str, Form(max_length=500)]
LongText = Annotated[str, Form(max_length=20_000)]
PRIVATE = {"Cache-Control": "private, no-store"}
REFUSED = (Invalid, NotFound, Conflict)


def _by(caller: Caller) -> Actor:
    return Actor(id=caller.user.id, name=caller.user.email[:100])


@router.get("/legal", response_class=HTMLResponse)
def legal_page(request: Request, session: DbSession, caller: CurrentUser) -> HTMLResponse:
    return _page(request, session, caller)


def _page(
    request: Request,
    session: Session,
    caller: Caller,
    status_code: int = 200,
    problem: tuple[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    """`problem`: (the form refused: "case", "placement", "move-<id>" or "recall-<id>", why)."""
    company = session.get_one(Company, caller.company_id)
    found = cases.cases_page(session, company.id, PageRequest(MAX_LIMIT))
    placed = placements.placements_page(session, company.id, PageRequest(MAX_LIMIT))
    language = language_of(request)
    return render(
        request,
        "legal/list.html",
        status_code=status_code,
        company=company,
        today=today_in(company.timezone),
        cases=[{"row": row, "next": next_stages(row.stage)} for row in found.items],
        placements=placed.items,
        money=lambda amount, currency: format_money(amount, currency, language),
        problem=problem,
        values=values or {},
        may_work=caller.can("work"),
    )


def _refused(
    request: Request,
    session: Session,
    caller: Caller,
    form: str,
    error: CobroError,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    return _page(request, session, caller, 422, (form, error.message), values)


@router.post("/legal/cases", response_class=HTMLResponse)
def open_case(
    request: Request,
    session: DbSession,
    caller: Worker,
    customer: Text = "",
    court: Text = "",
    lawyer: Text = "",
    guarantees: LongText = "",
) -> Response:
    values = {"customer": customer, "court": court, "lawyer": lawyer, "guarantees": guarantees}
    company = session.get_one(Company, caller.company_id)
    details = cases.CaseIn(court=court, lawyer=lawyer, guarantees=guarantees)
    try:
        cases.open_case(
            session, company, customer.strip(), today_in(company.timezone), details, _by(caller)
        )
    except REFUSED as error:
        return _refused(request, session, caller, "case", error, values)
    return RedirectResponse("/legal", 303)


@router.post("/legal/cases/{case_id}/move", response_class=HTMLResponse)
def move_case(
    request: Request,
    session: DbSession,
    caller: Worker,
    case_id: CaseId,
    stage: Text = "",
    note: Text = "",
) -> Response:
    company = session.get_one(Company, caller.company_id)
    on = today_in(company.timezone)
    cases.get_case(session, company, case_id)  # another company's case: a 404, not a form error
    try:
        cases.move_case(session, company, case_id, stage, on, note or None, _by(caller), utcnow())
    except (Invalid, Conflict) as error:
        return _refused(request, session, caller, f"move-{case_id}", error)
    return RedirectResponse("/legal", 303)


@router.get("/legal/cases/{case_id}/file")
def download_case_file(session: DbSession, caller: Worker, case_id: CaseId) -> Response:
    company = session.get_one(Company, caller.company_id)
    data = case_file(session, company, case_id, today_in(company.timezone))
    headers = {"Content-Disposition": f'attachment; filename="case-{case_id}.zip"', **PRIVATE}
    return Response(data, media_type="application/zip", headers=headers)


@router.post("/legal/placements", response_class=HTMLResponse)
def place(
    request: Request,
    session: DbSession,
    caller: Worker,
    customer: Text = "",
    agency: Text = "",
    invoices: Text = "",
    commission: Text = "",
    reference: Text = "",
) -> Response:
    values = {"customer": customer, "agency": agency, "invoices": invoices,
              "commission": commission, "reference": reference}  # fmt: skip
    company = session.get_one(Company, caller.company_id)
    today = today_in(company.timezone)
    numbers = [n for n in invoices.replace(",", " ").split() if n]
    try:
        placement = placements.place(session, company, customer.strip(), agency, today, numbers,
                                     reference, commission, by=_by(caller))  # fmt: skip
    except REFUSED as error:
        return _refused(request, session, caller, "placement", error, values)
    # held: the customer drops down the worklist now, not at the next rebuild
    refresh_customers(session, company.id, today, [placement.customer_id])
    return RedirectResponse("/legal", 303)


@router.post("/legal/placements/{placement_id}/recall", response_class=HTMLResponse)
def recall(
    request: Request, session: DbSession, caller: Worker, placement_id: PlacementId
) -> Response:
    company = session.get_one(Company, caller.company_id)
    today = today_in(company.timezone)
    placements.get_placement(session, company, placement_id)  # another company's: a 404
    try:
        placement = placements.recall(session, company, placement_id, today, _by(caller))
    except (Invalid, Conflict) as error:
        return _refused(request, session, caller, f"recall-{placement_id}", error)
    refresh_customers(session, company.id, today, [placement.customer_id])
    return RedirectResponse("/legal", 303)


@router.get("/legal/placements/{placement_id}/export")
def export(
    session: DbSession,
    caller: Worker,
    placement_id: PlacementId,
    format: Annotated[Literal["csv", "json"], Query()] = "csv",
) -> Response:
    company = session.get_one(Company, caller.company_id)
    text = export_placement(session, company, placement_id, format, today_in(company.timezone))
    media = "text/csv; charset=utf-8" if format == "csv" else "application/json"
    name = f"placement-{placement_id}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', **PRIVATE}
    return Response(text, media_type=media, headers=headers)
