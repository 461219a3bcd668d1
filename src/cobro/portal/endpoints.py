"""Portal endpoints (mounted under /api by `cobro.app`): a customer's portal link, for a
collector to send by hand (the worker puts one in every message by itself).

    POST /api/customers/{external_id}/portal-link   {"days": 60} → {"url", "expires_at"}

The `work` permission (an API token's `write` scope): a link opens the customer's account to
whoever holds it, so making one is an audited change. The caller's company's customers only;
another company's is a 404. Without COBRO_SECRET_KEY the app signs with a key of its own
process, which neither the worker nor a restarted app shares: no link then (409), rather than
one that stops working."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.config import Settings
from cobro.customer.service import get_customer
from cobro.endpoint import CALLER_ERRORS, Caller, DbSession, Worker, error_responses
from cobro.errors import Conflict
from cobro.kit.dates import utcnow
from cobro.portal.links import DEFAULT_DAYS, expiry, portal_token, portal_url

router = APIRouter(prefix="/customers", tags=["portal"], responses=CALLER_ERRORS)


class PortalLinkIn(BaseModel):
    days: int = Field(default=DEFAULT_DAYS, ge=1, le=366, description="days the link works")


class PortalLinkOut(BaseModel):
    url: str = Field(description="the customer's portal: no account needed")
    expires_at: datetime


@router.post("/{external_id}/portal-link", responses=error_responses(404, 409))
def make_portal_link(
    request: Request,
    session: DbSession,
    caller: Worker,
    external_id: str,
    body: Annotated[PortalLinkIn | None, Body()] = None,
) -> PortalLinkOut:
    """A signed, expiring link to one customer's portal: open items, how to pay, documents,
    "I've paid", contact preferences."""
    days = (body or PortalLinkIn()).days
    return make_link(request, session, caller, external_id, days, source="api")


def make_link(
    request: Request, session: Session, caller: Caller, external_id: str, days: int, source: str
) -> PortalLinkOut:
    """The link, audited (the API's and the customer page's)."""
    settings: Settings = request.app.state.settings
    customer = get_customer(session, caller.company_id, external_id)
    if settings.secret_key is None:
        raise Conflict("set COBRO_SECRET_KEY (shared by the app and the worker) to make links")
    now = utcnow()
    expires_at = expiry(now, days)
    token = portal_token(settings.secret_key, caller.company_id, customer.id, expires_at)
    record(
        session,
        "portal.link_made",
        at=now,
        entity_type="customer",
        entity_id=customer.id,
        actor_id=caller.user.id,
        company_id=caller.company_id,
        after={"customer": customer.external_id, "expires_at": expires_at.isoformat()},
        source=source,
    )
    return PortalLinkOut(url=portal_url(settings.base_url, token), expires_at=expires_at)
