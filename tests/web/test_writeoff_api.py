"""Write-offs through the API: within the caller's limit made at once (201), above it a request
(202) that another person whose limit covers it approves, rejects, or the asker cancels; the
company's limits read by all and changed by managers; another company's request is a 404."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from cobro.company.models import Company
from tests.web.access import World, build_world
from tests.web.ledger_world import first_customer, keyed, new_invoice, new_payment, post, writer


@pytest.fixture(scope="module")
def world(web_database_url: str) -> World:
    world = build_world(web_database_url, ("Ferretería López",))
    with world.session() as session:
        company = session.get_one(Company, world.a.id)
        company.collector_write_off_limit = 50_00
        company.manager_write_off_limit = 500_00
    return world


def write_off(
    client: TestClient, headers: dict[str, str], number: str, amount: int | None = None
) -> tuple[int, dict[str, Any]]:
    body: dict[str, Any] = {
        "written_off_on": "2026-06-30",
        "reason_code": "bad_debt",
        "reason": "the customer closed down",
    }
    if amount is not None:
        body["amount"] = amount
    answer = post(client, f"/api/invoices/{number}/write-offs", headers, body)
    return answer.status_code, answer.json()


def approve(
    client: TestClient, headers: dict[str, str], request_id: object, key: str = ""
) -> Response:
    return client.post(
        f"/api/write-offs/requests/{request_id}/approve", headers=keyed(headers, key or None)
    )


def test_within_the_limit_it_is_made_at_once(client: TestClient, world: World) -> None:
    collector = writer(world, "collector")
    invoice = new_invoice(client, collector, first_customer(world.a), total=80_00)
    status, body = write_off(client, collector, invoice["number"], 50_00)
    assert status == 201, body
    assert body["open_amount"] == 30_00
    [entry] = body["write_offs"]
    assert entry["amount"] == 50_00


def test_a_collector_over_the_limit_waits_and_a_manager_approves(
    client: TestClient, world: World
) -> None:
    collector, manager = writer(world, "collector"), writer(world, "manager")
    invoice = new_invoice(client, collector, first_customer(world.a), total=300_00)
    status, request = write_off(client, collector, invoice["number"])
    assert status == 202, request
    assert (request["status"], request["amount"], request["amount_now"]) == (
        "pending",
        None,
        300_00,
    )
    assert request["requested_by"] == world.a.users["collector"]
    shown = client.get(f"/api/invoices/{invoice['number']}", headers=collector).json()
    assert shown["open_amount"] == 300_00  # nothing written yet
    pending = client.get("/api/write-offs/requests", params={"status": "pending"}, headers=manager)
    assert request["id"] in [item["id"] for item in pending.json()["items"]]

    assert approve(client, collector, request["id"]).status_code == 403  # own: four eyes
    key = str(uuid.uuid4())
    approved = approve(client, manager, request["id"], key)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["decided_by"] == world.a.users["manager"]
    again = approve(client, manager, request["id"], key)  # a retry: the same answer, no move
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert approve(client, manager, request["id"]).status_code == 409  # a new key: decided
    shown = client.get(f"/api/invoices/{invoice['number']}", headers=collector).json()
    assert shown["open_amount"] == 0
    assert [w["amount"] for w in shown["write_offs"]] == [300_00]


def test_nobody_approves_their_own_request_however_high_their_role(
    client: TestClient, world: World
) -> None:
    manager, admin = writer(world, "manager"), writer(world, "admin")
    invoice = new_invoice(client, manager, first_customer(world.a), total=900_00)
    status, request = write_off(client, manager, invoice["number"])  # above the manager's 500
    assert status == 202, request
    assert approve(client, manager, request["id"]).status_code == 403
    assert approve(client, admin, request["id"]).status_code == 200


def test_a_payment_meanwhile_makes_the_approval_a_conflict(
    client: TestClient, world: World
) -> None:
    collector, manager = writer(world, "collector"), writer(world, "manager")
    customer = first_customer(world.a)
    invoice = new_invoice(client, collector, customer, total=200_00)
    status, request = write_off(client, collector, invoice["number"], 150_00)
    assert status == 202
    new_payment(
        client,
        collector,
        customer,
        100_00,
        allocations=[{"invoice": invoice["number"], "amount": 100_00}],
    )
    refused = approve(client, manager, request["id"])
    assert refused.status_code == 409
    assert refused.json()["error"]["field"] == "amount"
    shown = client.get(f"/api/invoices/{invoice['number']}", headers=collector).json()
    assert (shown["open_amount"], shown["write_offs"]) == (100_00, [])
    rejected = client.post(
        f"/api/write-offs/requests/{request['id']}/reject",
        headers=manager,
        json={"note": "paid in part: ask again"},
    )
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["status"], rejected.json()["decision_note"]) == (
        "rejected",
        "paid in part: ask again",
    )


def test_the_asker_cancels_and_others_may_not(client: TestClient, world: World) -> None:
    collector, manager = writer(world, "collector"), writer(world, "manager")
    invoice = new_invoice(client, collector, first_customer(world.a), total=120_00)
    _, request = write_off(client, collector, invoice["number"])
    path = f"/api/write-offs/requests/{request['id']}/cancel"
    assert client.post(path, headers=manager).status_code == 403
    cancelled = client.post(path, headers=collector)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"


def test_viewers_may_not_write_off(client: TestClient, world: World) -> None:
    invoice = new_invoice(client, writer(world), first_customer(world.a), total=10_00)
    status, _ = write_off(client, writer(world, "viewer"), invoice["number"])
    assert status == 403


def test_settings_are_read_by_all_and_changed_by_managers(client: TestClient, world: World) -> None:
    shown = client.get("/api/write-offs/settings", headers=writer(world, "collector"))
    assert shown.json() == {
        "small_balance_limit": 0,
        "collector_write_off_limit": 50_00,
        "manager_write_off_limit": 500_00,
    }
    change = {"small_balance_limit": 1_00}
    collector = writer(world, "collector")
    assert client.put("/api/write-offs/settings", headers=collector, json=change).status_code == 403
    manager = writer(world, "manager")
    changed = client.put("/api/write-offs/settings", headers=manager, json=change)
    assert changed.status_code == 200, changed.text
    assert changed.json()["small_balance_limit"] == 1_00
    assert changed.json()["manager_write_off_limit"] == 500_00  # not given: unchanged
    negative = client.put(
        "/api/write-offs/settings", headers=manager, json={"collector_write_off_limit": -1}
    )
    assert negative.status_code == 422
    restore = {"small_balance_limit": 0}
    assert client.put("/api/write-offs/settings", headers=manager, json=restore).status_code == 200


def test_another_companys_request_is_not_found(client: TestClient, world: World) -> None:
    theirs = writer(world, "collector", world.b)
    invoice = new_invoice(client, theirs, first_customer(world.b), total=10_00)
    status, request = write_off(client, theirs, invoice["number"])  # B's collector limit: 0
    assert status == 202
    mine = writer(world, "admin")
    assert approve(client, mine, request["id"]).status_code == 404
    listed = client.get("/api/write-offs/requests", headers=mine).json()["items"]
    assert request["id"] not in [item["id"] for item in listed]
