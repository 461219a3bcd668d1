"""Set-off through the API: the customers we also owe, one customer's exposure and proposal,
applying it (work permission, Idempotency-Key: replayed, never twice), an amount too large
refused with nothing written, the vendor bills; another company's customer is a 404."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cobro.company.models import Company
from cobro.customer.service import get_customer
from cobro.payment.models import Payment
from cobro.setoff.models import SetOff
from tests.factories.ledger import make_invoice
from tests.factories.setoff import make_bill
from tests.web.access import Tenant, World, build_world
from tests.web.ledger_world import keyed, writer


@pytest.fixture
def world(web_database_url: str) -> World:
    world = build_world(web_database_url, ("Transportes Sur",))
    for tenant in (world.a, world.b):
        owe_each_other(world, tenant)
    return world


def owe_each_other(world: World, tenant: Tenant) -> str:
    """The tenant's first customer owes 300 + 200 EUR and is owed a 350 EUR bill."""
    external_id = next(iter(tenant.customers))
    with world.session() as session:
        company = session.get_one(Company, tenant.id)
        customer = get_customer(session, company.id, external_id)
        make_invoice(session, company, customer, 300_00, due_date=date(2026, 1, 10))
        make_invoice(session, company, customer, 200_00, due_date=date(2026, 2, 10))
        make_bill(session, company, customer, 350_00, number=f"TS-{uuid.uuid4().hex[:6]}")
    return external_id


def set_offs(world: World, tenant: Tenant) -> int:
    with world.session() as session:
        query = select(func.count()).select_from(SetOff).where(SetOff.company_id == tenant.id)
        return session.scalar(query) or 0


def test_the_list_shows_only_the_callers_customers_we_owe(client: TestClient, world: World) -> None:
    reader = {"Authorization": f"Bearer {world.token('viewer')}"}
    answer = client.get("/api/setoff", headers=reader)
    assert answer.status_code == 200
    [row] = answer.json()
    assert row["customer"] == next(iter(world.a.customers))
    assert row["exposures"] == [
        {"currency": "EUR", "owed": 500_00, "owe": 350_00, "net": 150_00, "settable": 350_00}
    ]


def test_one_customer_shows_its_proposal_oldest_first(client: TestClient, world: World) -> None:
    reader = {"Authorization": f"Bearer {world.token('viewer')}"}
    external_id = next(iter(world.a.customers))
    body = client.get(f"/api/setoff/{external_id}", headers=reader).json()
    [proposal] = body["proposals"]
    assert proposal["amount"] == 350_00
    assert [line["amount"] for line in proposal["invoices"]] == [300_00, 50_00]
    assert [line["amount"] for line in proposal["bills"]] == [350_00]
    theirs = next(iter(world.b.customers))
    assert client.get(f"/api/setoff/{theirs}", headers=reader).status_code == 404


def test_applying_needs_work_and_a_key_and_is_answered_once(
    client: TestClient, world: World
) -> None:
    external_id = next(iter(world.a.customers))
    viewer = {"Authorization": f"Bearer {world.token('viewer')}"}
    path = f"/api/setoff/{external_id}"
    assert client.post(path, headers=keyed(viewer), json={}).status_code == 403
    collector = writer(world, "collector")
    assert client.post(path, headers=collector, json={}).status_code == 422  # no key
    headers = keyed(collector)
    first = client.post(path, headers=headers, json={"note": "agreed"})
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["amount"], body["currency"], body["note"]) == (350_00, "EUR", "agreed")
    assert body["payment"] == f"SETOFF-{body['id']}"
    again = client.post(path, headers=headers, json={"note": "agreed"})
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == body
    assert set_offs(world, world.a) == 1
    with world.session() as session:
        payment = session.scalars(
            select(Payment).where(Payment.external_id == body["payment"])
        ).one()
        assert (payment.method, payment.unapplied) == ("set_off", 0)


def test_too_large_an_amount_is_refused_naming_it_and_nothing_is_written(
    client: TestClient, world: World
) -> None:
    external_id = next(iter(world.a.customers))
    answer = client.post(
        f"/api/setoff/{external_id}",
        headers=keyed(writer(world, "collector")),
        json={"amount": 350_01, "currency": "EUR"},
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "amount"
    assert set_offs(world, world.a) == 0
    theirs = next(iter(world.b.customers))
    other = client.post(f"/api/setoff/{theirs}", headers=keyed(writer(world, "collector")), json={})
    assert other.status_code == 404
    assert set_offs(world, world.b) == 0


def test_vendor_bills_are_listed_by_company(client: TestClient, world: World) -> None:
    reader = {"Authorization": f"Bearer {world.token('viewer')}"}
    page = client.get("/api/vendor-bills", headers=reader).json()
    assert [row["customer"] for row in page["items"]] == [next(iter(world.a.customers))]
    assert page["items"][0]["open_amount"] == 350_00
    theirs = next(iter(world.b.customers))
    assert client.get(f"/api/vendor-bills?customer={theirs}", headers=reader).status_code == 404
