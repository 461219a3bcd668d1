from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cobro.errors import Conflict, NotFound
from cobro.web.security import CSRF_COOKIE
from tests.web.conftest import app_on

UNREACHABLE = [
    pytest.param("sqlite:////nonexistent-folder/cobro.db", id="sqlite-folder-missing"),
    pytest.param("postgresql+psycopg://postgres@127.0.0.1:1/cobro", id="postgresql-down"),
]


def test_an_unknown_api_address_is_a_json_404(client: TestClient) -> None:
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"message": "There is no page at this address.", "field": None}
    }


def test_an_unknown_page_is_a_friendly_404_page(client: TestClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Page not found" in response.text
    assert 'href="/"' in response.text


def test_the_404_page_speaks_the_browsers_language(client: TestClient) -> None:
    response = client.get("/no-such-page", headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.8"})
    assert "Página no encontrada" in response.text
    assert response.headers["content-language"] == "es"


@pytest.mark.parametrize("url", UNREACHABLE)
def test_a_database_that_is_down_is_a_503_json_error(url: str) -> None:
    with TestClient(app_on(url), raise_server_exceptions=False) as client:
        response = client.get("/api/health")
    assert response.status_code == 503
    assert response.json()["error"]["message"]
    assert "Traceback" not in response.text


@pytest.mark.parametrize("url", UNREACHABLE)
def test_a_database_that_is_down_is_a_clear_503_page(url: str) -> None:
    with TestClient(app_on(url), raise_server_exceptions=False) as client:
        client.get("/login")  # the form itself needs no database
        token = client.cookies[CSRF_COOKIE]
        form = {"email": "ana@example.com", "password": "whatever it is", "csrf_token": token}
        response = client.post("/login", data=form)
    assert response.status_code == 503
    assert "Database unavailable" in response.text
    assert "Traceback" not in response.text


def _with_failing_routes(app: FastAPI) -> FastAPI:
    @app.get("/api/boom-typed")
    def typed() -> None:
        raise Conflict("invoice 7 is already paid", "invoice")

    @app.get("/boom-missing")
    def missing() -> None:
        raise NotFound("no customer 42")

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    return app


def test_typed_errors_carry_their_status_and_field(own_app: FastAPI) -> None:
    client = TestClient(_with_failing_routes(own_app), raise_server_exceptions=False)
    response = client.get("/api/boom-typed")
    assert response.status_code == 409
    assert response.json() == {
        "error": {"message": "invoice 7 is already paid", "field": "invoice"}
    }
    page = client.get("/boom-missing")
    assert page.status_code == 404
    assert "no customer 42" in page.text


def test_an_unexpected_error_is_logged_and_answered_without_details(
    own_app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    client = TestClient(_with_failing_routes(own_app), raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="cobro.web"):
        response = client.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "secret internals" not in response.text
    assert "secret internals" in caplog.text
