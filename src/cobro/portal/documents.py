"""What the debtor downloads from the portal, only ever their own through the signed link:

    GET /portal/{token}/pdf/{number}      a copy of an open invoice (a one-item statement), PDF
    GET /portal/{token}/qr/{number}       the invoice's EPC "SEPA QR" code, SVG (an <img> source)
    GET /portal/{token}/documents/{id}    a letter (PDF) sent to them

Another customer's invoice or document, or one that does not exist, answers the same 404."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.endpoint import DbSession
from cobro.invoice.models import Invoice
from cobro.notice.service import context_for
from cobro.notice.statement import statement_pdf
from cobro.outbox.models import Action, Document
from cobro.portal.debtor import Debtor, PortalDebtor, not_found, open_invoice
from cobro.portal.providers import BankTransfer, Payable, Payee
from cobro.portal.qr import qr_svg

router = APIRouter(include_in_schema=False)  # mounted under /portal by pages.py

PDF = "application/pdf"
MAX_DOCUMENTS = 50  # the latest letters; older ones stay with the company
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
PRIVATE = {"Cache-Control": "private, no-store"}  # a debtor's documents stay out of caches


@dataclass(frozen=True)
class SentDocument:
    id: int
    name: str
    created_at: datetime


def sent_documents(session: Session, debtor: Debtor) -> list[SentDocument]:
    """The PDFs (letters, statements) of messages sent to this customer, newest first."""
    rows = session.execute(
        select(Document.id, Document.name, Document.created_at)
        .join(Action, Action.id == Document.action_id)
        .where(
            Action.company_id == debtor.company.id,
            Action.customer_id == debtor.customer.id,
            Document.media_type == PDF,
        )
        .order_by(Document.created_at.desc(), Document.id.desc())
        .limit(MAX_DOCUMENTS)
    )
    return [SentDocument(id_, name, created) for id_, name, created in rows]


def payable_of(debtor: Debtor, invoice: Invoice) -> Payable:
    company = debtor.company
    return Payable(
        invoice=invoice.number,
        customer=debtor.customer.external_id,
        reference=invoice.payment_reference,
        amount=invoice.open_amount,
        currency=invoice.currency,
        payee=Payee(company.name, company.iban, company.bic),
    )


def epc_for(debtor: Debtor, invoice: Invoice) -> str | None:
    """The EPC payload for paying `invoice`; None when the scheme cannot carry it (not in euro,
    no valid IBAN for the company…): the page then shows the bank details alone."""
    offer = BankTransfer().offer(payable_of(debtor, invoice))
    return None if offer is None else offer.qr_payload


def attachment(content: bytes, name: str, media_type: str) -> Response:
    safe = SAFE_NAME.sub("_", name).strip("._") or "document"
    headers = {"Content-Disposition": f'attachment; filename="{safe}"', **PRIVATE}
    return Response(content, media_type=media_type, headers=headers)


@router.get("/{token}/pdf/{number:path}")
def invoice_pdf(
    request: Request, session: DbSession, debtor: PortalDebtor, number: str
) -> Response:
    invoice = open_invoice(session, debtor, number)
    if invoice is None:
        return not_found(request, debtor)
    context = context_for(
        session,
        debtor.company,
        debtor.customer,
        [(invoice, "copy")],
        stage="copy",
        tone="friendly",
        channel="letter",
        on=debtor.today,
        unapplied={},  # a copy of the one invoice: cash not yet applied is on the portal page
    )
    return attachment(statement_pdf(context), f"invoice-{invoice.number}.pdf", PDF)


@router.get("/{token}/qr/{number:path}")
def invoice_qr(request: Request, session: DbSession, debtor: PortalDebtor, number: str) -> Response:
    invoice = open_invoice(session, debtor, number)
    payload = None if invoice is None else epc_for(debtor, invoice)
    if invoice is None or payload is None:
        return not_found(request, debtor)
    svg = qr_svg(payload, f"SEPA QR {invoice.number}")
    return Response(svg, media_type="image/svg+xml", headers=PRIVATE)


@router.get("/{token}/documents/{document_id}")
def sent_document(
    request: Request, session: DbSession, debtor: PortalDebtor, document_id: int
) -> Response:
    document = session.scalar(
        select(Document)
        .join(Action, Action.id == Document.action_id)
        .where(
            Document.id == document_id,
            Document.media_type == PDF,
            Action.company_id == debtor.company.id,
            Action.customer_id == debtor.customer.id,
        )
    )
    if document is None:
        return not_found(request, debtor)
    return attachment(document.content, document.name, PDF)
