"""Pages of a list: `limit` rows from `offset`, never more than `MAX_LIMIT` at once.

A page asks the database for one row more than it shows: that row, when it comes back, says
there is a next page without counting the whole table (a count over a million invoices costs
more than the page itself)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session

from cobro.errors import Invalid

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# beyond any table's rows, and within every database's OFFSET (SQLite and PostgreSQL take 64
# bits; a larger Python int overflows the driver: a 500, not an empty page)
MAX_OFFSET = 2**31 - 1

T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    limit: int = DEFAULT_LIMIT
    offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise Invalid(f"limit must be between 1 and {MAX_LIMIT}, not {self.limit}", "limit")
        if not 0 <= self.offset <= MAX_OFFSET:
            raise Invalid(f"offset must be between 0 and {MAX_OFFSET}, not {self.offset}", "offset")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    limit: int
    offset: int
    next_offset: int | None  # None on the last page

    @property
    def has_next(self) -> bool:
        return self.next_offset is not None


def page_of(rows: Sequence[T], request: PageRequest) -> Page[T]:
    """The page made of `rows`, fetched with `limit + 1` (see the module's docstring)."""
    more = len(rows) > request.limit
    return Page(
        items=rows[: request.limit],
        limit=request.limit,
        offset=request.offset,
        next_offset=request.offset + request.limit if more else None,
    )


def paginate(session: Session, statement: Select[T], request: PageRequest) -> Page[T]:
    """One page of `statement`'s rows. The statement must be ordered on a unique key, or rows
    can repeat or go missing from one page to the next."""
    if not statement._order_by_clauses:
        raise ValueError("paginate() needs an ordered statement (ORDER BY a unique key)")
    bounded = statement.limit(request.limit + 1).offset(request.offset)
    rows: Sequence[T] = session.scalars(bounded).all()
    return page_of(rows, request)
