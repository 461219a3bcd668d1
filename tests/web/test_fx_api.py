"""FX rates through the API: any role lists its company's rates only; managers and admins
set, replace and remove a day's rate (a collector or a read token may not); mistakes are 422s
naming the field; another company's rate is never seen nor touched."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.access import World, build_world
from tests.web.ledger_world import writer


@pytest.fixture
def world(web_database_url: str) -> World:
    return build_world(web_database_url)


def reader(world: World, role: str = "viewer") -> dict[str, str]:
    return {"Authorization": f"Bearer {world.token(role)}"}


def test_a_manager_sets_replaces_lists_and_removes_a_rate(client: TestClient, world: World) -> None:
    manager = writer(world, "manager")
    answer = client.put(
        "/api/fx-rates/usd/2026-11-24", headers=manager, json={"rate": "0.92", "source": "ECB"}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["currency"], body["day"], body["rate"], body["reporting"], body["source"]) == (
        "USD", "2026-11-24", "0.92", "EUR", "ECB",
    )  # fmt: skip
    replaced = client.put("/api/fx-rates/USD/2026-11-24", headers=manager, json={"rate": "0.925"})
    assert replaced.json()["rate"] == "0.925"
    assert replaced.json()["source"] is None
    client.put("/api/fx-rates/GBP/2026-11-20", headers=manager, json={"rate": "1.15"})
    listed = client.get("/api/fx-rates", headers=reader(world, "auditor"))
    assert listed.status_code == 200
    assert [(r["currency"], r["rate"]) for r in listed.json()] == [
        ("USD", "0.925"),
        ("GBP", "1.15"),
    ]
    only = client.get("/api/fx-rates", params={"currency": "GBP", "limit": 1}, headers=manager)
    assert [r["currency"] for r in only.json()] == ["GBP"]
    gone = client.delete("/api/fx-rates/USD/2026-11-24", headers=manager)
    assert gone.status_code == 204
    again = client.delete("/api/fx-rates/USD/2026-11-24", headers=manager)
    assert again.status_code == 404
    assert [r["currency"] for r in client.get("/api/fx-rates", headers=manager).json()] == ["GBP"]


def test_only_managers_and_admins_change_rates(client: TestClient, world: World) -> None:
    body = {"rate": "0.92"}
    path = "/api/fx-rates/USD/2026-11-24"
    assert client.put(path, headers=writer(world, "collector"), json=body).status_code == 403
    assert client.put(path, headers=reader(world, "manager"), json=body).status_code == 403
    assert client.delete(path, headers=writer(world, "collector")).status_code == 403
    assert client.put(path, headers=writer(world, "admin"), json=body).status_code == 200
    assert client.get("/api/fx-rates").status_code == 401


def test_mistakes_are_422s_naming_the_field(client: TestClient, world: World) -> None:
    admin = writer(world, "admin")
    cases = [
        ("/api/fx-rates/EUR/2026-11-24", {"rate": "1"}, "currency"),
        ("/api/fx-rates/XYZ/2026-11-24", {"rate": "1"}, "currency"),
        ("/api/fx-rates/USD/2026-11-24", {"rate": "0,92"}, "rate"),
        ("/api/fx-rates/USD/2026-11-24", {"rate": "0"}, "rate"),
        ("/api/fx-rates/USD/2026-11-24", {"rate": "0.12345678901"}, "rate"),
    ]
    for path, body, field in cases:
        answer = client.put(path, headers=admin, json=body)
        assert answer.status_code == 422, (path, body, answer.text)
        assert answer.json()["error"]["field"] == field, (path, body, answer.text)
    assert (
        client.put("/api/fx-rates/USD/2026-02-30", headers=admin, json={"rate": "1"}).status_code
        == 422
    )
    assert client.get("/api/fx-rates", headers=admin).json() == []


def test_another_companys_rates_are_never_seen_nor_touched(
    client: TestClient, world: World
) -> None:
    theirs = writer(world, "admin", world.b)
    client.put("/api/fx-rates/USD/2026-11-24", headers=theirs, json={"rate": "0.5"})
    mine = writer(world, "admin")
    assert client.get("/api/fx-rates", headers=mine).json() == []
    assert client.delete("/api/fx-rates/USD/2026-11-24", headers=mine).status_code == 404
    [kept] = client.get("/api/fx-rates", headers=theirs).json()
    assert kept["rate"] == "0.5"
