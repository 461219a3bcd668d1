"""The web application: the JSON API under /api (OpenAPI at /api/docs) and the HTML pages at /.

    uvicorn --factory cobro.app:create_app      (or `cobro serve`)

One engine per app, one transaction per request (`cobro.endpoint.DbSession`), one error
handler for every error (`cobro.web.errors`). Domain routers come from each domain's
`endpoints.py` and are mounted here."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from cobro.company.endpoints import router as companies_router
from cobro.config import Settings, load_settings
from cobro.customer.endpoints import router as customers_router
from cobro.endpoint import Database
from cobro.outbox.endpoints import router as actions_router
from cobro.portal import pages as portal_pages
from cobro.web import customers as customer_pages
from cobro.web import account, api_docs, health, outbox, pages
from cobro.web.errors import install_error_handlers
from cobro.web.security import CsrfProtection, SecurityHeaders
from cobro.web.templates import STATIC

log = logging.getLogger("cobro.web")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    database = Database(settings.database_url)
    secret = settings.secret_key
    if secret is None:
        secret = secrets.token_urlsafe(32)
        log.info("COBRO_SECRET_KEY is not set: forms signed with a key of this process only")

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
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

    api = APIRouter(prefix="/api")
    api.include_router(health.router)
    api.include_router(account.api)
    api.include_router(companies_router)
    api.include_router(customers_router)
    api.include_router(actions_router)
    app.include_router(api)
    app.include_router(pages.router)
    app.include_router(account.router)
    app.include_router(api_docs.router)
    app.include_router(outbox.router)
    app.include_router(customer_pages.router)
    app.include_router(portal_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    install_error_handlers(app)
    # the last added runs first: headers go on every answer, CSRF refusals included
    app.add_middleware(CsrfProtection, secret=secret)
    app.add_middleware(SecurityHeaders)
    return app
