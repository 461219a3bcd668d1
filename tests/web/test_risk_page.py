"""The risk page (/risk): with nothing trained or scored it says how to start; a manager trains
and scores from it (CSRF-protected forms that come back with what was done) and then reads the
model's figures, the customers per grade, the 13-week cash forecast and the charts' data; a
viewer reads but has no buttons and may not post; too little history is a 422 beside the Train
button; and in Spanish."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cobro.company.models import Company
from cobro.kit.dates import today_in
from tests.scoring.test_service import paying_ledger
from tests.web.access import World, build_world, sign_in, speak

CUSTOMERS = 24
INVOICES = 12  # a month each; the last one still open


@pytest.fixture
def world(web_database_url: str) -> World:
    built = build_world(web_database_url)
    with built.session() as session:
        company = session.get_one(Company, built.a.id)
        paying_ledger(session, company, customers=CUSTOMERS, invoices=INVOICES)
    return built


def signed_in(client: TestClient, email: str) -> TestClient:
    assert sign_in(client, email).status_code == 303
    return client


def csrf_of(html: str) -> str:
    """The token of the page's forms, as a browser would post it."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, "no form with a CSRF token"
    return found.group(1)


def charts_of(html: str) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="risk-charts">(.*?)</script>', html, re.S
    )
    assert found is not None, "no charts' data"
    charts: dict[str, Any] = json.loads(found.group(1))
    return charts


def cell(html: str, row_id: str, column: str) -> str:
    found = re.search(
        rf'<tr[^>]*id="{row_id}".*?<td class="[^"]*\b{column}\b[^"]*">(.*?)</td>', html
    )
    assert found is not None, f"no {column} in row {row_id}"
    return found.group(1)


def company_today(world: World) -> date:
    with world.session() as session:
        return today_in(session.get_one(Company, world.a.id).timezone)


def test_the_page_with_no_model_and_no_forecast_says_how_to_make_them(
    client: TestClient, world: World
) -> None:
    page = signed_in(client, world.a.users["collector"]).get("/risk")
    assert page.status_code == 200
    html = page.text
    assert '<a href="/risk">Risk</a>' in html  # in the navigation
    assert "No model is trained yet: the rules grade every customer." in html
    assert "cobro model train" in html
    assert "No customer is scored yet" in html
    assert "No cash forecast yet" in html
    assert "No experiment yet" in html
    assert 'src="/static/vendor/chart.umd.min.js"' in html
    assert 'src="/static/risk.js"' in html
    # nothing scored: every grade counts none, and no forecast to draw
    charts = charts_of(html)
    assert charts["grades"]["values"] == [0, 0, 0, 0, 0]
    assert charts["forecasts"] == []
    assert 'action="/risk/train"' not in html  # a collector may not configure


def test_a_manager_trains_and_scores_and_reads_the_figures(
    client: TestClient, world: World
) -> None:
    manager = signed_in(client, world.a.users["manager"])
    token = csrf_of(manager.get("/risk").text)
    trained = manager.post("/risk/train", data={"csrf_token": token}, follow_redirects=False)
    assert (trained.status_code, trained.headers["location"]) == (303, "/risk?done=trained")
    assert "The model is trained" in manager.get("/risk?done=trained").text
    scored = manager.post("/risk/score", data={"csrf_token": token}, follow_redirects=False)
    assert (scored.status_code, scored.headers["location"]) == (303, "/risk?done=scored")
    page = manager.get("/risk?done=scored")
    assert page.status_code == 200
    html = page.text
    assert "Every customer is graded and the cash forecast is made." in html
    # the model: 24 customers × 11 paid invoices (the 12th is open), and it is in use
    model = re.search(r'<tr class="model" id="(model-\d+)">', html)
    assert model is not None
    assert cell(html, model.group(1), "examples") == str(CUSTOMERS * (INVOICES - 1))
    assert cell(html, model.group(1), "in-use") == "yes"
    accuracy = float(cell(html, model.group(1), "accuracy").rstrip("%").strip())
    assert accuracy >= 95.0  # the two kinds of payer are easy to tell apart
    assert cell(html, model.group(1), "days-model") in ("boosting", "history")
    assert "No model is trained yet" not in html
    assert "is not in use" not in html
    # the grades, scored today: the ledger's 24 customers by the model, and the world's own
    # customer (no invoice at all) by the rules, with no grade
    counts = {g: int(cell(html, f"grade-{g}", "customers")) for g in ("A", "B", "C", "D", "none")}
    assert sum(counts.values()) == CUSTOMERS + 1
    assert counts["none"] == 1
    by_model = {g: int(cell(html, f"grade-{g}", "by-model")) for g in counts}
    assert sum(by_model.values()) == CUSTOMERS
    assert (by_model["none"], cell(html, "grade-none", "by-rules")) == (0, "1")
    today = company_today(world).isoformat()
    assert f"Scored on {today}: {CUSTOMERS} customers graded by the model, 1 by the rules." in html
    # the forecast: 13 weeks of EUR, none over yet (it was made today)
    weeks = re.findall(r'<tr class="week" data-currency="EUR">', html)
    assert len(weeks) == 13
    assert f"as forecast on {today}" in html
    assert 'id="chart-forecast-EUR"' in html
    assert 'id="chart-grades"' in html
    # the charts' data says what the tables say
    charts = charts_of(html)
    assert charts["grades"]["labels"] == ["A", "B", "C", "D", "no grade"]
    assert charts["grades"]["values"] == [counts[g] for g in ("A", "B", "C", "D", "none")]
    (eur,) = charts["forecasts"]
    assert eur["currency"] == "EUR"
    assert len(eur["labels"]) == len(eur["expected"]) == 13
    assert all(
        low <= mid <= high
        for low, mid, high in zip(eur["low"], eur["expected"], eur["high"], strict=True)
    )
    assert eur["received"] == [None] * 13
    assert charts["names"] == {"expected": "Expected", "low": "Low", "high": "High",
                               "received": "Received"}  # fmt: skip
    assert "<script>" not in html  # the data is a JSON block, never inline script


def test_a_viewer_reads_the_page_but_has_no_buttons_and_may_not_post(
    client: TestClient, world: World
) -> None:
    viewer = signed_in(client, world.a.users["viewer"])
    page = viewer.get("/risk")
    assert page.status_code == 200
    assert 'action="/risk/train"' not in page.text
    assert 'action="/risk/score"' not in page.text
    token = viewer.get("/account").text  # a page with a form: the viewer's CSRF token
    data = {"csrf_token": csrf_of(token)}
    assert viewer.post("/risk/train", data=data, follow_redirects=False).status_code == 403
    assert viewer.post("/risk/score", data=data, follow_redirects=False).status_code == 403


def test_a_post_without_the_csrf_token_is_refused(client: TestClient, world: World) -> None:
    manager = signed_in(client, world.a.users["manager"])
    assert manager.post("/risk/score", follow_redirects=False).status_code == 403
    assert "No customer is scored yet" in manager.get("/risk").text


def test_too_little_history_is_a_422_beside_the_train_button(
    client: TestClient, world: World
) -> None:
    manager = signed_in(client, world.b.users["manager"])
    token = csrf_of(manager.get("/risk").text)
    answer = manager.post("/risk/train", data={"csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 422
    problem = re.search(r'<p class="problem" id="train-error" role="alert">(.*?)</p>', answer.text)
    assert problem is not None
    assert problem.group(1).startswith("only 0 paid invoices to learn from")
    assert 'aria-describedby="train-error"' in answer.text
    assert "No model is trained yet" in answer.text


def test_the_page_in_spanish(client: TestClient, world: World) -> None:
    manager = signed_in(client, world.a.users["manager"])
    speak(manager, "es")
    page = manager.get("/risk")
    assert page.status_code == 200
    assert page.headers["Content-Language"] == "es"
    html = page.text
    assert "<h1>Riesgo</h1>" in html
    assert '<a href="/risk">Riesgo</a>' in html
    assert "Previsión de cobros" in html
    assert "Entrenar un modelo" in html
    assert "Aún no hay ningún modelo entrenado" in html
    assert charts_of(html)["grades"]["labels"][-1] == "sin calificación"
