"""The worklist and notes API: the ranked rows with their reasons, notes and calls read by every
role and written by collectors and up (a token's `write` scope); another company's customer is
a 404 and never listed; errors name the field."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.access import ROLES, World, build_world
from tests.web.worklist_world import owes, queue_action

NAMES = ("Ferretería López", "Panadería Sol", "<script>alert(1)</script>")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def world(web_database_url: str) -> World:
    world = build_world(web_database_url, NAMES)
    first, second, third = world.a.customers
    owes(world, world.a, first, 1_000_00, 10)
    owes(world, world.a, second, 2_000_00, 45, call_task=True)
    owes(world, world.a, third, 500_00, 100)
    for external_id in world.b.customers:
        owes(world, world.b, external_id, 90_000_00, 200)
    return world


def test_the_worklist_is_ranked_with_reasons(client: TestClient, world: World) -> None:
    answer = client.get("/api/worklist", headers=bearer(world.token("viewer")))
    assert answer.status_code == 200
    items = answer.json()["items"]
    first, second, third = world.a.customers
    assert [item["customer"] for item in items] == [second, third, first]
    top = items[0]
    assert top["customer_name"] == "Panadería Sol"
    assert (top["overdue"], top["days_overdue"], top["call_tasks"]) == (2_000_00, 45, 1)
    assert top["reason"] == (
        "€2,000.00 overdue, 45 days, not chased yet, no grade, call task open, promise none"
    )
    assert items[1]["customer_name"] == "<script>alert(1)</script>"  # data, never markup
    assert answer.headers["content-type"] == "application/json"
    paged = client.get("/api/worklist?limit=1&offset=1", headers=bearer(world.token("auditor")))
    assert [item["customer"] for item in paged.json()["items"]] == [third]
    assert paged.json()["next_offset"] == 2


def test_filters_that_match_nothing_give_an_empty_page(client: TestClient, world: World) -> None:
    headers = bearer(world.token("viewer"))
    assert client.get("/api/worklist?collector=Nadie", headers=headers).json()["items"] == []
    assert client.get("/api/worklist?stage=final", headers=headers).json()["items"] == []
    assert client.get("/api/worklist?limit=0", headers=headers).status_code == 422
    twice = client.get("/api/worklist?stage=firm&stage=final", headers=headers)
    assert (twice.status_code, twice.json()["error"]["field"]) == (422, "stage")
    assert client.get("/api/notes?kind=note&kind=call", headers=headers).status_code == 422


def test_a_collector_logs_a_call_and_reads_it_back(client: TestClient, world: World) -> None:
    _, second, _ = world.a.customers
    headers = bearer(world.token("collector", ("read", "write")))
    logged = client.post(
        f"/api/customers/{second}/calls",
        json={"outcome": "no_answer", "body": "Buzón de voz"},
        headers=headers,
    )
    assert logged.status_code == 201, logged.text
    body = logged.json()
    assert body["note"]["kind"] == "call"
    assert body["note"]["outcome"] == "no_answer"
    assert body["note"]["author"] == "Collector A"
    assert len(body["closed_tasks"]) == 1
    assert body["follow_up_task"] is not None
    notes = client.get(f"/api/customers/{second}/notes", headers=bearer(world.token("viewer")))
    assert next(note["body"] for note in notes.json()["items"]) == "Buzón de voz"
    calls = client.get("/api/notes?kind=call&outcome=no_answer", headers=headers).json()
    assert [note["customer"] for note in calls["items"]] == [second]
    row = next(
        item
        for item in client.get("/api/worklist", headers=headers).json()["items"]
        if item["customer"] == second
    )
    assert row["last_call_outcome"] == "no_answer"
    assert row["call_tasks"] == 1  # the follow-up


def test_a_note_is_written_and_listed(client: TestClient, world: World) -> None:
    first, _, _ = world.a.customers
    headers = bearer(world.token("manager", ("write",)))
    added = client.post(
        f"/api/customers/{first}/notes", json={"body": "<script>x</script>"}, headers=headers
    )
    assert added.status_code == 201
    assert added.json()["body"] == "<script>x</script>"
    listed = client.get(f"/api/notes?customer={first}", headers=headers).json()["items"]
    assert added.json()["id"] in [note["id"] for note in listed]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("notes", {"body": ""}, "body"),
        ("notes", {"body": "x" * 2001}, "body"),
        ("notes", {"body": "x", "invoice": "NOPE"}, "invoice"),
        ("calls", {"outcome": "maybe"}, "outcome"),
        ("calls", {"outcome": "reached", "follow_up_on": "2030-01-01"}, "follow_up_on"),
        ("calls", {"outcome": "call_back", "follow_up_on": "2000-01-01"}, "follow_up_on"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    client: TestClient, world: World, path: str, body: dict[str, object], field: str
) -> None:
    first, _, _ = world.a.customers
    headers = bearer(world.token("collector", ("write",)))
    answer = client.post(f"/api/customers/{first}/{path}", json=body, headers=headers)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"].endswith(field)


def test_pause_and_send_now(client: TestClient, world: World) -> None:
    first, _, third = world.a.customers
    headers = bearer(world.token("collector", ("write",)))
    paused = client.post(
        f"/api/worklist/{third}/pause", json={"days": 3, "reason": "vacaciones"}, headers=headers
    )
    assert paused.status_code == 201, paused.text
    assert paused.json()["kind"] == "manual"
    items = client.get("/api/worklist", headers=headers).json()["items"]
    assert items[-1]["customer"] == third
    assert items[-1]["on_hold"] is True
    assert "on hold: manual until" in items[-1]["reason"]
    bad = client.post(
        f"/api/worklist/{first}/pause", json={"days": 0, "reason": "x"}, headers=headers
    )
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "days")
    nothing = client.post(f"/api/worklist/{first}/send-now", headers=headers)
    assert nothing.status_code == 409
    action_id = queue_action(world, world.a, first)
    sent = client.post(f"/api/worklist/{first}/send-now", headers=headers)
    assert sent.status_code == 200
    assert sent.json()["actions"] == [action_id]


@pytest.mark.parametrize("role", ["viewer", "auditor"])
def test_readers_may_not_write(client: TestClient, world: World, role: str) -> None:
    first, _, _ = world.a.customers
    headers = bearer(world.token(role, ("read", "write")))
    for path, body in (
        (f"/api/customers/{first}/notes", {"body": "x"}),
        (f"/api/customers/{first}/calls", {"outcome": "reached"}),
        (f"/api/worklist/{first}/pause", {"days": 1, "reason": "x"}),
        (f"/api/worklist/{first}/send-now", None),
    ):
        assert client.post(path, json=body, headers=headers).status_code == 403


def test_a_read_token_may_not_write(client: TestClient, world: World) -> None:
    first, _, _ = world.a.customers
    answer = client.post(
        f"/api/customers/{first}/notes", json={"body": "x"}, headers=bearer(world.token("admin"))
    )
    assert answer.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_another_companys_customers_are_404_and_never_listed(
    client: TestClient, world: World, role: str
) -> None:
    headers = bearer(world.token(role, ("read", "write")))
    secrets = list(world.b.customers.values())
    for external_id in world.b.customers:
        for method, path, body in (
            ("GET", f"/api/customers/{external_id}/notes", None),
            ("POST", f"/api/customers/{external_id}/notes", {"body": "x"}),
            ("POST", f"/api/customers/{external_id}/calls", {"outcome": "reached"}),
            ("POST", f"/api/worklist/{external_id}/pause", {"days": 1, "reason": "x"}),
            ("POST", f"/api/worklist/{external_id}/send-now", None),
            ("GET", f"/api/notes?customer={external_id}", None),
        ):
            answer = client.request(method, path, json=body, headers=headers)
            assert answer.status_code in (403, 404), (method, path, answer.status_code)
            assert not any(secret in answer.text for secret in secrets)
    for path in ("/api/worklist", "/api/notes", "/api/worklist?limit=200"):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 200
        assert not any(secret in answer.text for secret in secrets)
        assert world.b.code not in answer.text


def test_without_credentials_it_is_401(client: TestClient, world: World) -> None:
    assert client.get("/api/worklist").status_code == 401
    assert client.get("/api/notes").status_code == 401
