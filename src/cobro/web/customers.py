"""The customer pages: the list (search, pages), the customer 360 (open items, ledger, timeline
of every message with its documents, contacts, holds, interest and fees), the full timeline
(every message, payment, promise, dispute, note, task... in one list), a sent document, and
the invoice page.

Everything is of the caller's company (`caller.company_id`): another company's customer,
invoice or document answers the same 404 as one that does not exist."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from cobro.charge.manage import charges_page
from cobro.company.models import Company
from cobro.company.service import companies_by_id
from cobro.customer.service import customers_page, get_customer
from cobro.endpoint import DbSession, Paging, Reader
from cobro.kit.dates import today_in
from cobro.kit.pagination import PageRequest
from cobro.policy.runs import PaymentRuns
from cobro.report.customer360 import customer_document, customer_overview, invoice_view
from cobro.report.timeline import KINDS, check_kinds, customer_story
from cobro.scoring.repository import customer_score
from cobro.web.charges import charge_items, money_of
from cobro.web.setoff import set_off_card
from cobro.web.templates import language_of, render

router = APIRouter(include_in_schema=False)

CHARGES_SHOWN = 20  # the customer page's first charges not waived; the rest on /charges


def _company(session: Session, company_id: int) -> Company:
    return companies_by_id(session, [company_id])[0]


def _today(session: Session, company_id: int) -> date:
    return today_in(_company(session, company_id).timezone)


@router.get("/customers", response_class=HTMLResponse)
def customer_list(
    request: Request,
    session: DbSession,
    caller: Reader,
    page: Paging,
    q: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    found = customers_page(session, caller.company_id, page, search=q)
    return render(
        request,
        "customers/list.html",
        page=found,
        q=q.strip(),
        company=_company(session, caller.company_id),
    )


@router.get("/customers/{external_id}", response_class=HTMLResponse)
def customer_page(
    request: Request, session: DbSession, caller: Reader, external_id: str
) -> HTMLResponse:
    overview = customer_overview(
        session, caller.company_id, external_id, _today(session, caller.company_id)
    )
    language = language_of(request)
    charges = charges_page(
        session,
        caller.company_id,
        PageRequest(CHARGES_SHOWN, 0),
        customer=external_id,
        waived=False,
    )
    return render(
        request,
        "customers/show.html",
        language=language,
        o=overview,
        charges=charge_items(charges.items, language),
        money=money_of(language),
        may_work=caller.can("work"),  # the note form
        set_off=set_off_card(session, caller.company_id, external_id, caller.can("work")),
        risk=(risk := customer_score(session, caller.company_id, overview.customer.id)),
        runs=PaymentRuns.from_json(risk.runs).describe() if risk and risk.runs else None,
    )


@router.get("/customers/{external_id}/timeline", response_class=HTMLResponse)
def customer_timeline_page(
    request: Request,
    session: DbSession,
    caller: Reader,
    external_id: str,
    kind: Annotated[list[str] | None, Query()] = None,
) -> HTMLResponse:
    """Everything that happened with one customer, newest first, filtered by kind."""
    customer = get_customer(session, caller.company_id, external_id)
    chosen = check_kinds(kind or KINDS)
    language = language_of(request)
    return render(
        request,
        "customers/timeline.html",
        language=language,
        customer=customer,
        kinds=KINDS,
        chosen=chosen,
        events=customer_story(session, caller.company_id, external_id, chosen),
        money=money_of(language),
    )


SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@router.get("/customers/{external_id}/documents/{document_id}")
def customer_document_file(
    session: DbSession, caller: Reader, external_id: str, document_id: int
) -> Response:
    """A document as it went out: an email (.eml) shown as plain text (a preview that never runs
    its HTML), a PDF or anything else downloaded."""
    document = customer_document(session, caller.company_id, external_id, document_id)
    name = SAFE_NAME.sub("_", document.name).strip("._") or f"document-{document.id}"
    if document.media_type == "message/rfc822" or name.endswith(".eml"):
        media_type = "text/plain; charset=utf-8"
        disposition = f'inline; filename="{name}"'
    else:
        known = document.media_type == "application/pdf"
        media_type = "application/pdf" if known else "application/octet-stream"
        disposition = f'attachment; filename="{name}"'
    return Response(
        document.content,
        media_type=media_type,
        headers={"Content-Disposition": disposition, "X-Document-SHA256": document.sha256},
    )


@router.get("/invoices/{number:path}", response_class=HTMLResponse)
def invoice_page(request: Request, session: DbSession, caller: Reader, number: str) -> HTMLResponse:
    view = invoice_view(session, caller.company_id, number, _today(session, caller.company_id))
    language = language_of(request)
    return render(
        request, "customers/invoice.html", language=language, v=view, money=money_of(language)
    )
