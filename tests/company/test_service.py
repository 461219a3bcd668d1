"""Companies (tenants): created once, found by code or as the only one."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy.orm import Session

from cobro.company.service import create_company, get_company, list_companies
from cobro.errors import Conflict, Invalid, NotFound


def test_a_company_is_created_with_checked_codes(session: Session) -> None:
    company = create_company(session, "acme", " Acme S.L. ", "es", "eur", "Europe/Madrid")
    assert (company.code, company.name, company.country, company.currency) == (
        "acme",
        "Acme S.L.",
        "ES",
        "EUR",
    )
    assert company.id is not None
    assert company.created_at.utcoffset() is not None


def test_a_blank_name_falls_back_to_the_code(session: Session) -> None:
    assert create_company(session, "acme", "  ", "ES", "EUR", "UTC").name == "acme"


@pytest.mark.parametrize("code", ["", "Acme", "has space", "-lead", "x" * 41, "ñu"])
def test_a_company_code_is_short_lower_case_and_plain(session: Session, code: str) -> None:
    with pytest.raises(Invalid, match="company code"):
        create_company(session, code, "Acme", "ES", "EUR", "UTC")


def test_a_company_code_is_taken_once(session: Session) -> None:
    create_company(session, "acme", "Acme", "ES", "EUR", "UTC")
    with pytest.raises(Conflict, match="already exists"):
        create_company(session, "acme", "Other", "DE", "EUR", "UTC")


@pytest.mark.parametrize(
    ("country", "currency", "timezone", "what"),
    [
        ("XX", "EUR", "UTC", "country"),
        ("ES", "EURO", "UTC", "currency"),
        ("ES", "EUR", "Europe/Atlantis", "time zone"),
    ],
)
def test_bad_codes_are_refused_and_named(
    session: Session, country: str, currency: str, timezone: str, what: str
) -> None:
    with pytest.raises(Invalid, match=f"unknown {what}"):
        create_company(session, "acme", "Acme", country, currency, timezone)
    assert list_companies(session) == []


def test_without_companies_there_is_nothing_to_get(session: Session) -> None:
    with pytest.raises(NotFound, match="no company yet"):
        get_company(session)


def test_the_only_company_is_the_default(session: Session) -> None:
    company = create_company(session, "acme", "Acme", "ES", "EUR", "UTC")
    assert get_company(session) is company


def test_with_several_companies_one_must_be_named(session: Session) -> None:
    create_company(session, "acme", "Acme", "ES", "EUR", "UTC")
    beta = create_company(session, "beta", "Beta", "DE", "EUR", "Europe/Berlin")
    with pytest.raises(Invalid, match="several companies"):
        get_company(session)
    assert get_company(session, "beta") is beta
    assert [c.code for c in list_companies(session)] == ["acme", "beta"]


def test_an_unknown_company_code_is_not_found(session: Session) -> None:
    create_company(session, "acme", "Acme", "ES", "EUR", "UTC")
    with pytest.raises(NotFound, match="no company 'nope'"):
        get_company(session, "nope")


def test_the_creation_time_reads_back_as_aware_utc(session: Session) -> None:
    company = create_company(session, "acme", "Acme", "ES", "EUR", "UTC")
    created = company.created_at
    session.expire_all()
    again = get_company(session, "acme")
    assert again.created_at == created
    assert again.created_at.tzinfo is not None
    assert again.created_at.astimezone(UTC) == created
