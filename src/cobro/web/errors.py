"""One place turns every error into an answer: JSON `{"error": {"message", "field"}}` under
/api, a page elsewhere. Typed errors (`CobroError`) carry their status; a database that cannot
be reached is a 503 that says so; anything unexpected is logged and answered with a bare 500.
Never a traceback."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException

from cobro.db import describe_db_error
from cobro.endpoint import SignInRequired
from cobro.errors import CobroError
from cobro.web.templates import render

log = logging.getLogger("cobro.web")

API_PREFIX = "/api"

TITLES = {
    403: "Request refused",
    404: "Page not found",
    409: "Conflict",
    422: "Invalid input",
    500: "Something went wrong",
    503: "Database unavailable",
}


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


def error_response(request: Request, error: CobroError) -> Response:
    if isinstance(error, SignInRequired):
        if not wants_json(request):
            return RedirectResponse(login_address(request), status_code=303)
        response = _answer(request, error.status, error.message, error.field)
        response.headers["WWW-Authenticate"] = 'Bearer realm="cobro"'
        return response
    return _answer(request, error.status, error.message, error.field)


def login_address(request: Request) -> str:
    """/login, asked to come back to this page afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login" if here == "/" else f"/login?next={quote(here, safe='')}"


def _answer(request: Request, status: int, message: str, field: str | None = None) -> Response:
    if wants_json(request):
        body = {"error": {"message": message, "field": field}}
        return JSONResponse(body, status_code=status)
    return render(
        request,
        "error.html",
        status_code=status,
        status=status,
        title=TITLES.get(status, "Error"),
        message=message,
    )


async def _typed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CobroError)
    return error_response(request, exc)


async def _database(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SQLAlchemyError)
    database = getattr(request.app.state, "database", None)
    url = database.url if database is not None else "the database"
    log.warning("database error on %s %s: %s", request.method, request.url.path, exc)
    return error_response(request, describe_db_error(exc, url))


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = "There is no page at this address." if exc.status_code == 404 else str(exc.detail)
    response = _answer(request, exc.status_code, message)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {}
    location = [str(part) for part in first.get("loc", ()) if part not in ("query", "body", "path")]
    field = ".".join(location) or None
    message = f"{field}: {first.get('msg', 'invalid')}" if field else str(first.get("msg"))
    return _answer(request, 422, message, field)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return _answer(request, 500, "The error has been logged. Please try again later.")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CobroError, _typed)
    app.add_exception_handler(SQLAlchemyError, _database)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(Exception, _unexpected)
