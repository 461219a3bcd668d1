"""The disputes pages: the company's disputes (filtered by status, owner, customer and
overdue), fifty a page, with a form to open one (invoices, whole or "NUMBER:AMOUNT", a reason,
why, files); one dispute with its invoices, evidence to download, a file to add and the form
that resolves it. Roles that may `work` see the forms. Everything goes through the services
the API uses (`cobro.dispute`), so the rules and the audit trail are one.

Each form carries the CSRF token; success redirects (post, redirect, get); a refusal answers
422 (409 for a conflict) with the page, the form as typed and the error by its field."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from cobro.audit.actor import Actor
from cobro.company.models import Company
from cobro.dispute import manage, rules, service
from cobro.dispute.endpoints import evidence_response
from cobro.dispute.models import DISPUTE_STATUSES
from cobro.dispute.queries import DisputeFilter, dispute_detail, disputes_page
from cobro.dispute.resolve import resolve_dispute
from cobro.endpoint import Caller, CurrentUser, DbSession, Worker
from cobro.errors import CobroError, Conflict, Invalid
from cobro.kit.dates import today_in, utcnow
from cobro.kit.pagination import MAX_OFFSET, PageRequest
from cobro.web.charges import money_of
from cobro.web.forms import form_errors, optional_day
from cobro.web.templates import language_of, render
from cobro.worklist.snapshot import refresh_customers

router = APIRouter(include_in_schema=False)

DisputeId = Annotated[int, Path(ge=1, le=MAX_OFFSET)]
EvidenceId = Annotated[int, Path(ge=1, le=MAX_OFFSET)]
Text = Annotated[str, Form(max_length=rules.MAX_DESCRIPTION + 100)]
Files = Annotated[list[UploadFile] | None, File()]
PAGE_SIZE = 50
OPEN_FIELDS = ("customer", "items", "reason", "description", "owner", "due_on", "evidence")
RESOLVE_FIELDS = ("outcome", "credits", "note")
Show = Literal["", "open", "credited", "partly_credited", "rejected", "withdrawn", "overdue"]


def _actor(caller: Caller) -> Actor:
    return Actor(id=caller.user.id, name=caller.user.email[:100])


def read_files(files: list[UploadFile] | None) -> list[service.EvidenceIn]:
    """The files a form sent; an empty file input sends a part with no name: not a file.
    One byte past the limit is read at most: enough for the rules to say it is too large."""
    return [
        service.EvidenceIn(file.filename or "", file.file.read(rules.MAX_FILE_BYTES + 1))
        for file in files or []
        if file.filename
    ]


@router.get("/disputes", response_class=HTMLResponse)
def disputes_list(
    request: Request,
    session: DbSession,
    caller: CurrentUser,
    show: Annotated[Show, Query()] = "open",
    owner: Annotated[str, Query(max_length=100)] = "",
    customer: Annotated[str, Query(max_length=100)] = "",
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> HTMLResponse:
    return _list(
        request, session, caller, {"show": show, "owner": owner, "customer": customer}, offset
    )


def _list(
    request: Request,
    session: Session,
    caller: Caller,
    filters: dict[str, str],
    offset: int = 0,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    company = session.get_one(Company, caller.company_id)
    today = today_in(company.timezone)
    show = filters.get("show", "")
    where = DisputeFilter(
        status=show if show in DISPUTE_STATUSES else None,
        customer=filters.get("customer") or None,
        owner=filters.get("owner") or None,
        overdue=True if show == "overdue" else None,
    )
    page = disputes_page(session, company.id, PageRequest(PAGE_SIZE, offset), today, where)
    language = language_of(request)
    query = urlencode({k: v for k, v in filters.items() if v})
    return render(
        request,
        "disputes/list.html",
        status_code=status_code,
        language=language,
        company=company,
        page=page,
        today=today,
        filters=filters,
        query=query,
        reasons=rules.REASONS,
        statuses=DISPUTE_STATUSES,
        money=money_of(language),
        errors=errors or {},
        values=values or {"reason": "price"},
        may_work=caller.can("work"),
    )


@router.post("/disputes", response_class=HTMLResponse)
def open_dispute(
    request: Request,
    session: DbSession,
    caller: Worker,
    customer: Text = "",
    items: Text = "",
    reason: Text = "",
    description: Text = "",
    owner: Text = "",
    due_on: Text = "",
    evidence: Files = None,
) -> Response:
    values = {
        "customer": customer,
        "items": items,
        "reason": reason,
        "description": description,
        "owner": owner,
        "due_on": due_on,
    }
    company = session.get_one(Company, caller.company_id)
    today = today_in(company.timezone)
    try:
        asked = [
            service.ItemIn(n, None if a is None else manage.written_amount(session, company, n, a))
            for n, a in manage.parse_pairs(items, "items")
        ]
        dispute = service.open_dispute(
            session,
            company,
            customer.strip(),
            asked,
            reason,
            description,
            today,
            "web",
            owner=owner or None,
            due_on=optional_day(due_on, "due_on"),
            by=_actor(caller),
            evidence=read_files(evidence),
        )
    except CobroError as error:
        session.rollback()
        status = 409 if isinstance(error, Conflict) else 422
        errors = form_errors(error, OPEN_FIELDS)
        return _list(request, session, caller, {"show": "open"}, 0, status, errors, values)
    # on hold: the customer's rank changes now, not at the next rebuild
    refresh_customers(session, company.id, today, [dispute.customer_id])
    return RedirectResponse(f"/disputes/{dispute.id}", 303)


@router.get("/disputes/{dispute_id}", response_class=HTMLResponse)
def dispute_page(
    request: Request, session: DbSession, caller: CurrentUser, dispute_id: DisputeId
) -> HTMLResponse:
    return _detail(request, session, caller, dispute_id)


def _detail(
    request: Request,
    session: Session,
    caller: Caller,
    dispute_id: int,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    company = session.get_one(Company, caller.company_id)
    row = dispute_detail(session, company.id, dispute_id, today_in(company.timezone))
    language = language_of(request)
    return render(
        request,
        "disputes/show.html",
        status_code=status_code,
        language=language,
        company=company,
        row=row,
        money=money_of(language),
        errors=errors or {},
        values=values or {"outcome": "credit"},
        may_work=caller.can("work"),
        room=len(row.evidence) < rules.MAX_FILES,
    )


@router.post("/disputes/{dispute_id}/resolve", response_class=HTMLResponse)
def resolve(
    request: Request,
    session: DbSession,
    caller: Worker,
    dispute_id: DisputeId,
    outcome: Text = "",
    credits: Text = "",
    note: Text = "",
) -> Response:
    company = session.get_one(Company, caller.company_id)
    today = today_in(company.timezone)
    service.get_dispute(session, company, dispute_id)  # another company's: a 404 first
    try:
        amounts: dict[str, int] = {}
        if outcome == "partial":
            for number, text in manage.parse_pairs(credits, "credits"):
                if text is None:
                    raise Invalid(f"{number}: write NUMBER:AMOUNT", field="credits")
                amounts[number] = manage.written_amount(session, company, number, text, "credits")
        dispute = resolve_dispute(
            session,
            company,
            dispute_id,
            outcome,
            today,
            credits=amounts or None,
            note=note,
            by=_actor(caller),
            now=utcnow(),
        )
    except CobroError as error:
        session.rollback()
        status = 409 if isinstance(error, Conflict) else 422
        values = {"outcome": outcome, "credits": credits, "note": note}
        errors = form_errors(error, RESOLVE_FIELDS)
        return _detail(request, session, caller, dispute_id, status, errors, values)
    refresh_customers(session, company.id, today, [dispute.customer_id])  # chased again
    return RedirectResponse(f"/disputes/{dispute_id}", 303)


@router.post("/disputes/{dispute_id}/evidence", response_class=HTMLResponse)
def add_evidence(
    request: Request,
    session: DbSession,
    caller: Worker,
    dispute_id: DisputeId,
    evidence: Files = None,
) -> Response:
    company = session.get_one(Company, caller.company_id)
    service.get_dispute(session, company, dispute_id)
    try:
        files = read_files(evidence)
        if not files:
            raise Invalid("choose a file", field="evidence")
        for file in files:
            service.add_evidence(
                session, company, dispute_id, file.filename, file.content, by=_actor(caller)
            )
    except CobroError as error:
        session.rollback()
        status = 409 if isinstance(error, Conflict) else 422
        errors = form_errors(error, ("evidence",))
        return _detail(request, session, caller, dispute_id, status, errors)
    return RedirectResponse(f"/disputes/{dispute_id}", 303)


@router.get("/disputes/{dispute_id}/evidence/{evidence_id}")
def download_evidence(
    session: DbSession, caller: CurrentUser, dispute_id: DisputeId, evidence_id: EvidenceId
) -> Response:
    company = session.get_one(Company, caller.company_id)
    row = service.get_evidence(session, company, dispute_id, evidence_id)
    return evidence_response(row.content, row.content_type, row.filename)
