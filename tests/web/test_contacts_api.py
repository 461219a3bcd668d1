"""A customer's contacts through the API: listed, added, changed, removed; errors name the
field; each change audited; another company's customer is a 404."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from cobro.audit.models import AuditEvent
from tests.web.access import build_world
from tests.web.ledger_world import first_customer, writer


def test_a_contact_is_added_changed_and_removed(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url)
    headers = writer(world)
    base = f"/api/customers/{first_customer(world.a)}/contacts"
    assert client.get(base, headers=headers).json()["items"] == []
    added = client.post(
        base,
        headers=headers,
        json={"name": " Ana Ruiz ", "email": "ana@example.com", "country": "es", "role": "Legal"},
    )
    assert added.status_code == 201, added.text
    contact = added.json()
    assert (contact["name"], contact["country"], contact["role"]) == ("Ana Ruiz", "ES", "legal")
    changed = client.patch(
        f"{base}/{contact['id']}", headers=headers, json={"phone": "+34 600 000 000", "email": None}
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["phone"], changed.json()["email"]) == ("+34 600 000 000", None)
    assert changed.json()["name"] == "Ana Ruiz"
    assert [c["id"] for c in client.get(base, headers=headers).json()["items"]] == [contact["id"]]
    assert client.delete(f"{base}/{contact['id']}", headers=headers).status_code == 204
    assert client.get(base, headers=headers).json()["items"] == []
    assert client.delete(f"{base}/{contact['id']}", headers=headers).status_code == 404
    with world.session() as session:
        actions = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == "contact", AuditEvent.entity_id == str(contact["id"]))
            .order_by(AuditEvent.id)
        ).all()
    assert actions == ["contact.added", "contact.changed", "contact.removed"]


def test_bad_contacts_are_422s_naming_the_field(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url)
    headers = writer(world)
    base = f"/api/customers/{first_customer(world.a)}/contacts"
    for body, field in (
        ({"email": "not an email"}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"name": "X", "country": "ZZ"}, "country"),
        ({}, "name"),
        ({"name": "X", "role": ""}, "role"),
        ({"name": "X", "shoe_size": 44}, "shoe_size"),
    ):
        answer = client.post(base, headers=headers, json=body)
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["field"] == field
    contact = client.post(base, headers=headers, json={"name": "Solo"}).json()
    emptied = client.patch(f"{base}/{contact['id']}", headers=headers, json={"name": None})
    assert emptied.status_code == 422  # a contact with no way to reach it


def test_another_companys_customer_and_contacts_are_404(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    theirs = f"/api/customers/{first_customer(world.b)}/contacts"
    owner = writer(world, tenant=world.b)
    contact = client.post(theirs, headers=owner, json={"name": "Secreto"}).json()
    mine = writer(world, "admin")
    assert client.get(theirs, headers=mine).status_code == 404
    assert client.post(theirs, headers=mine, json={"name": "X"}).status_code == 404
    assert (
        client.patch(f"{theirs}/{contact['id']}", headers=mine, json={"name": "X"}).status_code
        == 404
    )
    assert client.delete(f"{theirs}/{contact['id']}", headers=mine).status_code == 404
    ours = f"/api/customers/{first_customer(world.a)}/contacts/{contact['id']}"
    assert client.patch(ours, headers=mine, json={"name": "X"}).status_code == 404
    viewer = writer(world, "viewer")
    assert (
        client.post(
            f"/api/customers/{first_customer(world.a)}/contacts", headers=viewer, json={"name": "X"}
        ).status_code
        == 403
    )
