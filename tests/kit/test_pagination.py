from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.company.service import create_company
from cobro.errors import Invalid
from cobro.kit.pagination import MAX_LIMIT, MAX_OFFSET, PageRequest, page_of, paginate


def test_a_page_with_a_row_beyond_its_limit_points_to_the_next_page() -> None:
    page = page_of([1, 2, 3], PageRequest(limit=2, offset=10))
    assert list(page.items) == [1, 2]
    assert page.next_offset == 12
    assert page.has_next


def test_the_last_page_has_no_next_offset() -> None:
    page = page_of([1, 2], PageRequest(limit=2))
    assert list(page.items) == [1, 2]
    assert page.next_offset is None


@pytest.mark.parametrize(
    ("limit", "offset", "field"),
    [
        (0, 0, "limit"),
        (MAX_LIMIT + 1, 0, "limit"),
        (10, -1, "offset"),
        (10, MAX_OFFSET + 1, "offset"),
    ],
)
def test_a_page_request_outside_the_bounds_names_the_field(
    limit: int, offset: int, field: str
) -> None:
    with pytest.raises(Invalid) as refused:
        PageRequest(limit=limit, offset=offset)
    assert refused.value.field == field


def test_paginate_walks_an_ordered_query_page_by_page(session: Session) -> None:
    for code in ("pg-a", "pg-b", "pg-c"):
        create_company(session, code, code.upper(), "ES", "EUR", "Europe/Madrid")
    query = select(Company).where(Company.code.like("pg-%")).order_by(Company.code)
    first = paginate(session, query, PageRequest(limit=2))
    assert [c.code for c in first.items] == ["pg-a", "pg-b"]
    assert first.next_offset == 2
    second = paginate(session, query, PageRequest(limit=2, offset=2))
    assert [c.code for c in second.items] == ["pg-c"]
    assert second.next_offset is None


def test_paginate_refuses_an_unordered_query(session: Session) -> None:
    with pytest.raises(ValueError, match="ordered"):
        paginate(session, select(Company), PageRequest())
