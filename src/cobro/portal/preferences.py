"""The debtor's contact preferences, no account needed:

    GET  /portal/{token}/preferences   the form (where an email's "unsubscribe" link leads)
    POST /portal/{token}/preferences   language (en/es) and the channels they accept

Opting out and back in go through the policy's `opt_out`/`opt_in`, so the cycle respects them
from its next run; each change is an audit event. Opening the page changes nothing: mail
scanners follow links, so only the form's POST unsubscribes.

Offered: email, SMS, WhatsApp and ordinary letters. Registered letters are not: they carry the
formal notices a creditor may have to send by law."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.endpoint import DbSession
from cobro.kit.dates import utcnow
from cobro.policy.holds import opt_in, opt_out
from cobro.policy.models import OptOut
from cobro.portal.debtor import Debtor, PortalDebtor, language_of
from cobro.web.i18n import LANGUAGES
from cobro.web.templates import render

router = APIRouter(include_in_schema=False)  # mounted under /portal by pages.py

OFFERED = ("email", "sms", "whatsapp", "letter")
# the English the page shows, translated there (locale/es/portal.po)
CHANNEL_NAMES = {
    "email": "Email",
    "sms": "Text message (SMS)",
    "whatsapp": "WhatsApp",
    "letter": "Letter by post",
}
ERRORS = {
    "language": "Choose English or Spanish.",
    "channels": "Choose among the channels listed.",
}
SOURCE = "portal"


def opted_out_of(session: Session, debtor: Debtor) -> set[str]:
    return set(
        session.scalars(select(OptOut.channel).where(OptOut.customer_id == debtor.customer.id))
    )


def _page(
    request: Request,
    session: Session,
    token: str,
    debtor: Debtor,
    status_code: int = 200,
    saved: bool = False,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    refused_channels = opted_out_of(session, debtor)
    return render(
        request,
        "portal/preferences.html",
        status_code,
        debtor.language,
        token=token,
        company=debtor.company,
        customer=debtor.customer,
        channels=[(channel, channel not in refused_channels) for channel in OFFERED],
        channel_names=CHANNEL_NAMES,
        saved=saved,
        errors=errors or {},
    )


@router.get("/{token}/preferences", response_class=HTMLResponse)
def preferences_page(
    request: Request, session: DbSession, debtor: PortalDebtor, token: str
) -> Response:
    return _page(request, session, token, debtor)


@router.post("/{token}/preferences", response_class=HTMLResponse)
def save_preferences(
    request: Request,
    session: DbSession,
    debtor: PortalDebtor,
    token: str,
    language: Annotated[str, Form(max_length=12)] = "",
    channels: Annotated[list[str] | None, Form(max_length=20)] = None,
) -> Response:
    accepted = set(channels or [])
    errors: dict[str, str] = {}
    if language not in LANGUAGES:
        errors["language"] = ERRORS["language"]
    if not accepted <= set(OFFERED):
        errors["channels"] = ERRORS["channels"]
    if errors:
        return _page(request, session, token, debtor, 422, errors=errors)
    before = _preferences(session, debtor)
    customer = debtor.customer
    if language_of(customer) != language:
        customer.language = language
    for channel in OFFERED:
        if channel in accepted:
            opt_in(session, customer, channel)
        else:
            opt_out(session, customer, channel, source=SOURCE)
    after = _preferences(session, debtor)
    if after != before:
        record(
            session,
            "customer.preferences_changed",
            at=utcnow(),
            entity_type="customer",
            entity_id=customer.id,
            company_id=debtor.company.id,
            before=before,
            after=after,
            source=SOURCE,
        )
    saved = Debtor(debtor.company, customer, language_of(customer), debtor.today)
    return _page(request, session, token, saved, saved=True)


def _preferences(session: Session, debtor: Debtor) -> dict[str, object]:
    session.flush()
    return {
        "language": debtor.customer.language,
        "opted_out": sorted(opted_out_of(session, debtor)),
    }
