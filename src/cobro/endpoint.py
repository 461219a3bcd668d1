"""What every HTTP endpoint needs at the edge (the web counterpart of `cobro.edge`): the
request's unit of work, who is asking, and the page it asks for.

    @router.get("/things")
    def list_things(session: DbSession, caller: Reader, page: Paging) -> ThingPage:
        ...things of caller.company_id only...

`DbSession` is one transaction per request: committed when the endpoint returns (before the
response is sent, so a failed commit never answers 200), rolled back when it raises. Endpoints
build their response models inside the function: the session is closed afterwards.

`CurrentUser` is the `Caller`: a user working in one company with one role, found per request
in exactly one of two ways:
- a request with an `Authorization` header is a program: the header must be
  `Bearer cobro_<prefix>_<secret>`, a live API token (`token_access`), and the token's scopes
  limit what it may do (`auth.rules.token_can`); cookies are then IGNORED, so a bogus header
  can never ride on a browser's session (this is also why the CSRF middleware may leave such
  requests alone: a cross-site form cannot set that header);
- otherwise the session cookie (`cobro_session`, HttpOnly, SameSite=Lax, Secure over https)
  holds a web session's token (`session_access`).
Neither: `SignInRequired`, answered 401 JSON under /api and a redirect to /login elsewhere
(cobro.web.errors). `require("work")` adds a permission check (`auth.rules.can`): 403.
Every domain query takes `caller.company_id`, never a company named by the request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_origin

from fastapi import Depends, Query, Request, Security
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from cobro.auth.errors import Forbidden
from cobro.auth.models import User, WebSession
from cobro.auth.rules import can, token_can
from cobro.auth.service import roles_of, session_access, token_access
from cobro.company.models import Company
from cobro.db import describe_db_error, make_engine, transaction
from cobro.errors import CobroError, DatabaseUnavailable, Invalid
from cobro.kit.dates import utcnow
from cobro.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, PageRequest
from cobro.kit.schemas import ErrorOut

SESSION_COOKIE = "cobro_session"
# Connections kept open per server process: as many as requests it serves at once under load,
# so that a busy minute reuses them instead of opening (and closing) a connection per request
# (a new PostgreSQL connection is a process fork: more work than the request itself). Beyond
# that, up to POOL_OVERFLOW more while the rush lasts.
POOL_SIZE = 16
POOL_OVERFLOW = 16


class Database:
    """The app's one engine. A database that cannot be opened when the app starts (a SQLite
    folder missing, PostgreSQL down) does not stop the app: each request says so (503) and
    tries again, so the app recovers once the database is back."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None
        with suppress(DatabaseUnavailable):  # said again by each request, see engine()
            self._engine = _engine(url)

    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = _engine(self.url)  # raises DatabaseUnavailable again if still so
        return self._engine

    @contextmanager
    def unit_of_work(self, writes: bool = False) -> Iterator[Session]:
        """A transaction; `writes`: one that will write, so SQLite takes its lock up front
        (`cobro.db.transaction`) instead of failing half-way when another writer got there."""
        try:
            with transaction(self.engine(), writes=writes) as session:
                yield session
        except SQLAlchemyError as exc:
            raise describe_db_error(exc, self.url) from exc

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def _engine(url: str) -> Engine:
    return make_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)


def database_of(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def db_session(request: Request) -> Iterator[Session]:
    with database_of(request).unit_of_work() as session:
        yield session


DbSession = Annotated[Session, Depends(db_session, scope="function")]


async def page_request(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> PageRequest:
    return PageRequest(limit=limit, offset=offset)


Paging = Annotated[PageRequest, Depends(page_request)]
# Dependencies that only look at what they are given are `async def`: FastAPI runs a plain
# `def` dependency in a worker thread, a hop that costs more than their work.


# ---- what may go wrong, as the OpenAPI schema says it ---------------------------------------

ERROR_DESCRIPTIONS = {
    401: "No API token or session, or one that is malformed, revoked or expired",
    403: "The caller's role or API token's scopes do not allow it",
    404: "Not found in the caller's company",
    409: "Not possible in the current state (e.g. an action's status); the message says why",
    422: "Invalid input; the error names the field",
    503: "The database cannot be reached",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route or router: these statuses answer an `ErrorOut` (the body every
    error has, `cobro.web.errors`); declaring 422 replaces FastAPI's own validation error shape,
    which this app never sends."""
    responses: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        responses[status] = {"model": ErrorOut, "description": ERROR_DESCRIPTIONS[status]}
    if 401 in responses:
        responses[401]["headers"] = {
            "WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}
        }
    return responses


# what any endpoint that needs a caller may answer besides its own
CALLER_ERRORS = error_responses(401, 403, 422, 503)


# ---- who is asking ------------------------------------------------------------------------------


class SignInRequired(CobroError):
    """No valid session cookie or API token: 401 under /api, the sign-in page elsewhere."""

    status = 401

    def __init__(self, message: str = "sign in first, or send a valid API token") -> None:
        super().__init__(message)


@dataclass(frozen=True)
class Caller:
    """The user behind a request, the one company they work in for it, and their role there.
    `scopes` is None for a signed-in browser (all its role allows), else the API token's.
    `company`: read with the token or session; while the caller is held, the request's
    `session.get(Company, caller.company_id)` finds it without asking the database."""

    user: User
    company_id: int
    role: str
    scopes: tuple[str, ...] | None = None
    web_session: WebSession | None = None
    company: Company | None = None

    def can(self, permission: str) -> bool:
        if self.scopes is None:
            return can(self.role, permission)
        return token_can(self.role, self.scopes, permission)

    def company_ids(self, session: Session) -> list[int]:
        """The companies this caller may see: a token its own one, a browser every company
        of its user."""
        if self.scopes is not None:
            return [self.company_id]
        return sorted(roles_of(session, self.user))


def bearer_of(request: Request) -> str | None:
    """The token of `Authorization: Bearer …`; "" for any other Authorization header (which
    then authenticates nothing); None without the header."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, value = header.strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def session_token_of(request: Request) -> str | None:
    """The session cookie's token, unless the request carries an Authorization header: then
    cookies are not looked at (see the module's docstring)."""
    if "authorization" in request.headers:
        return None
    return request.cookies.get(SESSION_COOKIE) or None


# How a caller proves who they are, as the OpenAPI description says it (securitySchemes);
# `current_user` reads the header and the cookie itself, these only describe them.
API_TOKEN = HTTPBearer(
    scheme_name="apiToken",
    description="An API token (`cobro tokens create`): `Authorization: Bearer cobro_…`",
    auto_error=False,
)
BROWSER_SESSION = APIKeyCookie(
    name=SESSION_COOKIE,
    scheme_name="browserSession",
    description="A signed-in browser's session cookie (set by /login)",
    auto_error=False,
)


def current_user(
    request: Request,
    session: DbSession,
    _token: Annotated[HTTPAuthorizationCredentials | None, Security(API_TOKEN)] = None,
    _cookie: Annotated[str | None, Security(BROWSER_SESSION)] = None,
) -> Caller:
    now = utcnow()
    bearer = bearer_of(request)
    if bearer is not None:
        by_token = token_access(session, bearer, now) if bearer else None
        if by_token is None:
            raise SignInRequired("the API token is missing, malformed, revoked or expired")
        token, role, company = by_token
        return Caller(token.user, token.company_id, role, tuple(token.scopes), None, company)
    by_cookie = session_access(session, session_token_of(request), now)
    if by_cookie is None:
        raise SignInRequired()
    web_session, role, company = by_cookie
    request.state.language = web_session.user.language  # the pages speak the user's language
    request.state.timezone = company.timezone  # and show times on the company's clock
    return Caller(web_session.user, web_session.company_id, role, None, web_session, company)


CurrentUser = Annotated[Caller, Depends(current_user)]


def require(permission: str) -> Any:
    """`caller: Annotated[Caller, require("work")]`: the caller, when their role (and token
    scopes) allow `permission`; else 403."""
    can("admin", permission)  # an unknown permission is a bug: fail when the route is declared

    async def allowed(caller: CurrentUser) -> Caller:
        if not caller.can(permission):
            raise Forbidden(f"your role or API token does not allow {permission!r}")
        return caller

    return Depends(allowed)


Reader = Annotated[Caller, require("read")]
Worker = Annotated[Caller, require("work")]


async def once_each(request: Request) -> None:
    """A query parameter given twice (`?active=true&active=false`) is refused, not read as its
    last value: a filter means one thing. Parameters the route declares as lists
    (`?kind=note&kind=call`) may repeat. Every API route depends on it (`cobro.app`)."""
    repeatable = _list_parameters(request.scope.get("route"))
    for name in request.query_params:
        if name not in repeatable and len(request.query_params.getlist(name)) > 1:
            raise Invalid(f"{name}: give it once", field=name)


def _list_parameters(route: Any) -> frozenset[str]:
    """The query parameters the route (or a dependency of it) declares as lists."""
    found: set[str] = set()
    waiting = [getattr(route, "dependant", None)]
    while waiting:
        dependant = waiting.pop()
        if dependant is None:
            continue
        found.update(
            field.alias for field in dependant.query_params if _is_list(field.field_info.annotation)
        )
        waiting.extend(dependant.dependencies)
    return frozenset(found)


def _is_list(annotation: Any) -> bool:
    if get_origin(annotation) in (list, tuple, set, frozenset):
        return True
    return any(_is_list(argument) for argument in get_args(annotation))
