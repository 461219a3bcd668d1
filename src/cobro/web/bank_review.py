"""The review queue of cash application (/bank/review, oldest first) and one line with its
candidates and what a person may do with it (/bank/lines/N: accept a candidate, split the money
over invoices, reassign it to a customer, ignore it), through `cobro.banking.review`, as the API
and the CLI do. Anyone signed in reads; acting needs `work`. Each action is a form with the
CSRF token: on success a redirect back to the queue naming the line dealt with; a refusal
answers 422 (409 when the line was dealt with meanwhile) with the line, the form as typed and
the error. Another company's line is a 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from cobro.banking import review
from cobro.banking.models import StatementLine
from cobro.banking.rules import parse_share
from cobro.company.models import Company
from cobro.endpoint import Caller, CurrentUser, DbSession, require
from cobro.errors import CobroError, Conflict, Invalid, NotFound
from cobro.kit.dates import utcnow
from cobro.kit.pagination import MAX_OFFSET, PageRequest
from cobro.payment.queries import payment_detail
from cobro.web.charges import money_of
from cobro.web.templates import language_of, render

router = APIRouter(include_in_schema=False)

Worker = Annotated[Caller, require("work")]
LineId = Annotated[int, Path(ge=1, le=MAX_OFFSET)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
Count = Annotated[int | None, Query(ge=0, le=MAX_OFFSET)]
Text = Annotated[str, Form(max_length=500)]
PAGE_SIZE = 50


@router.get("/bank/review", response_class=HTMLResponse)
def review_page(
    request: Request,
    session: DbSession,
    caller: CurrentUser,
    offset: Offset = 0,
    done: Count = None,
) -> HTMLResponse:
    company = session.get_one(Company, caller.company_id)
    page = review.review_queue(session, company, PageRequest(PAGE_SIZE, offset))
    handled = None
    if done:
        try:
            handled = review.get_line(session, company, done)
        except NotFound:
            handled = None  # not this company's: nothing to say
    language = language_of(request)
    return render(
        request,
        "bank/review.html",
        language=language,
        page=page,
        handled=handled,
        money=money_of(language),
    )


@router.get("/bank/lines/{line_id}", response_class=HTMLResponse)
def line_page(
    request: Request, session: DbSession, caller: CurrentUser, line_id: LineId
) -> HTMLResponse:
    return _line(request, session, caller, line_id)


def _line(
    request: Request,
    session: Session,
    caller: Caller,
    line_id: int,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    """One line; `errors`: the refused form's message (accept, split, reassign, ignore),
    `values`: its fields as typed."""
    company = session.get_one(Company, caller.company_id)
    line = review.get_line(session, company, line_id)  # another company's: a 404
    payment = payment_detail(session, company.id, line.payment_id) if line.payment_id else None
    language = language_of(request)
    return render(
        request,
        "bank/line.html",
        status_code=status_code,
        language=language,
        line=line,
        payment=payment,
        open=line.state in review.QUEUE_STATES,
        may_work=caller.can("work"),
        money=money_of(language),
        errors=errors or {},
        values=values or {},
    )


def _act(
    request: Request,
    session: Session,
    caller: Caller,
    line_id: int,
    form: str,
    values: dict[str, str],
    move: Callable[[Company, StatementLine, review.By], object],
) -> Response:
    """Do `move` on the line, then back to the queue; a refusal shows the line again."""
    company = session.get_one(Company, caller.company_id)
    line = review.get_line(session, company, line_id)  # another company's: a 404
    try:
        move(company, line, (caller.user.id, caller.user.email))
    except CobroError as error:
        session.rollback()
        status = 409 if isinstance(error, Conflict) else 422
        return _line(request, session, caller, line_id, status, {form: error.message}, values)
    return RedirectResponse(f"/bank/review?done={line_id}", 303)


@router.post("/bank/lines/{line_id}/accept", response_class=HTMLResponse)
def accept_line(
    request: Request,
    session: DbSession,
    caller: Worker,
    line_id: LineId,
    candidate: Annotated[int, Form(ge=0, le=100)] = 0,
) -> Response:
    def move(company: Company, line: StatementLine, by: review.By) -> object:
        return review.accept(session, company, line.id, candidate, by, utcnow())

    return _act(request, session, caller, line_id, "accept", {}, move)


@router.post("/bank/lines/{line_id}/split", response_class=HTMLResponse)
def split_line(
    request: Request,
    session: DbSession,
    caller: Worker,
    line_id: LineId,
    customer: Text = "",
    shares: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """`shares`: one "invoice=amount" a line (the amount as people write it)."""

    def move(company: Company, line: StatementLine, by: review.By) -> object:
        if not customer.strip():
            raise Invalid("name the customer (their id)", field="customer")
        parsed = parse_shares(shares, line.currency)
        return review.split(session, company, line.id, customer.strip(), parsed, by, utcnow())

    values = {"customer": customer, "shares": shares}
    return _act(request, session, caller, line_id, "split", values, move)


def parse_shares(text: str, currency: str) -> list[tuple[str, int]]:
    """One "invoice=amount" a line → [("F-1", 12050), …]; an error names the line at fault."""
    shares = []
    for number, row in enumerate(text.splitlines(), start=1):
        if not row.strip():
            continue
        try:
            shares.append(parse_share(row, currency))
        except Invalid as error:
            raise Invalid(f"line {number}: {error.message}", field="shares") from None
    if not shares:
        raise Invalid("give at least one invoice=amount line", field="shares")
    return shares


@router.post("/bank/lines/{line_id}/reassign", response_class=HTMLResponse)
def reassign_line(
    request: Request, session: DbSession, caller: Worker, line_id: LineId, customer: Text = ""
) -> Response:
    def move(company: Company, line: StatementLine, by: review.By) -> object:
        if not customer.strip():
            raise Invalid("name the customer (their id)", field="customer")
        return review.reassign(session, company, line.id, customer.strip(), by, utcnow())

    return _act(request, session, caller, line_id, "reassign", {"customer": customer}, move)


@router.post("/bank/lines/{line_id}/ignore", response_class=HTMLResponse)
def ignore_line(
    request: Request, session: DbSession, caller: Worker, line_id: LineId, reason: Text = ""
) -> Response:
    def move(company: Company, line: StatementLine, by: review.By) -> object:
        return review.ignore(session, company, line.id, reason, by, utcnow())

    return _act(request, session, caller, line_id, "ignore", {"reason": reason}, move)
