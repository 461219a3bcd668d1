from __future__ import annotations

import pytest
from fastapi import FastAPI, Form
from fastapi.testclient import TestClient

from cobro.web.security import CSRF_COOKIE


def _with_a_form(app: FastAPI) -> TestClient:
    @app.post("/echo")
    def echo(name: str = Form()) -> dict[str, str]:
        return {"name": name}

    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(
    "path", ["/", "/login", "/no-such-page", "/api/health", "/api/customers", "/static/cobro.css"]
)
def test_every_answer_carries_the_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path, follow_redirects=False).headers
    policy = headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_pages_set_an_httponly_samesite_csrf_cookie_and_put_its_token_in_the_page(
    client: TestClient,
) -> None:
    response = client.get("/login")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{CSRF_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert client.cookies[CSRF_COOKIE] in response.text


def test_a_form_post_without_the_token_is_refused(own_app: FastAPI) -> None:
    client = _with_a_form(own_app)
    client.get("/login")
    response = client.post("/echo", data={"name": "Ana"})
    assert response.status_code == 403
    assert "Request refused" in response.text


def test_a_form_post_with_the_cookies_token_goes_through(own_app: FastAPI) -> None:
    client = _with_a_form(own_app)
    client.get("/login")
    token = client.cookies[CSRF_COOKIE]
    response = client.post("/echo", data={"name": "Ana", "csrf_token": token})
    assert response.status_code == 200
    assert response.json() == {"name": "Ana"}


def test_an_htmx_request_passes_the_token_in_a_header(own_app: FastAPI) -> None:
    client = _with_a_form(own_app)
    client.get("/login")
    token = client.cookies[CSRF_COOKIE]
    response = client.post("/echo", data={"name": "Ana"}, headers={"X-CSRF-Token": token})
    assert response.status_code == 200


def test_a_token_that_differs_from_the_cookie_is_refused(own_app: FastAPI) -> None:
    client = _with_a_form(own_app)
    client.get("/login")
    response = client.post("/echo", data={"name": "Ana"}, headers={"X-CSRF-Token": "forged"})
    assert response.status_code == 403


def test_a_forged_cookie_with_a_matching_token_is_refused(own_app: FastAPI) -> None:
    client = _with_a_form(own_app)
    client.cookies.set(CSRF_COOKIE, "forged")
    response = client.post("/echo", data={"name": "Ana", "csrf_token": "forged"})
    assert response.status_code == 403


def test_an_api_post_without_the_token_is_a_json_403_naming_the_field(client: TestClient) -> None:
    response = client.post("/api/companies", json={})
    assert response.status_code == 403
    assert response.json()["error"]["field"] == "csrf_token"
