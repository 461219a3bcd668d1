"""The interest and fees page: the company's charges (those not waived, or all), newest first,
fifty a page, optionally of one customer; each with how it was computed. Roles that may
`configure` (managers, admins) also change the company's charge settings (a form at the top:
whose law, claim or charge, an agreed rate) and waive a charge with a reason (a form on each
one not waived). Both go through the same services as the JSON API (`cobro.charge.manage`,
`cobro.charge.debit`), so the rules and the audit trail are one.

Each move is a form with the CSRF token: on success a redirect back to the list it came from
(post, redirect, get); a refused one answers 422 with the page, the form as typed and the error
(next to its field for the settings, above the list naming the charge for a waiver). Another
company's charge is a 404, as in the API."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from babel.dates import format_date
from babel.numbers import format_decimal
from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from cobro.charge import debit, manage
from cobro.charge.manage import ChargeRow
from cobro.company.models import CHARGE_MODES, Company
from cobro.endpoint import Caller, CurrentUser, DbSession, require
from cobro.errors import Conflict, Invalid
from cobro.interest.law import JURISDICTIONS
from cobro.kit.dates import today_in, utcnow
from cobro.kit.pagination import MAX_OFFSET, PageRequest
from cobro.notice.environment import format_money
from cobro.web.forms import form_errors
from cobro.web.i18n import translator
from cobro.web.templates import language_of, render

router = APIRouter(include_in_schema=False)

Configurer = Annotated[Caller, require("configure")]
Show = Literal["open", "all"]
ChargeId = Annotated[int, Path(ge=1, le=MAX_OFFSET)]
Back = Annotated[str | None, Form(max_length=20)]
Filter = Annotated[str, Form(max_length=100)]
# lengths and values are checked by the services, so their errors land next to the fields
Text = Annotated[str, Form(max_length=500)]
PAGE_SIZE = 50
FIELDS = ("jurisdiction", "mode", "contract_rate")


def computation(row: ChargeRow, language: str) -> str:
    """How the charge was computed, in a line in the user's language: each stretch of interest
    (its days, rate and base), or the fee's rule as recorded."""
    stretches = row.detail.get("stretches")
    if not stretches:
        return str(row.detail.get("text") or "")
    _ = translator(language)
    parts = []
    for part in stretches:
        first, last = date.fromisoformat(part["first"]), date.fromisoformat(part["last"])
        rate = format_decimal(Decimal(part["rate"]), format="0.00##", locale=language)
        base = format_money(int(part.get("base", 0)), row.currency, language)
        parts.append(
            f"{format_date(first, locale=language)} – {format_date(last, locale=language)}: "
            f"{part['days']} {_('days')}, {rate} % {_('a year')} {_('on')} {base}"
        )
    return "; ".join(parts)


def charge_items(rows: Sequence[ChargeRow], language: str) -> list[dict[str, Any]]:
    """The rows as the templates show them: each with its computation."""
    return [{"row": row, "computation": computation(row, language)} for row in rows]


def money_of(language: str) -> Any:
    def money(amount: int, currency: str) -> str:
        return format_money(amount, currency, language)

    return money


def _query(customer: str, show: str | None) -> str:
    """The list's query string (customer filter, tab), without the offset."""
    pairs = {"customer": customer} if customer else {}
    if show == "all":
        pairs["show"] = "all"
    return urlencode(pairs)


def _back_to(customer: str, show: str | None) -> Response:
    """Back to the list the form was on (post, redirect, get)."""
    query = _query(customer, show)
    return RedirectResponse("/charges" + (f"?{query}" if query else ""), 303)


@router.get("/charges", response_class=HTMLResponse)
def charges_page(
    request: Request,
    session: DbSession,
    caller: CurrentUser,
    show: Annotated[Show, Query()] = "open",
    customer: Annotated[str, Query(max_length=100)] = "",
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> HTMLResponse:
    return _page(request, session, caller, (customer.strip(), show), offset)


def _page(
    request: Request,
    session: Session,
    caller: Caller,
    where: tuple[str, Show],
    offset: int = 0,
    status_code: int = 200,
    problems: dict[str, Any] | None = None,
) -> HTMLResponse:
    """The page; `problems`: errors (field -> message), values (the settings form as typed),
    waive_id and reason (the waiver refused)."""
    customer, show = where
    company = session.get_one(Company, caller.company_id)
    page = manage.charges_page(
        session,
        company.id,
        PageRequest(PAGE_SIZE, offset),
        customer=customer or None,
        waived=False if show == "open" else None,
    )
    problems = problems or {}
    language = language_of(request)
    query = _query(customer, show)
    return render(
        request,
        "charges/list.html",
        status_code=status_code,
        language=language,
        company=company,
        rows=charge_items(page.items, language),
        page=page,
        show=show,
        customer=customer,
        query=query,
        money=money_of(language),
        today=today_in(company.timezone),
        jurisdictions=JURISDICTIONS,
        modes=CHARGE_MODES,
        settings=manage.settings_of(company),
        errors=problems.get("errors", {}),
        values=problems.get("values") or _as_typed(manage.settings_of(company)),
        waive_id=problems.get("waive_id"),
        reason=problems.get("reason", ""),
        may_configure=caller.can("configure"),
    )


def _as_typed(settings: dict[str, str | None]) -> dict[str, str]:
    return {name: value or "" for name, value in settings.items()}


@router.post("/charges/settings", response_class=HTMLResponse)
def change_settings(
    request: Request,
    session: DbSession,
    caller: Configurer,
    jurisdiction: Text = "",
    mode: Text = "",
    contract_rate: Text = "",
    customer: Filter = "",
    back: Back = None,
) -> Response:
    values = {"jurisdiction": jurisdiction, "mode": mode, "contract_rate": contract_rate}
    company = session.get_one(Company, caller.company_id)
    changes = {name: value.strip() for name, value in values.items()}
    try:
        manage.update_settings(session, company, changes, caller.user.id, utcnow())
    except Invalid as error:
        session.rollback()  # nothing half-changed: a good field before the bad one stays too
        problems = {"errors": form_errors(error, FIELDS), "values": values}
        where = (customer.strip(), _show(back))
        return _page(request, session, caller, where, 0, 422, problems)
    return _back_to(customer.strip(), back)


def _show(back: str | None) -> Show:
    return "all" if back == "all" else "open"


@router.post("/charges/{charge_id}/waive", response_class=HTMLResponse)
def waive_charge(
    request: Request,
    session: DbSession,
    caller: Configurer,
    charge_id: ChargeId,
    reason: Text = "",
    customer: Filter = "",
    back: Back = None,
) -> Response:
    """Waive a charge with a reason; another company's (or no) charge is a 404."""
    company = session.get_one(Company, caller.company_id)
    by = (caller.user.id, caller.user.email)
    on = today_in(company.timezone)
    try:
        debit.waive(session, company, charge_id, reason, by, utcnow(), on)
    except (Invalid, Conflict) as error:
        session.rollback()
        problems = {"errors": {"waive": error.message}, "waive_id": charge_id, "reason": reason}
        where = (customer.strip(), _show(back))
        return _page(request, session, caller, where, 0, 422, problems)
    return _back_to(customer.strip(), back)
