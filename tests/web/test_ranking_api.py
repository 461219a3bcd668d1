"""The collection ranking through the API and the customer page: a manager trains and scores;
any role reads the models, a customer's score with its reasons, and the cash forecast; a
collector or a read token may not train; another company's customer is never seen."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cobro.company.models import Company
from tests.scoring.test_service import paying_ledger
from tests.web.access import World, build_world, sign_in
from tests.web.ledger_world import writer


@pytest.fixture
def world(web_database_url: str) -> World:
    built = build_world(web_database_url)
    with built.session() as session:
        paying_ledger(session, session.get_one(Company, built.a.id), customers=24, invoices=12)
    return built


def reader(world: World, role: str = "viewer") -> dict[str, str]:
    return {"Authorization": f"Bearer {world.token(role)}"}


def test_a_manager_trains_and_scores_and_anyone_reads_the_results(
    client: TestClient, world: World
) -> None:
    manager = writer(world, "manager")
    trained = client.post("/api/model/train", headers=manager)
    assert trained.status_code == 200, trained.text
    assert trained.json()["examples"] == 24 * 11
    assert trained.json()["metrics"]["accuracy"] >= 0.95
    scored = client.post("/api/model/score", headers=manager)
    assert scored.status_code == 200, scored.text
    assert scored.json()["by_model"] == 24
    models = client.get("/api/model", headers=reader(world, "auditor")).json()
    assert [(m["examples"], m["in_use"]) for m in models] == [(24 * 11, True)]
    score = client.get("/api/customers/bad-1/score", headers=reader(world))
    assert score.status_code == 200, score.text
    body = score.json()
    assert body["graded_by"] == "model"
    assert body["grade"] in ("C", "D")
    assert body["late_permille"] > 500
    assert body["reasons"]
    forecast = client.get("/api/forecast", headers=reader(world))
    assert forecast.status_code == 200, forecast.text
    weeks = forecast.json()["weeks"]
    assert len(weeks) == 13
    assert all(w["low"] <= w["expected"] <= w["high"] for w in weeks)


def test_a_collector_or_a_read_token_may_not_train(client: TestClient, world: World) -> None:
    assert client.post("/api/model/train", headers=writer(world, "collector")).status_code == 403
    assert client.post("/api/model/score", headers=reader(world, "manager")).status_code == 403


def test_too_little_history_is_a_422_naming_the_reason(client: TestClient, world: World) -> None:
    answer = client.post("/api/model/train", headers=writer(world, "manager", world.b))
    assert answer.status_code == 422
    assert "paid invoices to learn from" in answer.text


def test_a_customer_not_yet_scored_or_of_another_company_is_a_404(
    client: TestClient, world: World
) -> None:
    assert client.get("/api/customers/bad-1/score", headers=reader(world)).status_code == 404
    assert client.get("/api/forecast", headers=reader(world)).status_code == 404
    client.post("/api/model/score", headers=writer(world, "manager"))
    foreign = next(iter(world.b.customers))
    assert client.get(f"/api/customers/{foreign}/score", headers=reader(world)).status_code == 404


def test_the_customer_page_shows_the_grade_its_reasons_and_who_gave_it(
    client: TestClient, world: World
) -> None:
    manager = writer(world, "manager")
    client.post("/api/model/train", headers=manager)
    client.post("/api/model/score", headers=manager)
    sign_in(client, world.a.users["collector"])
    page = client.get("/customers/bad-1")
    assert page.status_code == 200
    assert 'id="risk"' in page.text
    assert "graded by the model" in page.text
    assert "the risk)" in page.text


def test_a_manager_assigns_the_worklist_to_collectors_within_their_capacity(
    client: TestClient, world: World
) -> None:
    manager = writer(world, "manager")
    body = {"collectors": {"Ana": 10, "Luis": 4}, "dry_run": True}
    tried = client.post("/api/worklist/assign", headers=manager, json=body)
    assert tried.status_code == 200, tried.text
    found = tried.json()
    assert found["load"] == {"Ana": 10, "Luis": 4}
    assert len(found["changes"]) == 14
    assert len(found["unplaced"]) == 24 - 14
    listed = client.get("/api/worklist", headers=reader(world), params={"limit": 1}).json()
    assert listed["items"][0]["collector"] is None  # a dry run saves nothing
    done = client.post(
        "/api/worklist/assign", headers=manager, json={**body, "dry_run": False}
    ).json()
    assert done["changes"] == found["changes"]
    first = client.get("/api/worklist", headers=reader(world), params={"limit": 1}).json()
    assert first["items"][0]["collector"] in ("Ana", "Luis")
    assert client.post("/api/worklist/assign", headers=writer(world), json=body).status_code == 403
    bad = client.post("/api/worklist/assign", headers=manager, json={"collectors": {"Ana": -1}})
    assert bad.status_code == 422
    assert "capacity" in bad.text
