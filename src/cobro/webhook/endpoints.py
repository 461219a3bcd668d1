"""Webhook endpoints (mounted under /api by `cobro.app`): an admin's subscriptions of the
caller's company, a test delivery, and the deliveries of one. Admins only (a subscription sends
the company's data to an outside address): a browser signed in as admin, or an admin's API
token with the `write` scope. Another company's subscription is a 404."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response

from cobro.auth.errors import Forbidden
from cobro.endpoint import CALLER_ERRORS, Caller, CurrentUser, DbSession, Paging, error_responses
from cobro.kit.dates import utcnow
from cobro.kit.pagination import MAX_OFFSET
from cobro.kit.schemas import PageOut
from cobro.webhook import service
from cobro.webhook.schemas import DeliveryOut, WebhookCreatedOut, WebhookIn, WebhookOut

router = APIRouter(prefix="/webhooks", tags=["webhooks"], responses=CALLER_ERRORS)

WebhookId = Annotated[int, Path(ge=1, le=MAX_OFFSET, description="the subscription's id")]
Status = Literal["queued", "sending", "sent", "failed", "cancelled"]
NOT_FOUND = error_responses(404)


async def admin_only(caller: CurrentUser) -> Caller:
    if caller.role != "admin" or not caller.can("configure"):
        raise Forbidden("only an admin (or an admin's API token with the write scope) may")
    return caller


Admin = Annotated[Caller, Depends(admin_only)]


@router.get("")
def list_webhooks(session: DbSession, caller: Admin, page: Paging) -> PageOut[WebhookOut]:
    """The company's live subscriptions (never their secrets)."""
    found = service.subscriptions_page(session, caller.company_id, page)
    return PageOut.of(found, WebhookOut)


@router.post("", status_code=201)
def create_webhook(session: DbSession, caller: Admin, body: WebhookIn) -> WebhookCreatedOut:
    """Subscribe a URL to events. The answer holds the signing secret, this once."""
    subscription = service.subscribe(
        session,
        caller.company_id,
        body.url,
        body.events,
        actor_id=caller.user.id,
        now=utcnow(),
        description=body.description,
    )
    return WebhookCreatedOut.model_validate(subscription)


@router.delete("/{webhook_id}", status_code=204, responses=NOT_FOUND)
def delete_webhook(session: DbSession, caller: Admin, webhook_id: WebhookId) -> Response:
    """Remove a subscription; what was still queued for it is cancelled."""
    service.remove(session, caller.company_id, webhook_id, actor_id=caller.user.id, now=utcnow())
    return Response(status_code=204)


@router.post("/{webhook_id}/test", status_code=202, responses=NOT_FOUND)
def test_webhook(session: DbSession, caller: Admin, webhook_id: WebhookId) -> DeliveryOut:
    """Queue a "ping" delivery to the subscription; the worker sends it."""
    delivery = service.ping(
        session, caller.company_id, webhook_id, actor_id=caller.user.id, now=utcnow()
    )
    return DeliveryOut.model_validate(delivery)


@router.get("/{webhook_id}/deliveries", responses=NOT_FOUND)
def list_deliveries(
    session: DbSession,
    caller: Admin,
    webhook_id: WebhookId,
    page: Paging,
    status: Annotated[Status | None, Query(description="only deliveries in this status")] = None,
) -> PageOut[DeliveryOut]:
    """The subscription's deliveries, newest first."""
    found = service.deliveries_page(session, caller.company_id, page, webhook_id, status)
    return PageOut.of(found, DeliveryOut)
