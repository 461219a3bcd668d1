"""Pages of a list: `limit` rows from `offset`, never more than `MAX_LIMIT` at once.

A page asks the database for one row more than it shows: that row, when it comes back, says
there is a next page without counting the whole table (a count over a million invoices costs
more than the page itself)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, Subquery
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


def paginate_rows(
    session: Session,
    statement: Select[*tuple[Any, ...]],
    request: PageRequest,
    make: Callable[..., T],
) -> Page[T]:
    """One page of `statement`'s rows (several columns each), each made into `make(*row)`;
    ordered on a unique key, as `paginate` needs."""
    if not statement._order_by_clauses:
        raise ValueError("paginate_rows() needs an ordered statement (ORDER BY a unique key)")
    bounded = statement.limit(request.limit + 1).offset(request.offset)
    return page_of([make(*row) for row in session.execute(bounded)], request)


def page_keys(keys: Select[*tuple[Any, ...]], request: PageRequest) -> Subquery:
    """The keys of one page of `keys` (an ordered query of the rows' unique key, one column or
    several; `limit + 1` of them), as a subquery to join the rows to show onto, ordered again. The
    database then walks past `offset` keys along an index and reads only the rows it shows:
    skipping whole rows cost 15 ms at offset 2,000 of a million invoices, the keys 1 ms."""
    if not keys._order_by_clauses:
        raise ValueError("page_keys() needs an ordered statement (ORDER BY a unique key)")
    return keys.limit(request.limit + 1).offset(request.offset).subquery()


def sorted_by(query: Any, sort: str, sorts: Mapping[str, Any], tie: Any) -> Any:
    """`query` ordered by `sort`, one of `sorts`' names ("-" first: descending), then by `tie`
    (an id) the same way, so that pages never overlap; another name is an error naming `sort`."""
    name = sort.removeprefix("-")
    if name not in sorts:
        choices = ", ".join(sorts)
        raise Invalid(f"sort: use one of {choices}, with - first for descending", field="sort")
    if sort.startswith("-"):
        return query.order_by(sorts[name].desc(), tie.desc())
    return query.order_by(sorts[name], tie)
