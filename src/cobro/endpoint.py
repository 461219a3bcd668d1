"""What every HTTP endpoint needs at the edge (the web counterpart of `cobro.edge`): the
request's unit of work and the page it asks for.

    @router.get("/things")
    def list_things(session: DbSession, page: Paging) -> ThingPage: ...

`DbSession` is one transaction per request: committed when the endpoint returns (before the
response is sent, so a failed commit never answers 200), rolled back when it raises. Endpoints
build their response models inside the function: the session is closed afterwards.

TODO(issue 4): `CurrentUser` (the signed-in user and the companies they may see) joins these
dependencies when the auth domain lands; list endpoints then filter by the user's companies.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from cobro.db import describe_db_error, make_engine, transaction
from cobro.errors import DatabaseUnavailable
from cobro.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, PageRequest


class Database:
    """The app's one engine. A database that cannot be opened when the app starts (a SQLite
    folder missing, PostgreSQL down) does not stop the app: each request says so (503) and
    tries again, so the app recovers once the database is back."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None
        with suppress(DatabaseUnavailable):  # said again by each request, see engine()
            self._engine = make_engine(url)

    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.url)  # raises DatabaseUnavailable again if still so
        return self._engine

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        try:
            with transaction(self.engine()) as session:
                yield session
        except SQLAlchemyError as exc:
            raise describe_db_error(exc, self.url) from exc

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def database_of(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def db_session(request: Request) -> Iterator[Session]:
    with database_of(request).unit_of_work() as session:
        yield session


DbSession = Annotated[Session, Depends(db_session, scope="function")]


def page_request(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> PageRequest:
    return PageRequest(limit=limit, offset=offset)


Paging = Annotated[PageRequest, Depends(page_request)]
