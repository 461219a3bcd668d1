"""Signing in and out through the web form: the session cookie, CSRF, lockout, `next`."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cobro.auth.errors import SIGN_IN_FAILED
from cobro.auth.models import LoginAttempt
from cobro.auth.service import find_user, grant
from cobro.company.models import Company
from cobro.endpoint import SESSION_COOKIE
from cobro.kit.dates import utcnow
from cobro.web.security import CSRF_COOKIE
from tests.web.access import PASSWORD, World, build_world, sign_in
from tests.web.conftest import client_of


@pytest.fixture
def world(web_database_url: str) -> World:
    return build_world(web_database_url)


def test_a_page_without_a_session_sends_the_browser_to_sign_in(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    form = client.get("/login")
    assert form.status_code == 200
    assert 'name="csrf_token"' in form.text
    assert client.cookies[CSRF_COOKIE] in form.text


def test_the_right_password_signs_in_and_the_home_page_shows_the_user(
    client: TestClient, world: World
) -> None:
    client.get("/login")
    before = client.cookies[CSRF_COOKIE]
    response = sign_in(client, world.a.users["collector"])
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = next(
        value
        for value in response.headers.get_list("set-cookie")
        if value.startswith(SESSION_COOKIE)
    )
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie  # plain http here; see the https test
    home = client.get("/")
    assert home.status_code == 200
    assert "Collector A" in home.text
    assert world.a.name in home.text
    assert "collector" in home.text
    assert client.cookies[CSRF_COOKIE] != before  # a new CSRF token once signed in


def test_over_https_the_session_cookie_is_secure(app: FastAPI, world: World) -> None:
    with client_of(app, base_url="https://testserver") as client:
        response = sign_in(client, world.a.users["viewer"])
    cookie = next(
        value
        for value in response.headers.get_list("set-cookie")
        if value.startswith(SESSION_COOKIE)
    )
    assert "Secure" in cookie


def test_a_wrong_password_is_401_with_the_generic_message_and_is_recorded(
    client: TestClient, world: World
) -> None:
    email = world.a.users["viewer"]
    wrong = sign_in(client, email, "not the password at all")
    unknown = sign_in(client, "nobody-at-all@example.com", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert SIGN_IN_FAILED in wrong.text
    assert wrong.text.replace(email, "") == unknown.text.replace(
        "nobody-at-all@example.com", ""
    )  # the same answer: no hint that the address has an account
    assert SESSION_COOKIE not in client.cookies
    with world.session() as session:
        user = find_user(session, email)
        assert user is not None
        assert user.failed_logins == 1
        failed = session.scalar(
            select(func.count()).where(LoginAttempt.email == email, ~LoginAttempt.succeeded)
        )
        assert failed == 1


def test_after_five_failures_even_the_right_password_is_refused(
    client: TestClient, world: World
) -> None:
    email = world.a.users["collector"]
    for _ in range(5):
        assert sign_in(client, email, "wrong password again").status_code == 401
    locked = sign_in(client, email, PASSWORD)
    assert locked.status_code == 401
    assert SIGN_IN_FAILED in locked.text
    with world.session() as session:
        user = find_user(session, email)
        assert user is not None
        assert user.locked_until is not None  # committed, though every attempt was refused
    assert client.get("/", follow_redirects=False).status_code == 303


def test_too_many_attempts_from_one_address_is_429(client: TestClient, world: World) -> None:
    for _ in range(10):
        sign_in(client, "someone-else@example.com", "wrong password again")
    response = sign_in(client, world.a.users["admin"], PASSWORD)
    assert response.status_code == 429
    assert SESSION_COOKIE not in client.cookies


def test_sign_in_without_the_csrf_token_is_refused(client: TestClient, world: World) -> None:
    client.get("/login")
    response = client.post("/login", data={"email": world.a.users["viewer"], "password": PASSWORD})
    assert response.status_code == 403
    assert SESSION_COOKIE not in client.cookies


def test_sign_out_ends_the_session(client: TestClient, world: World) -> None:
    sign_in(client, world.a.users["admin"])
    old = client.cookies[SESSION_COOKIE]
    client.get("/")
    token = client.cookies[CSRF_COOKIE]
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert SESSION_COOKIE not in client.cookies
    assert client.get("/", follow_redirects=False).status_code == 303
    client.cookies.set(SESSION_COOKIE, old)  # the old token is dead on the server too
    assert client.get("/", follow_redirects=False).status_code == 303


def test_sign_out_without_the_csrf_token_is_refused(client: TestClient, world: World) -> None:
    sign_in(client, world.a.users["admin"])
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200


@pytest.mark.parametrize(
    ("asked", "landing"),
    [
        ("https://evil.example", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/api/customers?limit=1", "/api/customers?limit=1"),
    ],
)
def test_after_sign_in_only_a_path_of_this_site_is_followed(
    client: TestClient, world: World, asked: str, landing: str
) -> None:
    response = sign_in(client, world.a.users["viewer"], next=asked)
    assert response.headers["location"] == landing


def test_a_page_asked_before_sign_in_is_remembered(client: TestClient) -> None:
    response = client.get("/?x=1", follow_redirects=False)
    assert response.headers["location"] == "/login?next=%2F%3Fx%3D1"
    assert 'value="/?x=1"' in client.get(response.headers["location"]).text


def test_a_user_of_two_companies_switches_between_them(client: TestClient, world: World) -> None:
    email = world.a.users["manager"]
    with world.session() as session:
        user = find_user(session, email)
        company_b = session.get(Company, world.b.id)
        assert user is not None
        assert company_b is not None
        grant(session, user, company_b, "viewer", utcnow())
    sign_in(client, email)
    home = client.get("/")
    assert world.b.name in home.text  # offered in the switcher
    token = client.cookies[CSRF_COOKIE]
    switched = client.post("/company", data={"company_id": world.b.id, "csrf_token": token})
    assert switched.status_code == 200
    assert '<strong class="company">' + world.b.name in switched.text
    customers = client.get("/api/customers").json()["items"]
    assert {item["external_id"] for item in customers} == set(world.b.customers)
    stranger = client.post("/company", data={"company_id": 999_999, "csrf_token": token})
    assert stranger.status_code == 403
