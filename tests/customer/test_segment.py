"""A customer's segment: what assignment rules and chase settings match on."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.service import set_segment
from cobro.errors import Invalid, NotFound
from tests.factories.ledger import make_company, make_customer


@pytest.fixture
def company(session: Session) -> Company:
    company = make_company(session)
    make_customer(session, company, "C-1")
    return company


def test_a_customer_is_put_in_a_segment_as_written_without_surrounding_spaces(
    session: Session, company: Company
) -> None:
    customer = set_segment(session, company.id, "C-1", "  Retail ES ")
    session.expire_all()
    assert customer.segment == "Retail ES"


def test_an_empty_segment_takes_the_customer_out_of_any(session: Session, company: Company) -> None:
    set_segment(session, company.id, "C-1", "retail")
    assert set_segment(session, company.id, "C-1", " ").segment is None
    set_segment(session, company.id, "C-1", "retail")
    assert set_segment(session, company.id, "C-1", None).segment is None


def test_a_segment_longer_than_its_column_is_refused(session: Session, company: Company) -> None:
    with pytest.raises(Invalid, match="at most 40 characters") as refused:
        set_segment(session, company.id, "C-1", "x" * 41)
    assert refused.value.field == "segment"


def test_an_unknown_customer_is_not_found(session: Session, company: Company) -> None:
    with pytest.raises(NotFound, match="no customer 'C-9'"):
        set_segment(session, company.id, "C-9", "retail")
