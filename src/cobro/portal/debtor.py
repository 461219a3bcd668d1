"""Who a portal request is for: its token resolved to one customer of one company, and the
queries every portal page shares, each scoped to that customer only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.endpoint import DbSession
from cobro.invoice.models import Invoice
from cobro.kit.dates import today_in, utcnow
from cobro.portal.links import PortalLinkRefused, read_portal_token
from cobro.web.errors import error_response, wants_json
from cobro.web.i18n import DEFAULT_LANGUAGE, LANGUAGES
from cobro.web.templates import render


@dataclass(frozen=True)
class Debtor:
    company: Company
    customer: Customer
    language: str
    today: date


def language_of(customer: Customer) -> str:
    primary = (customer.language or "").replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else DEFAULT_LANGUAGE


def debtor_of(request: Request, session: Session, token: str) -> Debtor:
    """The company and customer a link is for; PortalLinkRefused otherwise."""
    secret: str = request.app.state.secret_key
    company_id, customer_id = read_portal_token(secret, token, utcnow())
    company = session.get(Company, company_id)
    customer = session.get(Customer, customer_id)
    if company is None or customer is None or customer.company_id != company.id:
        raise PortalLinkRefused()
    return Debtor(company, customer, language_of(customer), today_in(company.timezone))


def portal_debtor(request: Request, session: DbSession, token: str) -> Debtor:
    """The debtor of the route's `{token}`; a refused link raises PortalLinkRefused, which
    `refused_handler` answers with the portal's own refusal page."""
    return debtor_of(request, session, token)


PortalDebtor = Annotated[Debtor, Depends(portal_debtor)]


def open_invoices(session: Session, debtor: Debtor) -> list[Invoice]:
    return list(
        session.scalars(
            select(Invoice)
            .where(
                Invoice.company_id == debtor.company.id,
                Invoice.customer_id == debtor.customer.id,
                Invoice.open_amount > 0,
            )
            .order_by(Invoice.due_date, Invoice.number)
        )
    )


def open_invoice(session: Session, debtor: Debtor, number: str) -> Invoice | None:
    """One of the debtor's open invoices by its number; None for any other."""
    return session.scalar(
        select(Invoice).where(
            Invoice.company_id == debtor.company.id,
            Invoice.customer_id == debtor.customer.id,
            Invoice.number == number,
            Invoice.open_amount > 0,
        )
    )


def refused(request: Request, error: PortalLinkRefused) -> HTMLResponse:
    return render(
        request, "portal/refused.html", error.status, DEFAULT_LANGUAGE, message=error.message
    )


async def refused_handler(request: Request, error: Exception) -> Response:
    """PortalLinkRefused, wherever raised: the portal's refusal page (one answer for a link
    tampered with, expired or another's), JSON under /api."""
    assert isinstance(error, PortalLinkRefused)
    if wants_json(request):
        return error_response(request, error)
    return refused(request, error)


def not_found(request: Request, debtor: Debtor) -> HTMLResponse:
    """A document or invoice that is not this debtor's (or no longer open): one answer."""
    return render(request, "portal/missing.html", 404, debtor.language)
