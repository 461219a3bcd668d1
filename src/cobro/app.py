"""The web application: the JSON API under /api (OpenAPI at /api/docs) and the HTML pages at /.

    uvicorn --factory cobro.app:create_app      (or `cobro serve`)

One engine per app, one transaction per request (`cobro.endpoint.DbSession`), one error
handler for every error (`cobro.web.errors`). Domain routers come from each domain's
`endpoints.py` and are mounted here."""

from __future__ import annotations

import gc
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from cobro.banking.endpoints import router as bank_api
from cobro.banking.sepa_endpoints import router as sepa_api
from cobro.charge.endpoints import router as charges_api
from cobro.company.endpoints import router as companies_api
from cobro.config import Settings, load_settings
from cobro.customer.contact_endpoints import router as contacts_api
from cobro.customer.endpoints import router as customers_api
from cobro.cycle.endpoints import router as cycle_api
from cobro.dispute.endpoints import router as disputes_api
from cobro.endpoint import Database, once_each
from cobro.fx.endpoints import router as fx_api
from cobro.importer.endpoints import router as imports_api
from cobro.interest.endpoints import router as interest_api
from cobro.invoice.endpoints import router as invoices_api
from cobro.legal.endpoints import agency_router as agency_api
from cobro.legal.endpoints import legal_router as legal_api
from cobro.note.endpoints import router as notes_api
from cobro.notice.endpoints import router as templates_api
from cobro.outbox.endpoints import router as actions_api
from cobro.payment.endpoints import router as payments_api
from cobro.plan.endpoints import router as plans_api
from cobro.policy.endpoints import router as policies_api
from cobro.policy.hold_endpoints import router as holds_api
from cobro.portal import debtor as portal_debtor
from cobro.portal import dispute as portal_dispute
from cobro.portal import endpoints as portal_api
from cobro.portal import pages as portal_pages
from cobro.portal import plan as portal_plan
from cobro.portal import promise as portal_promise
from cobro.portal import staff as portal_staff
from cobro.portal.links import PortalLinkRefused
from cobro.promise.endpoints import router as promises_api
from cobro.report.endpoints import router as report_api
from cobro.report.report_endpoints import router as reports_api
from cobro.scoring.endpoints import router as ranking_api
from cobro.setoff.endpoints import router as setoff_api
from cobro.settings.endpoints import router as settings_api
from cobro.task.endpoints import router as tasks_api
from cobro.validation.endpoints import router as validation_api
from cobro.web import (
    account,
    api_docs,
    bank,
    bank_review,
    charges,
    customers,
    cycle,
    disputes,
    health,
    holds,
    imports,
    interest,
    legal,
    notices,
    outbox,
    pages,
    password,
    plans,
    policies,
    promises,
    rates,
    tasks,
    webhooks,
    worklist,
)
from cobro.web import reports as report_pages
from cobro.web import risk as risk_pages
from cobro.web import sepa as sepa_pages
from cobro.web import setoff as setoff_pages
from cobro.web import settings as settings_pages
from cobro.web import validation as validation_pages
from cobro.web import writeoffs as writeoff_pages
from cobro.web.errors import install_error_handlers
from cobro.web.security import CsrfProtection, SecurityHeaders
from cobro.web.templates import STATIC
from cobro.webhook.endpoints import router as webhooks_api
from cobro.worklist.endpoints import router as worklist_api
from cobro.writeoff.endpoints import router as writeoffs_api

# under /api, in the OpenAPI description
API_ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    account.api,
    companies_api,
    customers_api,
    report_api,
    reports_api,
    contacts_api,
    invoices_api,
    payments_api,
    actions_api,
    portal_api.router,
    notes_api,
    worklist_api,
    imports_api,
    settings_api,
    webhooks_api,
    holds_api,
    setoff_api,
    legal_api,
    agency_api,
    plans_api,
    disputes_api,
    promises_api,
    writeoffs_api,
    tasks_api,
    policies_api,
    templates_api,
    cycle_api,
    interest_api,
    fx_api,
    charges_api,
    validation_api,
    bank_api,
    sepa_api,
    ranking_api,
)
# the HTML pages (not in the OpenAPI description)
PAGE_ROUTERS: tuple[APIRouter, ...] = (
    pages.router,
    account.router,
    api_docs.router,
    outbox.router,
    holds.router,
    legal.router,
    disputes.router,
    writeoff_pages.router,
    charges.router,
    rates.router,
    interest.router,
    validation_pages.router,
    tasks.router,
    worklist.router,
    webhooks.router,
    password.router,
    customers.router,
    policies.router,
    promises.router,
    plans.router,
    notices.router,
    cycle.router,
    portal_pages.router,
    portal_dispute.router,
    portal_promise.router,
    portal_plan.router,
    portal_staff.router,
    imports.router,
    settings_pages.router,
    bank.router,
    bank_review.router,
    sepa_pages.router,
    setoff_pages.router,
    report_pages.router,
    risk_pages.router,
)

log = logging.getLogger("cobro.web")


_FROZEN: list[bool] = []


def _freeze_once() -> None:
    """What is loaded when the first app starts (modules, mappers, routes, templates) lives as
    long as the process: out of the garbage collector's sight, each collection a request sets
    off has less to walk (a few per cent of the CPU of an API request under load). Once per
    process: a full collection in a long-lived process with many apps (the test suite) costs
    a second or more each time, and what the first one froze is still there."""
    if not _FROZEN:
        gc.collect()
        gc.freeze()
        _FROZEN.append(True)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    database = Database(settings.database_url)
    secret = settings.secret_key
    if secret is None:
        secret = secrets.token_urlsafe(32)
        log.info("COBRO_SECRET_KEY is not set: forms signed with a key of this process only")

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        _freeze_once()
        yield
        database.dispose()

    app = FastAPI(
        title="Cobro",
        summary="Collections management: receivables, dunning, cash application.",
        version="0.1.0",
        docs_url=None,  # our own page: the vendored Swagger UI (cobro.web.api_docs)
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.database = database
    app.state.secret_key = secret  # portal links are signed with it
    app.state.base_url = settings.base_url  # password reset links start with it
    app.state.settings = settings  # the portal: its links' base URL and key, its payment link

    # a query parameter given twice is refused on every route (cobro.endpoint.once_each)
    api = APIRouter(prefix="/api", dependencies=[Depends(once_each)])
    for router in API_ROUTERS:
        api.include_router(router)
    app.include_router(api)
    for router in PAGE_ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    install_error_handlers(app)
    app.add_exception_handler(PortalLinkRefused, portal_debtor.refused_handler)
    # the last added runs first: headers go on every answer, CSRF refusals included
    app.add_middleware(CsrfProtection, secret=secret)
    app.add_middleware(SecurityHeaders)
    return app
