"""Holds and tasks through the API: tenant-scoped, the `work` permission to change, audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cobro.audit.models import AuditEvent
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.kit.dates import today_in
from tests.factories.ledger import make_invoice
from tests.web.access import World, build_world


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def first_customer(world: World, which: str = "a") -> str:
    tenant = world.a if which == "a" else world.b
    return next(iter(tenant.customers))


def invoice_of(world: World, external_id: str, which: str = "a") -> str:
    tenant = world.a if which == "a" else world.b
    with world.session() as session:
        company = session.get_one(Company, tenant.id)
        customer = session.scalars(
            select(Customer).where(
                Customer.company_id == tenant.id, Customer.external_id == external_id
            )
        ).one()
        return make_invoice(session, company, customer).number


def audit_actions(world: World, entity_type: str, entity_id: int) -> list[str]:
    with world.session() as session:
        return list(
            session.scalars(
                select(AuditEvent.action)
                .where(
                    AuditEvent.entity_type == entity_type,
                    AuditEvent.entity_id == str(entity_id),
                )
                .order_by(AuditEvent.id)
            )
        )


def today() -> date:
    """The company's today when a test runs, not when the module was collected (a run may
    cross midnight in Madrid)."""
    return today_in("Europe/Madrid")


# ---- holds --------------------------------------------------------------------------------------


def test_a_collector_places_lists_and_releases_a_hold(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    headers = bearer(world.token("collector", ("write",)))
    customer = first_customer(world)
    number = invoice_of(world, customer)
    until = today() + timedelta(days=14)
    placed = client.post(
        "/api/holds",
        headers=headers,
        json={
            "customer": customer,
            "invoice": number,
            "reason": "disputed price",
            "until": until.isoformat(),
        },
    )
    assert placed.status_code == 201, placed.text
    hold = placed.json()
    assert (hold["customer"], hold["invoice"], hold["kind"]) == (customer, number, "manual")
    assert (hold["starts_on"], hold["ends_on"], hold["released_on"]) == (
        today().isoformat(),
        until.isoformat(),
        None,
    )
    whole = client.post(
        "/api/holds",
        headers=headers,
        json={"customer": customer, "kind": "promise", "reason": "pays Friday"},
    ).json()
    active = client.get("/api/holds?active=true", headers=headers).json()["items"]
    assert [item["id"] for item in active] == [whole["id"], hold["id"]]
    released = client.delete(f"/api/holds/{hold['id']}", headers=headers)
    assert released.status_code == 200
    assert released.json()["released_on"] == today().isoformat()
    assert client.delete(f"/api/holds/{hold['id']}", headers=headers).status_code == 409
    still = client.get("/api/holds?active=true", headers=headers).json()["items"]
    assert [item["id"] for item in still] == [whole["id"]]
    by_customer = client.get(f"/api/holds?customer={customer}", headers=headers).json()["items"]
    assert len(by_customer) == 2
    assert audit_actions(world, "hold", hold["id"]) == ["hold.placed", "hold.released"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"reason": "x"}, 422, "customer"),
        ({"customer": "NOPE", "reason": "x"}, 404, None),
        ({"customer": "{c}", "reason": ""}, 422, "reason"),
        ({"customer": "{c}", "reason": "x", "kind": "nonsense"}, 422, "kind"),
        (
            {"customer": "{c}", "reason": "x", "starts_on": "2026-05-02", "until": "2026-05-01"},
            422,
            "ends_on",
        ),
        ({"customer": "{c}", "reason": "x", "kind": "paid_claim"}, 422, "ends_on"),
    ],
)
def test_a_bad_hold_is_refused_naming_the_field(
    client: TestClient, web_database_url: str, body: dict[str, str], status: int, field: str | None
) -> None:
    world = build_world(web_database_url)
    filled = {key: value.replace("{c}", first_customer(world)) for key, value in body.items()}
    refused = client.post(
        "/api/holds", headers=bearer(world.token("admin", ("write",))), json=filled
    )
    assert refused.status_code == status, refused.text
    if field is not None:
        assert refused.json()["error"]["field"] == field


def test_a_filter_given_twice_is_refused_and_a_list_may_repeat(
    client: TestClient, web_database_url: str
) -> None:
    """`?active=true&active=false` means nothing: a 422 naming it, on every API route. A
    parameter declared as a list (a timeline's kinds) may repeat."""
    world = build_world(web_database_url)
    reader = bearer(world.token("viewer"))
    twice = client.get("/api/holds?active=true&active=false", headers=reader)
    assert (twice.status_code, twice.json()["error"]["field"]) == (422, "active")
    aging = client.get("/api/reports/aging?by=country&by=currency", headers=reader)
    assert (aging.status_code, aging.json()["error"]["field"]) == (422, "by")
    kinds = f"/api/customers/{first_customer(world)}/timeline?kind=note&kind=call"
    assert client.get(kinds, headers=reader).status_code == 200


def test_holds_are_tenant_scoped(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url)
    theirs = client.post(
        "/api/holds",
        headers=bearer(world.token("manager", ("write",), tenant=world.b)),
        json={"customer": first_customer(world, "b"), "reason": "theirs"},
    ).json()
    mine = bearer(world.token("manager", ("write",)))
    assert client.delete(f"/api/holds/{theirs['id']}", headers=mine).status_code == 404
    assert client.get("/api/holds", headers=mine).json()["items"] == []
    # their customer through my company: not found
    other = client.post(
        "/api/holds", headers=mine, json={"customer": first_customer(world, "b"), "reason": "x"}
    )
    assert other.status_code == 404


@pytest.mark.parametrize("role", ["viewer", "auditor"])
def test_readers_see_holds_but_cannot_place_or_release(
    client: TestClient, web_database_url: str, role: str
) -> None:
    world = build_world(web_database_url)
    headers = bearer(world.token(role, ("read",)))
    assert client.get("/api/holds", headers=headers).status_code == 200
    body = {"customer": first_customer(world), "reason": "x"}
    assert client.post("/api/holds", headers=headers, json=body).status_code == 403
    assert client.delete("/api/holds/1", headers=headers).status_code == 403


def test_a_read_token_of_a_collector_cannot_place_a_hold(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    body = {"customer": first_customer(world), "reason": "x"}
    headers = bearer(world.token("collector", ("read",)))
    assert client.post("/api/holds", headers=headers, json=body).status_code == 403


# ---- tasks --------------------------------------------------------------------------------------


def test_a_collector_creates_filters_reassigns_and_completes_a_task(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    headers = bearer(world.token("collector", ("write",)))
    customer = first_customer(world)
    number = invoice_of(world, customer)
    made = client.post(
        "/api/tasks",
        headers=headers,
        json={
            "kind": "call",
            "title": "Call about F",
            "due_on": today().isoformat(),
            "invoice": number,
            "assignee": "ana",
        },
    )
    assert made.status_code == 201, made.text
    task = made.json()
    assert (task["customer"], task["status"], task["assignee"]) == (customer, "open", "ana")
    assert task["invoice"] == number
    later = client.post(
        "/api/tasks",
        headers=headers,
        json={
            "kind": "review",
            "title": "Review terms",
            "due_on": (today() + timedelta(days=30)).isoformat(),
        },
    ).json()
    calls = client.get("/api/tasks?kind=call", headers=headers).json()["items"]
    assert [item["id"] for item in calls] == [task["id"]]
    soon = client.get(
        f"/api/tasks?due={(today() + timedelta(days=1)).isoformat()}", headers=headers
    ).json()["items"]
    assert [item["id"] for item in soon] == [task["id"]]
    assert [
        i["id"] for i in client.get("/api/tasks?assignee=ana", headers=headers).json()["items"]
    ] == [task["id"]]
    moved = client.patch(f"/api/tasks/{task['id']}", headers=headers, json={"assignee": "luis"})
    assert moved.json()["assignee"] == "luis"
    done = client.patch(
        f"/api/tasks/{task['id']}",
        headers=headers,
        json={"status": "done", "outcome": "promised to pay Friday"},
    )
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["outcome"]) == ("done", "promised to pay Friday")
    assert done.json()["closed_at"] is not None
    again = client.patch(f"/api/tasks/{task['id']}", headers=headers, json={"status": "cancelled"})
    assert again.status_code == 409
    cancelled = client.patch(
        f"/api/tasks/{later['id']}",
        headers=headers,
        json={"status": "cancelled", "outcome": "not needed"},
    )
    assert cancelled.json()["status"] == "cancelled"
    open_ones = client.get("/api/tasks?status=open", headers=headers).json()["items"]
    assert open_ones == []
    assert audit_actions(world, "task", task["id"]) == [
        "task.created",
        "task.changed",
        "task.changed",
    ]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"title": "x"}, 422, "due_on"),
        ({"title": "", "due_on": "2026-05-01"}, 422, "title"),
        ({"title": "x", "due_on": "2026-05-01", "kind": "nap"}, 422, "kind"),
        ({"title": "x", "due_on": "2026-05-01", "customer": "NOPE"}, 404, None),
        ({"title": "x", "due_on": "2026-05-01", "invoice": "NOPE"}, 404, None),
    ],
)
def test_a_bad_task_is_refused(
    client: TestClient, web_database_url: str, body: dict[str, str], status: int, field: str | None
) -> None:
    world = build_world(web_database_url)
    refused = client.post("/api/tasks", headers=bearer(world.token("admin", ("write",))), json=body)
    assert refused.status_code == status, refused.text
    if field is not None:
        assert refused.json()["error"]["field"] == field


def test_an_outcome_without_closing_is_refused(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url)
    headers = bearer(world.token("admin", ("write",)))
    task = client.post(
        "/api/tasks", headers=headers, json={"title": "x", "due_on": "2026-05-01"}
    ).json()
    refused = client.patch(f"/api/tasks/{task['id']}", headers=headers, json={"outcome": "done?"})
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "outcome"


def test_tasks_are_tenant_scoped_and_readers_cannot_change_them(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    theirs = client.post(
        "/api/tasks",
        headers=bearer(world.token("admin", ("write",), tenant=world.b)),
        json={"title": "theirs", "due_on": "2026-05-01", "customer": first_customer(world, "b")},
    ).json()
    mine = bearer(world.token("admin", ("write",)))
    assert (
        client.patch(
            f"/api/tasks/{theirs['id']}", headers=mine, json={"status": "done"}
        ).status_code
        == 404
    )
    assert client.get("/api/tasks", headers=mine).json()["items"] == []
    reader = bearer(world.token("viewer", ("read",)))
    assert client.get("/api/tasks", headers=reader).status_code == 200
    assert (
        client.post(
            "/api/tasks", headers=reader, json={"title": "x", "due_on": "2026-05-01"}
        ).status_code
        == 403
    )
    assert (
        client.patch(
            f"/api/tasks/{theirs['id']}", headers=reader, json={"status": "done"}
        ).status_code
        == 403
    )


def test_a_task_for_an_invoice_of_another_customer_is_refused(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url, customer_names=("Uno", "Dos"))
    one, two = list(world.a.customers)
    number = invoice_of(world, two)
    refused = client.post(
        "/api/tasks",
        headers=bearer(world.token("admin", ("write",))),
        json={
            "title": "x",
            "due_on": date(2026, 5, 1).isoformat(),
            "customer": one,
            "invoice": number,
        },
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "invoice"
