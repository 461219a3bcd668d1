"""The debtor portal's payment plan: no sign-in, the token's customer only.

    GET  /portal/{token}/plan   the form: how many installments, how often, the first day
                                (a few days ahead by default), over all the open invoices
    POST /portal/{token}/plan   `step=preview` shows the schedule; `step=confirm` makes the
                                plan when it is inside the company's guardrails (source
                                "portal", approved by them: its holds stop the reminders while
                                it runs); outside them the page says why and nothing is saved

A bad link gets the portal's one refusal page (`portal.debtor`). The page speaks the
customer's language; the messages are English keys translated by the template."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from babel.dates import format_date
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from cobro.endpoint import DbSession
from cobro.errors import CobroError, Conflict, Invalid, NotFound
from cobro.kit.dates import utcnow
from cobro.notice.environment import format_money
from cobro.plan import service
from cobro.plan.rules import FREQUENCIES
from cobro.portal.debtor import Debtor, PortalDebtor, open_invoices
from cobro.web.templates import render

router = APIRouter(prefix="/portal", include_in_schema=False)

FIRST_DAYS = 7  # the first installment's day the form suggests, from today
MOST = 24  # installments the form offers

# what the debtor is told, by the field at fault (the service's own words are for staff)
MESSAGES = {
    "installments": "We cannot approve this plan online: it is longer, or its installments "
    "smaller, than the limits shown. Choose fewer installments, or call us.",
    "frequency": "Choose how often you will pay.",
    "first_on": "Choose a first payment day from today on.",
    "down_payment": "Choose fewer installments, or call us.",
    "invoices": "You have no invoices we can put in a plan online. Please call us.",
    "conflict": "Your invoices are already in a payment plan or under review. Please call us.",
}


def _page(
    request: Request,
    session: Session,
    token: str,
    debtor: Debtor,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    schedule: list[tuple[str, str]] | None = None,
    done: dict[str, str] | None = None,
) -> HTMLResponse:
    company, language = debtor.company, debtor.language
    invoices = open_invoices(session, debtor)
    first = debtor.today + timedelta(days=FIRST_DAYS)
    return render(
        request,
        "portal/plan.html",
        status_code,
        language,
        token=token,
        company=company,
        customer=debtor.customer,
        invoices=[(i.number, format_money(i.open_amount, i.currency, language)) for i in invoices],
        longest=company.plan_longest_months,
        smallest=format_money(company.plan_smallest_installment, company.currency, language),
        counts=range(1, MOST + 1),
        frequencies=FREQUENCIES,
        today=debtor.today.isoformat(),
        errors=errors or {},
        values=values
        or {"installments": "3", "frequency": "monthly", "first_on": first.isoformat()},
        schedule=schedule,
        done=done,
    )


@router.get("/{token}/plan", response_class=HTMLResponse)
def plan_form(request: Request, session: DbSession, debtor: PortalDebtor, token: str) -> Response:
    return _page(request, session, token, debtor)


@router.post("/{token}/plan", response_class=HTMLResponse)
def ask_for_plan(
    request: Request,
    session: DbSession,
    debtor: PortalDebtor,
    token: str,
    installments: Annotated[str, Form(max_length=10)] = "",
    frequency: Annotated[str, Form(max_length=20)] = "",
    first_on: Annotated[str, Form(max_length=100)] = "",
    step: Annotated[str, Form(max_length=20)] = "preview",
) -> Response:
    values = {"installments": installments, "frequency": frequency, "first_on": first_on}
    company, language = debtor.company, debtor.language
    try:
        ask = service.Ask(
            installments=_count(installments),
            frequency=frequency.strip(),
            first_on=_day(first_on),
        )
        external_id = debtor.customer.external_id
        if step != "confirm":
            proposal = service.propose(session, company, external_id, ask, debtor.today)
            service.check_approval(proposal.verdict, False, service.Actor())
            assert proposal.verdict.schedule is not None
            currency = proposal.currency
            shown = [
                (
                    format_date(part.due_on, "long", locale=language),
                    format_money(part.amount, currency, language),
                )
                for part in proposal.verdict.schedule.installments
            ]
            return _page(request, session, token, debtor, values=values, schedule=shown)
        plan = service.make_plan(
            session,
            company,
            external_id,
            ask,
            debtor.today,
            "portal",
            service.Actor(name="portal"),
            now=utcnow(),
        )
    except Conflict:
        errors = {"form": MESSAGES["conflict"]}
        return _page(request, session, token, debtor, 422, errors, values)
    except (Invalid, NotFound) as error:
        return _page(request, session, token, debtor, 422, _errors(error), values)
    done = {"total": format_money(plan.total, plan.currency, language)}
    return _page(request, session, token, debtor, done=done)


def _errors(error: CobroError) -> dict[str, str]:
    field = error.field if error.field in MESSAGES else "installments"
    return {field: MESSAGES[field]}


def _count(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise Invalid("not a number", field="installments") from None


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid("not a day", field="first_on") from None
