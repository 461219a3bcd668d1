"""Customers: created or updated by external id; the same data again changes nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Contact
from cobro.customer.rules import ContactIn, CustomerIn
from cobro.customer.service import (
    Change,
    find_customer,
    get_customer,
    list_customers,
    upsert_customer,
)
from cobro.errors import Invalid, NotFound
from cobro.terms.models import PaymentTerms
from tests.factories.ledger import make_company

ANA = CustomerIn(external_id="C-1", name="Ana Pérez S.L.", country="ES")


@pytest.fixture
def company(session: Session) -> Company:
    return make_company(session, country="ES", currency="EUR")


def test_a_new_customer_is_created_with_defaults_from_its_country(
    session: Session, company: Company
) -> None:
    customer, change = upsert_customer(session, company, ANA)
    assert change is Change.CREATED
    assert (customer.language, customer.timezone, customer.currency) == (
        "es",
        "Europe/Madrid",
        "EUR",
    )
    assert customer.kind == "business"
    assert customer.tags == []
    assert customer.contacts == []


def test_a_country_without_defaults_gets_english_utc_and_the_company_currency(
    session: Session, company: Company
) -> None:
    customer, _ = upsert_customer(session, company, replace(ANA, country="jp"))
    assert (customer.country, customer.language, customer.timezone, customer.currency) == (
        "JP",
        "en",
        "UTC",
        "EUR",
    )


def test_explicit_language_zone_and_currency_beat_the_country_defaults(
    session: Session, company: Company
) -> None:
    data = replace(ANA, language="en-GB", timezone="Atlantic/Canary", currency="usd")
    customer, _ = upsert_customer(session, company, data)
    assert (customer.language, customer.timezone, customer.currency) == (
        "en_GB",
        "Atlantic/Canary",
        "USD",
    )


def test_the_same_data_again_changes_nothing(session: Session, company: Company) -> None:
    data = replace(
        ANA,
        tags=("vip", "retail"),
        terms="net 30",
        credit_limit=5000_00,
        contact=ContactIn(email="ap@example.com", city="Madrid", country="es"),
    )
    first, _ = upsert_customer(session, company, data)
    again = replace(data, tags=("retail", " vip ", "vip"), terms="NET30", external_id=" C-1 ")
    second, change = upsert_customer(session, company, again)
    assert change is Change.UNCHANGED
    assert second is first


@pytest.mark.parametrize(
    "edit",
    [
        {"name": "Ana Pérez Gómez S.L."},
        {"kind": "consumer"},
        {"credit_limit": 100},
        {"tags": ("new",)},
        {"terms": "NET60"},
        {"collector": "luis"},
        {"contact": ContactIn(phone="+34 600 000 000")},
    ],
)
def test_a_changed_field_updates_the_customer(
    session: Session, company: Company, edit: dict[str, object]
) -> None:
    upsert_customer(session, company, ANA)
    customer, change = upsert_customer(session, company, replace(ANA, **edit))  # type: ignore[arg-type]
    assert change is Change.UPDATED
    session.expire_all()
    stored = get_customer(session, company.id, "C-1")
    assert stored.id == customer.id
    for name, value in edit.items():
        if name == "tags":
            assert stored.tags == sorted(value)  # type: ignore[call-overload]
        elif name == "terms":
            assert stored.terms_id is not None
            assert session.get_one(PaymentTerms, stored.terms_id).code == "NET60"
        elif name == "contact":
            assert stored.contacts[0].phone == "+34 600 000 000"
        else:
            assert getattr(stored, name) == value


def test_the_billing_contact_is_stored_with_a_structured_address(
    session: Session, company: Company
) -> None:
    contact = ContactIn(
        name="Ana",
        email="ap@example.com",
        street="Calle Mayor",
        building_number="1",
        postal_code="28013",
        city="Madrid",
        country="es",
    )
    upsert_customer(session, company, replace(ANA, contact=contact))
    session.expire_all()
    stored = get_customer(session, company.id, "C-1").contacts
    assert len(stored) == 1
    assert (stored[0].role, stored[0].street, stored[0].country) == ("billing", "Calle Mayor", "ES")


def test_a_row_without_contact_keeps_the_stored_one(session: Session, company: Company) -> None:
    upsert_customer(session, company, replace(ANA, contact=ContactIn(email="ap@example.com")))
    _, change = upsert_customer(session, company, ANA)
    assert change is Change.UNCHANGED
    _, change = upsert_customer(session, company, replace(ANA, contact=ContactIn(email="b@x.es")))
    assert change is Change.UPDATED
    assert session.scalar(select(func.count(Contact.id))) == 1


def test_tags_are_stored_sorted_and_unique(session: Session, company: Company) -> None:
    customer, _ = upsert_customer(session, company, replace(ANA, tags=("b", "a", " b", "")))
    session.expire_all()
    assert get_customer(session, company.id, "C-1").tags == ["a", "b"]
    assert customer.tags == ["a", "b"]


def test_terms_are_stored_once_in_their_canonical_notation(
    session: Session, company: Company
) -> None:
    upsert_customer(session, company, replace(ANA, terms="net 30"))
    upsert_customer(session, company, replace(ANA, external_id="C-2", terms="30"))
    codes = session.scalars(select(PaymentTerms.code).where(PaymentTerms.company_id == company.id))
    assert list(codes) == ["NET30"]


@pytest.mark.parametrize(
    ("edit", "why"),
    [
        ({"external_id": " "}, "id is empty"),
        ({"name": ""}, "name is empty"),
        ({"kind": "robot"}, "kind"),
        ({"country": "XX"}, "unknown country"),
        ({"language": "xx"}, "unknown language"),
        ({"timezone": "Mars/Base"}, "unknown time zone"),
        ({"currency": "EURO"}, "unknown currency"),
        ({"credit_limit": -1}, "negative"),
        ({"terms": "NET-1"}, "not understood"),
        ({"contact": ContactIn(email="not-an-email")}, "email"),
        ({"contact": ContactIn(phone="call me")}, "phone"),
    ],
)
def test_invalid_customers_are_refused_and_nothing_is_stored(
    session: Session, company: Company, edit: dict[str, object], why: str
) -> None:
    with pytest.raises(Invalid, match=why):
        upsert_customer(session, company, replace(ANA, **edit))  # type: ignore[arg-type]
    assert find_customer(session, company.id, "C-1") is None


def test_customers_are_found_per_company(session: Session, company: Company) -> None:
    upsert_customer(session, company, ANA)
    other = make_company(session)
    with pytest.raises(NotFound, match="no customer 'C-1'"):
        get_customer(session, other.id, "C-1")
    upsert_customer(session, other, ANA)
    assert get_customer(session, other.id, "C-1").company_id == other.id


def test_customers_are_listed_by_id_and_searched_by_name(
    session: Session, company: Company
) -> None:
    upsert_customer(
        session, company, replace(ANA, external_id="C-2", name="Bob GmbH", country="DE")
    )
    upsert_customer(session, company, ANA)
    assert [c.external_id for c in list_customers(session, company.id)] == ["C-1", "C-2"]
    assert [c.external_id for c in list_customers(session, company.id, "gmbh")] == ["C-2"]
    assert [c.external_id for c in list_customers(session, company.id, limit=1, offset=1)] == [
        "C-2"
    ]
