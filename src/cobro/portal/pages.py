"""The debtor portal's pages: no sign-in; every request resolves its token to one customer of
one company, and every query is that customer's only.

    GET  /portal/{token}        open items, totals net of unapplied cash, how to pay (bank
                                details, RF references, EPC QR codes, "Pay online" when a
                                provider is configured; with a direct-debit mandate, that the
                                invoices are collected from the account, so no transfer is
                                needed), documents to download
    POST /portal/{token}/paid   "I've paid": a paid_claim hold that expires, and an audit event

Downloads are in `documents`, contact preferences in `preferences`; their routes are mounted
on this router. A bad link (tampered, expired, malformed, or naming a customer that is gone)
gets one friendly 403 page, whatever was wrong. Pages speak the customer's language (en/es,
else English)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel.dates import format_date
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.banking.mandates import active_mandate
from cobro.endpoint import DbSession
from cobro.invoice.models import Invoice
from cobro.invoice.rules import days_past_due
from cobro.kit.dates import plus_days, utcnow
from cobro.notice.environment import format_money
from cobro.notice.service import unapplied_cash
from cobro.policy.holds import place_hold
from cobro.portal import documents, preferences
from cobro.portal.debtor import Debtor, PortalDebtor, open_invoices
from cobro.portal.providers import configured, offers
from cobro.web.templates import render

router = APIRouter(prefix="/portal", include_in_schema=False)
router.include_router(documents.router)
router.include_router(preferences.router)

CLAIM_DAYS = 10  # an "I've paid" claim holds the chasing this long, then it resumes
MAX_REFERENCE = 100


@dataclass(frozen=True)
class Row:
    number: str
    due_date: str
    open_amount: str
    days_overdue: int
    payment_reference: str
    pdf_url: str
    qr_url: str | None  # None: no EPC code for it (not in euro, no IBAN on file)
    pay_url: str | None  # None: no payment provider configured


@dataclass(frozen=True)
class Total:
    currency: str
    open_amount: str
    unapplied: str | None
    to_pay: str


def _rows(invoices: list[Invoice], debtor: Debtor, token: str, pay: str | None) -> list[Row]:
    providers = configured(pay)
    rows = []
    for invoice in invoices:
        offered = offers(providers, documents.payable_of(debtor, invoice))
        qr = any(offer.qr_payload for offer in offered)
        online = next((offer.url for offer in offered if offer.url), None)
        rows.append(_row(invoice, debtor, token, qr, online))
    return rows


def _row(invoice: Invoice, debtor: Debtor, token: str, qr: bool, online: str | None) -> Row:
    return Row(
        number=invoice.number,
        due_date=format_date(invoice.due_date, "medium", locale=debtor.language),
        open_amount=format_money(invoice.open_amount, invoice.currency, debtor.language),
        days_overdue=max(0, days_past_due(invoice.due_date, debtor.today)),
        payment_reference=invoice.payment_reference,
        pdf_url=f"/portal/{token}/pdf/{quote(invoice.number, safe='')}",
        qr_url=f"/portal/{token}/qr/{quote(invoice.number, safe='')}" if qr else None,
        pay_url=online,
    )


@dataclass(frozen=True)
class Letter:
    url: str
    name: str
    sent_on: str


def _local_day(at: datetime, debtor: Debtor) -> date:
    return at.astimezone(ZoneInfo(debtor.company.timezone)).date()


def _letters(session: Session, debtor: Debtor, token: str) -> list[Letter]:
    return [
        Letter(
            url=f"/portal/{token}/documents/{document.id}",
            name=document.name,
            sent_on=format_date(_local_day(document.created_at, debtor), "medium", debtor.language),
        )
        for document in documents.sent_documents(session, debtor)
    ]


def _totals(session: Session, invoices: list[Invoice], debtor: Debtor) -> list[Total]:
    owed: dict[str, int] = {}
    for invoice in invoices:
        owed[invoice.currency] = owed.get(invoice.currency, 0) + invoice.open_amount
    cash = unapplied_cash(session, debtor.customer.id, debtor.today)
    totals = []
    for currency in sorted(owed):
        unapplied = min(cash.get(currency, 0), owed[currency])
        totals.append(
            Total(
                currency=currency,
                open_amount=format_money(owed[currency], currency, debtor.language),
                unapplied=format_money(unapplied, currency, debtor.language) if unapplied else None,
                to_pay=format_money(owed[currency] - unapplied, currency, debtor.language),
            )
        )
    return totals


def _page(
    request: Request,
    session: Session,
    token: str,
    debtor: Debtor,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, object] | None = None,
) -> HTMLResponse:
    invoices = open_invoices(session, debtor)
    pay = request.app.state.settings.payment_link
    return render(
        request,
        "portal/home.html",
        status_code,
        debtor.language,
        token=token,
        company=debtor.company,
        customer=debtor.customer,
        rows=_rows(invoices, debtor, token, pay),
        mandate=active_mandate(session, debtor.customer.id),
        letters=_letters(session, debtor, token),
        totals=_totals(session, invoices, debtor),
        today=debtor.today.isoformat(),
        errors=errors or {},
        values=values or {"reference": "", "paid_on": debtor.today.isoformat(), "invoices": []},
    )


@router.get("/{token}", response_class=HTMLResponse)
def portal_home(request: Request, session: DbSession, debtor: PortalDebtor, token: str) -> Response:
    return _page(request, session, token, debtor)


@router.post("/{token}/paid", response_class=HTMLResponse)
def said_paid(
    request: Request,
    session: DbSession,
    debtor: PortalDebtor,
    token: str,
    reference: Annotated[str, Form(max_length=1000)] = "",
    paid_on: Annotated[str, Form(max_length=100)] = "",
    invoices: Annotated[list[str] | None, Form(max_length=200)] = None,
) -> Response:
    chosen = [number for number in invoices or [] if number]
    errors, day = check_claim(reference, paid_on, debtor.today)
    open_by_number = {invoice.number: invoice for invoice in open_invoices(session, debtor)}
    if any(number not in open_by_number for number in chosen):
        errors["invoices"] = "Choose among your open invoices."
    if errors or day is None:
        values: dict[str, object] = {
            "reference": reference,
            "paid_on": paid_on,
            "invoices": chosen,
        }
        return _page(request, session, token, debtor, 422, errors, values)
    claimed = [open_by_number[number] for number in chosen]
    targets: list[Invoice | None] = list(claimed) or [None]  # none chosen: the whole customer
    holds = [
        place_hold(
            session,
            debtor.company,
            debtor.customer,
            "paid_claim",
            reason=f"paid on {day.isoformat()}: {reference.strip()}",
            starts_on=debtor.today,
            ends_on=plus_days(debtor.today, CLAIM_DAYS),
            invoice=invoice,
            reference=reference.strip(),
            created_by="portal",
        )
        for invoice in targets
    ]
    for hold, invoice in zip(holds, targets, strict=True):
        record(
            session,
            "hold.placed",
            at=utcnow(),
            entity_type="hold",
            entity_id=hold.id,
            company_id=debtor.company.id,
            after={
                "kind": hold.kind,
                "customer": debtor.customer.external_id,
                "invoice": None if invoice is None else invoice.number,
                "reference": hold.reference,
                "paid_on": day.isoformat(),
                "ends_on": None if hold.ends_on is None else hold.ends_on.isoformat(),
            },
            source="portal",
        )
    return render(
        request,
        "portal/thanks.html",
        200,
        debtor.language,
        token=token,
        company=debtor.company,
        customer=debtor.customer,
        reference=reference.strip(),
        numbers=[invoice.number for invoice in claimed],
    )


def check_claim(reference: str, paid_on: str, today: date) -> tuple[dict[str, str], date | None]:
    """The form's problems by field (English text, translated by the page), and the day."""
    errors: dict[str, str] = {}
    if not reference.strip():
        errors["reference"] = "Enter the reference of your payment."
    elif len(reference.strip()) > MAX_REFERENCE:
        errors["reference"] = "The reference is too long (100 characters at most)."
    day: date | None = None
    try:
        day = date.fromisoformat(paid_on.strip())
    except ValueError:
        errors["paid_on"] = "Enter the day you paid (YYYY-MM-DD)."
    if day is not None and day > today:
        errors["paid_on"] = "The day you paid cannot be in the future."
        day = None
    return errors, day
