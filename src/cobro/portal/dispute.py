"""The debtor disputes invoices on the portal, no account needed:

    GET  /portal/{token}/dispute                 the form (open invoices, each whole or a part;
                                                 a reason; why; up to 3 files) and the
                                                 debtor's open disputes
    POST /portal/{token}/dispute                 open one (source "portal")
    POST /portal/{token}/dispute/{id}/withdraw   withdraw one of their own open disputes

Everything goes through `cobro.dispute`'s services (holds, review task, webhook, audit, the
Regulation F validation dispute). A dispute that is not this debtor's is the portal's one
"not found" page. Problems are shown in the debtor's language by field."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from cobro.audit.actor import Actor
from cobro.dispute import rules, service
from cobro.dispute.queries import DisputeFilter, DisputeRow, disputes_page
from cobro.dispute.resolve import resolve_dispute
from cobro.endpoint import DbSession
from cobro.errors import CobroError, Invalid
from cobro.kit.money import parse_amount
from cobro.kit.pagination import MAX_LIMIT, MAX_OFFSET, PageRequest
from cobro.notice.environment import format_money
from cobro.portal.debtor import Debtor, PortalDebtor, not_found, open_invoices
from cobro.web.templates import render

router = APIRouter(prefix="/portal", include_in_schema=False)

MAX_PORTAL_FILES = 3
SOURCE = "portal"
# the English the page shows, translated there (locale/es/disputes.po)
REASON_NAMES = {
    "price": "The price is wrong",
    "quality": "Poor quality or damaged",
    "not_received": "Not received",
    "already_paid": "Already paid",
    "duplicate": "Billed twice",
    "other": "Another reason",
}
DisputeNumber = Annotated[int, Path(ge=1, le=MAX_OFFSET)]


def own_disputes(session: Session, debtor: Debtor) -> list[DisputeRow]:
    where = DisputeFilter(status="open", customer=debtor.customer.external_id)
    page = disputes_page(session, debtor.company.id, PageRequest(MAX_LIMIT), debtor.today, where)
    return list(page.items)


def _page(
    request: Request,
    session: Session,
    token: str,
    debtor: Debtor,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, object] | None = None,
    opened: int | None = None,
) -> HTMLResponse:
    language = debtor.language
    invoices = [
        (i.number, format_money(i.open_amount, i.currency, language))
        for i in open_invoices(session, debtor)
    ]
    return render(
        request,
        "portal/dispute.html",
        status_code,
        language,
        token=token,
        company=debtor.company,
        customer=debtor.customer,
        invoices=invoices,
        reasons=REASON_NAMES,
        disputes=own_disputes(session, debtor),
        money=lambda amount, currency: format_money(amount, currency, language),
        errors=errors or {},
        values=values or {"invoices": [], "amounts": {}, "reason": "", "description": ""},
        opened=opened,
    )


@router.get("/{token}/dispute", response_class=HTMLResponse)
def dispute_form(
    request: Request, session: DbSession, debtor: PortalDebtor, token: str
) -> Response:
    return _page(request, session, token, debtor)


@router.post("/{token}/dispute", response_class=HTMLResponse)
def open_dispute(
    request: Request,
    session: DbSession,
    debtor: PortalDebtor,
    token: str,
    invoices: Annotated[list[str] | None, Form(max_length=60)] = None,
    numbers: Annotated[list[str] | None, Form(max_length=60)] = None,
    amounts: Annotated[list[str] | None, Form(max_length=40)] = None,
    reason: Annotated[str, Form(max_length=20)] = "",
    description: Annotated[str, Form(max_length=rules.MAX_DESCRIPTION + 100)] = "",
    evidence: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    chosen = [number for number in invoices or [] if number]
    # each open invoice's row sends its number and the part typed (empty: all of it)
    parts = dict(zip(numbers or [], amounts or [], strict=False))
    values: dict[str, object] = {
        "invoices": chosen,
        "amounts": parts,
        "reason": reason,
        "description": description,
    }
    open_by_number = {i.number: i for i in open_invoices(session, debtor)}
    errors: dict[str, str] = {}
    if not chosen or any(number not in open_by_number for number in chosen):
        errors["invoices"] = "Choose among your open invoices."
    files = [
        service.EvidenceIn(f.filename or "", f.file.read(rules.MAX_FILE_BYTES + 1))
        for f in evidence or []
        if f.filename
    ]
    if len(files) > MAX_PORTAL_FILES:
        errors["evidence"] = "Attach 3 files at most."
    if errors:
        return _page(request, session, token, debtor, 422, errors, values)
    try:
        items = [
            service.ItemIn(number, _part(parts.get(number, ""), open_by_number[number].currency))
            for number in chosen
        ]
        dispute = service.open_dispute(
            session,
            debtor.company,
            debtor.customer.external_id,
            items,
            reason,
            description,
            debtor.today,
            SOURCE,
            by=Actor(name=SOURCE),
            evidence=files,
        )
    except CobroError as error:
        session.rollback()
        field = error.field if error.field in ("reason", "description", "evidence") else "invoices"
        return _page(request, session, token, debtor, 422, {field: error.message}, values)
    return _page(request, session, token, debtor, opened=dispute.id)


def _part(text: str, currency: str) -> int | None:
    if not text.strip():
        return None
    try:
        return parse_amount(text, currency)
    except Invalid as error:
        raise Invalid(error.message, field="invoices") from None


@router.post("/{token}/dispute/{dispute_id}/withdraw", response_class=HTMLResponse)
def withdraw(
    request: Request,
    session: DbSession,
    debtor: PortalDebtor,
    token: str,
    dispute_id: DisputeNumber,
) -> Response:
    if dispute_id not in {row.id for row in own_disputes(session, debtor)}:
        return not_found(request, debtor)  # another's, or no longer open: one answer
    resolve_dispute(
        session,
        debtor.company,
        dispute_id,
        "withdraw",
        debtor.today,
        note="withdrawn on the portal",
        by=Actor(name=SOURCE),
    )
    return RedirectResponse(f"/portal/{token}/dispute", 303)
