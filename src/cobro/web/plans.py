"""The payment plans pages: the company's plans (active by default, or of another status),
fifty a page, and one plan with its installments (paid, partly paid, due, missed). Roles that
may `work` propose a plan for a customer (a form: preview the schedule and the guardrails'
verdict, then create it) and cancel an active one; managers and admins may also approve one
past the guardrails. Everything goes through the same services as the JSON API
(`cobro.plan`), so the guardrails and the audit trail are one.

Each move is a form with the CSRF token: on success a redirect (post, redirect, get); a
refused plan answers 422 with the page, the form as typed and the error next to its field."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.service import get_customer
from cobro.endpoint import Caller, CurrentUser, DbSession, Worker
from cobro.errors import CobroError, Conflict, Invalid, NotFound
from cobro.kit.dates import today_in, utcnow
from cobro.kit.money import parse_amount
from cobro.kit.pagination import MAX_OFFSET, PageRequest
from cobro.notice.environment import format_money
from cobro.plan import coverage, queries, service
from cobro.plan.rules import FREQUENCIES
from cobro.web.forms import form_errors, optional_day
from cobro.web.templates import language_of, render
from cobro.worklist.snapshot import refresh_customers

router = APIRouter(include_in_schema=False)

Show = Literal["active", "completed", "broken", "cancelled", "replaced", "all"]
SHOWS: tuple[Show, ...] = ("active", "completed", "broken", "cancelled", "replaced", "all")
PlanId = Annotated[int, Path(ge=1, le=MAX_OFFSET)]
# lengths and values are checked by the services, so their errors land next to the fields
Text = Annotated[str, Form(max_length=500)]
PAGE_SIZE = 50
FIELDS = (
    "customer",
    "installments",
    "frequency",
    "first_on",
    "down_payment",
    "fee",
    "interest",
    "invoices",
    "note",
)


@dataclass(frozen=True)
class Typed:
    """The propose form as typed."""

    customer: str = ""
    installments: str = ""
    frequency: str = "monthly"
    first_on: str = ""
    down_payment: str = ""
    fee: str = ""
    interest: str = ""
    invoices: str = ""
    note: str = ""
    override: str = ""

    def values(self) -> dict[str, str]:
        return dict(vars(self))


def _typed(
    customer: Text = "",
    installments: Text = "",
    frequency: Text = "monthly",
    first_on: Text = "",
    down_payment: Text = "",
    fee: Text = "",
    interest: Text = "",
    invoices: Text = "",
    note: Text = "",
    override: Text = "",
) -> Typed:
    return Typed(
        customer,
        installments,
        frequency,
        first_on,
        down_payment,
        fee,
        interest,
        invoices,
        note,
        override,
    )


@router.get("/plans", response_class=HTMLResponse)
def plans_page(
    request: Request,
    session: DbSession,
    caller: CurrentUser,
    show: Annotated[Show, Query()] = "active",
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> HTMLResponse:
    return _page(request, session, caller, show, offset)


def _page(
    request: Request,
    session: Session,
    caller: Caller,
    show: Show = "active",
    offset: int = 0,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    typed: Typed | None = None,
    preview: dict[str, object] | None = None,
) -> HTMLResponse:
    company = session.get_one(Company, caller.company_id)
    language = language_of(request)
    page = queries.plans_page(
        session,
        company.id,
        PageRequest(PAGE_SIZE, offset),
        status=None if show == "all" else show,
    )
    rows = [
        {
            "row": row,
            "total": format_money(row.total, row.currency, language),
            "paid": format_money(row.paid, row.currency, language),
        }
        for row in page.items
    ]
    return render(
        request,
        "plans/list.html",
        status_code=status_code,
        language=language,
        company=company,
        smallest=format_money(company.plan_smallest_installment, company.currency, language),
        rows=rows,
        page=page,
        show=show,
        shows=SHOWS,
        frequencies=FREQUENCIES,
        today=today_in(company.timezone),
        errors=errors or {},
        values=(typed or Typed()).values(),
        preview=preview,
        may_work=caller.can("work"),
        may_override=caller.can("configure"),
    )


def _ask(session: Session, company: Company, typed: Typed) -> service.Ask:
    debtor = get_customer(session, company.id, typed.customer.strip())
    code = coverage.default_currency(session, company, debtor)
    first = optional_day(typed.first_on, "first_on")
    if first is None:
        raise Invalid("say when the first installment is due", field="first_on")
    try:
        count = int(typed.installments.strip())
    except ValueError:
        raise Invalid("say how many installments", field="installments") from None
    return service.Ask(
        installments=count,
        frequency=typed.frequency.strip(),
        first_on=first,
        down_payment=_minor(typed.down_payment, code, "down_payment"),
        fee=_minor(typed.fee, code, "fee"),
        interest_rate=_rate(typed.interest),
        invoices=[n.strip() for n in typed.invoices.split(",") if n.strip()],
        currency=code,
    )


def _minor(text: str, currency: str, field: str) -> int:
    if not text.strip():
        return 0
    try:
        return parse_amount(text, currency)
    except Invalid as error:
        raise Invalid(error.message, field=field) from None


def _rate(text: str) -> Decimal | None:
    if not text.strip():
        return None
    try:
        return Decimal(text.strip().rstrip("%").replace(",", "."))
    except InvalidOperation:
        raise Invalid("the interest rate is a number, % a year", field="interest") from None


def _refused(
    request: Request, session: Session, caller: Caller, error: CobroError, typed: Typed
) -> HTMLResponse:
    return _page(request, session, caller, "active", 0, 422, form_errors(error, FIELDS), typed)


@router.post("/plans/preview", response_class=HTMLResponse)
def preview_plan(
    request: Request,
    session: DbSession,
    caller: Worker,
    customer: Text = "",
    installments: Text = "",
    frequency: Text = "monthly",
    first_on: Text = "",
    down_payment: Text = "",
    fee: Text = "",
    interest: Text = "",
    invoices: Text = "",
    note: Text = "",
) -> Response:
    typed = _typed(
        customer, installments, frequency, first_on, down_payment, fee, interest, invoices, note
    )
    company = session.get_one(Company, caller.company_id)
    language = language_of(request)
    try:
        ask = _ask(session, company, typed)
        proposal = service.propose(
            session, company, typed.customer.strip(), ask, today_in(company.timezone)
        )
    except (Invalid, NotFound, Conflict) as error:
        return _refused(request, session, caller, error, typed)
    verdict, code = proposal.verdict, proposal.currency
    schedule = verdict.schedule
    preview: dict[str, object] = {
        "invoices": [invoice.number for invoice in proposal.invoices],
        "inside": verdict.inside,
        "possible": verdict.possible,
        "reasons": verdict.reasons,
        "total": None if schedule is None else format_money(schedule.total, code, language),
        "fee": None if schedule is None else format_money(schedule.fee, code, language),
        "installments": []
        if schedule is None
        else [
            (part.sequence, part.due_on, format_money(part.amount, code, language))
            for part in schedule.installments
        ],
    }
    return _page(request, session, caller, "active", 0, 200, None, typed, preview)


@router.post("/plans", response_class=HTMLResponse)
def create_plan(
    request: Request,
    session: DbSession,
    caller: Worker,
    customer: Text = "",
    installments: Text = "",
    frequency: Text = "monthly",
    first_on: Text = "",
    down_payment: Text = "",
    fee: Text = "",
    interest: Text = "",
    invoices: Text = "",
    note: Text = "",
    override: Text = "",
) -> Response:
    typed = _typed(
        customer,
        installments,
        frequency,
        first_on,
        down_payment,
        fee,
        interest,
        invoices,
        note,
        override,
    )
    company = session.get_one(Company, caller.company_id)
    today = today_in(company.timezone)
    actor = service.Actor(caller.user.id, caller.user.email, caller.can("configure"))
    try:
        plan = service.make_plan(
            session,
            company,
            typed.customer.strip(),
            _ask(session, company, typed),
            today,
            "web",
            actor,
            override=bool(typed.override),
            note=typed.note,
            now=utcnow(),
        )
    except (Invalid, NotFound, Conflict) as error:
        return _refused(request, session, caller, error, typed)
    # on hold: the customer drops to the worklist's end now, not at the next rebuild
    refresh_customers(session, company.id, today, [plan.customer_id])
    return RedirectResponse(f"/plans/{plan.id}", 303)


@router.get("/plans/{plan_id}", response_class=HTMLResponse)
def plan_page(
    request: Request, session: DbSession, caller: CurrentUser, plan_id: PlanId
) -> HTMLResponse:
    company = session.get_one(Company, caller.company_id)
    language = language_of(request)
    detail = queries.plan_detail(session, company.id, plan_id, today_in(company.timezone))
    code = detail.row.currency
    return render(
        request,
        "plans/detail.html",
        language=language,
        company=company,
        plan=detail.row,
        total=format_money(detail.row.total, code, language),
        paid=format_money(detail.row.paid, code, language),
        fee=format_money(detail.row.fee, code, language),
        replaced_by=detail.replaced_by,
        installments=[
            {
                "part": part,
                "amount": format_money(part.amount, code, language),
                "paid": format_money(part.paid, code, language),
            }
            for part in detail.installments
        ],
        may_work=caller.can("work"),
    )


@router.post("/plans/{plan_id}/cancel")
def cancel_plan(session: DbSession, caller: Worker, plan_id: PlanId) -> Response:
    company = session.get_one(Company, caller.company_id)
    today = today_in(company.timezone)
    actor = service.Actor(caller.user.id, caller.user.email)
    plan = service.cancel_plan(session, company, plan_id, today, actor, utcnow())
    refresh_customers(session, company.id, today, [plan.customer_id])  # ranked again
    return RedirectResponse(f"/plans/{plan_id}", 303)
