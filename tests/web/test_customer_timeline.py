"""The customer timeline at the web edges: GET /api/customers/{id}/timeline and the full
timeline page, of the caller's company only, filtered by kind, escaped, in Spanish."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.promise.models import Promise
from tests.factories.ledger import make_payment
from tests.web.access import Tenant, World, build_world, sign_in, speak

HOSTILE_TEXT = "<script>alert('x')</script> \"Ñandú\" & Co"


def promise_for(world: World, tenant: Tenant, note: str = "pays after the audit") -> str:
    """A promise of 250.00 EUR by 15 March by `tenant`'s first customer; its external id."""
    with world.session() as session:
        customer = session.scalars(
            select(Customer).where(Customer.company_id == tenant.id).order_by(Customer.id)
        ).first()
        assert customer is not None
        session.add(
            Promise(
                company_id=tenant.id, customer_id=customer.id, amount=250_00, currency="EUR",
                promised_on=date(2026, 3, 1), due_on=date(2026, 3, 15), grace_days=3,
                status="open", source="portal", note=note,
            )
        )  # fmt: skip
        company = session.get_one(Company, tenant.id)
        make_payment(session, company, customer, 40_00, received_on=date(2026, 3, 2))
        return customer.external_id


def test_the_api_gives_the_story_of_the_caller_s_company_only(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    mine, theirs = promise_for(world, world.a), promise_for(world, world.b)
    headers = {"Authorization": f"Bearer {world.token('viewer')}"}
    answer = client.get(f"/api/customers/{mine}/timeline", headers=headers)
    assert answer.status_code == 200
    kinds = [event["kind"] for event in answer.json()]
    assert set(kinds) == {"promise", "payment"}
    promise = next(event for event in answer.json() if event["kind"] == "promise")
    assert (promise["amount"], promise["until"], promise["status"]) == (25000, "2026-03-15", "open")
    only = client.get(f"/api/customers/{mine}/timeline?kind=payment", headers=headers).json()
    assert [event["kind"] for event in only] == ["payment"]
    refused = client.get(f"/api/customers/{mine}/timeline?kind=gossip", headers=headers)
    assert refused.status_code == 422
    assert "kind" in refused.text
    stranger = client.get(f"/api/customers/{theirs}/timeline", headers=headers)
    assert stranger.status_code == 404
    assert "250" not in stranger.text


def test_the_page_words_the_story_and_escapes_what_people_wrote(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    mine = promise_for(world, world.a, note=HOSTILE_TEXT)
    assert sign_in(client, world.a.users["viewer"]).status_code == 303
    speak(client, "es")
    page = client.get(f"/customers/{mine}/timeline")
    assert page.status_code == 200
    assert "Historial completo" in page.text
    assert "250,00" in page.text
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;" in page.text
    filtered = client.get(f"/customers/{mine}/timeline?kind=payment")
    assert "250,00" not in filtered.text
    assert "250.00" not in filtered.text
    customer_page = client.get(f"/customers/{mine}")
    assert f'href="/customers/{mine}/timeline"' in customer_page.text
    assert client.get(f"/customers/{mine}/timeline?kind=gossip").status_code == 422
    assert client.get("/customers/NOPE-404/timeline").status_code == 404
