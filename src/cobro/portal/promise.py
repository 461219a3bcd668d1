"""The debtor portal's promise to pay: no sign-in, the token's customer only.

    GET  /portal/{token}/promise   the form: an amount, a day (up to the company's longest
                                   promise), optionally which open invoices
    POST /portal/{token}/promise   within the company's guardrails the promise is approved at
                                   once (source "portal": its holds stop the reminders until
                                   the day plus the grace days); outside them the page says
                                   why and nothing is saved

A bad link gets the portal's one refusal page (`portal.debtor`). The page speaks the
customer's language; the messages are English keys translated by the template."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from babel.dates import format_date
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from cobro.audit.actor import Actor
from cobro.endpoint import DbSession
from cobro.errors import Conflict, Invalid, NotFound
from cobro.invoice.covered import default_currency
from cobro.kit.dates import utcnow
from cobro.kit.money import parse_amount
from cobro.notice.environment import format_money
from cobro.portal.debtor import Debtor, PortalDebtor, open_invoices
from cobro.promise import service
from cobro.web.templates import render

router = APIRouter(prefix="/portal", include_in_schema=False)

# what the debtor is told, by the field at fault (the service's own words are for staff)
MESSAGES = {
    "amount": "Enter an amount above zero, no more than what you owe.",
    "due_on": "Choose a day from today up to the last day shown.",
    "invoices": "Choose among your open invoices.",
    "conflict": "You already have a promise running for these invoices.",
}


def _page(
    request: Request,
    session: Session,
    token: str,
    debtor: Debtor,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, object] | None = None,
    done: dict[str, str] | None = None,
) -> HTMLResponse:
    invoices = open_invoices(session, debtor)
    latest = debtor.today + timedelta(days=debtor.company.promise_longest_days)
    return render(
        request,
        "portal/promise.html",
        status_code,
        debtor.language,
        token=token,
        company=debtor.company,
        customer=debtor.customer,
        invoices=[
            (i.number, format_money(i.open_amount, i.currency, debtor.language)) for i in invoices
        ],
        today=debtor.today.isoformat(),
        latest=latest.isoformat(),
        latest_text=format_date(latest, "long", locale=debtor.language),
        errors=errors or {},
        values=values or {"amount": "", "due_on": "", "invoices": []},
        done=done,
    )


@router.get("/{token}/promise", response_class=HTMLResponse)
def promise_form(
    request: Request, session: DbSession, debtor: PortalDebtor, token: str
) -> Response:
    return _page(request, session, token, debtor)


@router.post("/{token}/promise", response_class=HTMLResponse)
def promise_to_pay(
    request: Request,
    session: DbSession,
    debtor: PortalDebtor,
    token: str,
    amount: Annotated[str, Form(max_length=100)] = "",
    due_on: Annotated[str, Form(max_length=100)] = "",
    invoices: Annotated[list[str] | None, Form(max_length=200)] = None,
) -> Response:
    chosen = [number for number in invoices or [] if number]
    values: dict[str, object] = {"amount": amount, "due_on": due_on, "invoices": chosen}
    currency = default_currency(session, debtor.company, debtor.customer)
    try:
        promise = service.make_promise(
            session,
            debtor.company,
            debtor.customer.external_id,
            _amount(amount, currency),
            currency,
            _day(due_on),
            debtor.today,
            "portal",
            chosen,
            created_by=Actor(name="portal"),
            now=utcnow(),
        )
    except Conflict:
        errors = {"form": MESSAGES["conflict"]}
        return _page(request, session, token, debtor, 422, errors, values)
    except (Invalid, NotFound) as error:
        field = error.field if error.field in MESSAGES else "amount"
        return _page(request, session, token, debtor, 422, {field: MESSAGES[field]}, values)
    done = {
        "amount": format_money(promise.amount, promise.currency, debtor.language),
        "day": format_date(promise.due_on, "long", locale=debtor.language),
    }
    return _page(request, session, token, debtor, done=done)


def _amount(text: str, currency: str) -> int:
    try:
        return parse_amount(text, currency)
    except Invalid:
        raise Invalid("not an amount", field="amount") from None


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid("not a day", field="due_on") from None
