"""The cycle page: run the company's cycle for a day as a dry run (roles that may `work`:
nothing is written) or for real (admins and managers, after ticking the confirmation), and
see the report: per stage and channel what is (or would be) queued, with amounts and the
first items; a real run links to the outbox. The run itself: `cobro.cycle.endpoints.run_for`
(its own transaction, the cycle's concurrency rules)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from cobro.company.models import Company
from cobro.cycle.endpoints import run_for
from cobro.cycle.outcome import CycleOutcome
from cobro.endpoint import Caller, DbSession, Reader, Worker
from cobro.errors import Conflict, Invalid
from cobro.kit.dates import parse_date, today_in
from cobro.notice.environment import format_money
from cobro.web.templates import language_of, render

router = APIRouter(include_in_schema=False)


@router.get("/cycle", response_class=HTMLResponse)
def cycle_page(request: Request, session: DbSession, caller: Reader) -> HTMLResponse:
    return _page(request, session, caller)


@router.post("/cycle/run", response_class=HTMLResponse)
def run_cycle_page(
    request: Request,
    session: DbSession,
    caller: Worker,
    mode: Annotated[str, Form(max_length=10)] = "dry",
    on: Annotated[str, Form(max_length=20)] = "",
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> HTMLResponse:
    dry_run = mode != "real"
    try:
        day = _day(on)
        if not dry_run and confirm != "yes":
            raise Invalid("tick the box to confirm a real run", field="confirm")
        outcome = run_for(request, session, caller, dry_run, day)
    except (Invalid, Conflict) as exc:
        return _page(request, session, caller, on=on, errors={exc.field or "on": exc.message})
    return _page(request, session, caller, on=on, outcome=outcome)


def _day(text: str) -> date | None:
    if not text.strip():
        return None
    try:
        return parse_date(text)
    except Invalid as exc:
        raise Invalid(exc.message, field="on") from None


def _page(
    request: Request,
    session: DbSession,
    caller: Caller,
    on: str = "",
    outcome: CycleOutcome | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    company = session.get_one(Company, caller.company_id)
    language = language_of(request)
    return render(
        request,
        "cycle/run.html",
        status_code=422 if errors else 200,
        language=language,
        company=company,
        today=today_in(company.timezone),
        on=on,
        outcome=outcome,
        errors=errors or {},
        may_work=caller.can("work"),
        may_configure=caller.can("configure"),
        money=lambda amount, currency: format_money(amount, currency, language),
    )
