"""The webhooks section of the settings (/settings/webhooks), for admins: the company's
subscriptions with a test button and a remove button each, a form to add one (its signing
secret is shown on the answer to that form, once), and the latest deliveries with their
outcome. Every form carries the CSRF token; a refused URL or event is shown next to its field."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.endpoint import DbSession
from cobro.errors import CobroError, Invalid
from cobro.kit.dates import TO_THE_MINUTE, local_time, utcnow
from cobro.kit.pagination import MAX_LIMIT, MAX_OFFSET, PageRequest
from cobro.web.templates import render
from cobro.webhook import service
from cobro.webhook.endpoints import Admin
from cobro.webhook.models import WebhookSubscription
from cobro.webhook.rules import EVENTS, MAX_URL

router = APIRouter(include_in_schema=False)

PAGE = "/settings/webhooks"
RECENT = 20
WebhookId = Annotated[int, Path(ge=1, le=MAX_OFFSET)]


def _page(
    request: Request,
    session: Session,
    company_id: int,
    *,
    status_code: int = 200,
    created: WebhookSubscription | None = None,
    error: CobroError | None = None,
    form: dict[str, Any] | None = None,
) -> HTMLResponse:
    company = session.get_one(Company, company_id)
    subscriptions = service.subscriptions_page(session, company_id, PageRequest(MAX_LIMIT, 0))
    recent = service.deliveries_page(session, company_id, PageRequest(RECENT, 0))
    urls = {each.id: each.url for each in subscriptions.items}
    return render(
        request,
        "webhooks/settings.html",
        status_code=status_code,
        company=company,
        subscriptions=subscriptions.items,
        deliveries=[
            {
                "row": row,
                "url": urls.get(row.subscription_id or 0, ""),
                "at": local_time(row.created_at, company.timezone, TO_THE_MINUTE),
            }
            for row in recent.items
        ],
        events=EVENTS,
        created=created,
        error=error.message if error else None,
        error_field=error.field if error else None,
        form=form or {"url": "", "events": [], "description": ""},
        max_url=MAX_URL,
    )


@router.get(PAGE, response_class=HTMLResponse)
def webhooks_page(request: Request, session: DbSession, caller: Admin) -> HTMLResponse:
    return _page(request, session, caller.company_id)


@router.post(PAGE, response_class=HTMLResponse)
def add_webhook(
    request: Request,
    session: DbSession,
    caller: Admin,
    url: Annotated[str, Form(max_length=MAX_URL + 100)] = "",
    events: Annotated[list[str] | None, Form()] = None,
    description: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:
    form = {"url": url, "events": events or [], "description": description}
    try:
        created = service.subscribe(
            session,
            caller.company_id,
            url,
            events or [],
            actor_id=caller.user.id,
            now=utcnow(),
            description=description,
        )
    except Invalid as refused:
        return _page(request, session, caller.company_id, status_code=422, error=refused, form=form)
    # the answer itself shows the secret: a redirect would have to carry it in a URL
    return _page(request, session, caller.company_id, created=created)


@router.post(PAGE + "/{webhook_id}/remove")
def remove_webhook(session: DbSession, caller: Admin, webhook_id: WebhookId) -> Response:
    service.remove(session, caller.company_id, webhook_id, actor_id=caller.user.id, now=utcnow())
    return RedirectResponse(PAGE, status_code=303)


@router.post(PAGE + "/{webhook_id}/test")
def test_webhook(session: DbSession, caller: Admin, webhook_id: WebhookId) -> Response:
    service.ping(session, caller.company_id, webhook_id, actor_id=caller.user.id, now=utcnow())
    return RedirectResponse(PAGE + "#deliveries", status_code=303)
