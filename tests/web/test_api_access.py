"""The API answers programs that show a live API token, within its scopes, about its own
company only."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cobro.auth.rules import split_token
from cobro.auth.service import revoke_token
from cobro.endpoint import Worker
from cobro.kit.dates import utcnow
from tests.web.access import World, build_world, past, sign_in
from tests.web.conftest import client_of


@pytest.fixture
def world(web_database_url: str) -> World:
    return build_world(web_database_url, ("Ferretería López", "Panadería Sol", "Zapatos Ruiz"))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("path", ["/api/customers", "/api/customers/A001", "/api/companies"])
def test_without_a_token_the_api_answers_401_json(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response.json()["error"]["message"]
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer nonsense", "Bearer cobro_deadbeef_notthesecret", "Basic dXNlcjpwYXNz", "Bearer "],
)
def test_a_malformed_or_unknown_token_is_401(client: TestClient, header: str) -> None:
    response = client.get("/api/customers", headers={"Authorization": header})
    assert response.status_code == 401


def test_a_read_token_lists_the_customers_of_its_company_only(
    client: TestClient, world: World
) -> None:
    response = client.get("/api/customers", headers=bearer(world.token("viewer")))
    assert response.status_code == 200
    ids = [item["external_id"] for item in response.json()["items"]]
    assert ids == sorted(world.a.customers)
    assert "Secret" not in response.text


def test_customers_are_filtered_sorted_and_paged(client: TestClient, world: World) -> None:
    headers = bearer(world.token("collector"))
    found = client.get("/api/customers", params={"q": "panadería"}, headers=headers).json()
    assert [item["name"] for item in found["items"]] == ["Panadería Sol"]
    by_id = client.get("/api/customers", params={"q": "a002"}, headers=headers).json()
    assert [item["name"] for item in by_id["items"]] == ["Panadería Sol"]
    wildcard = client.get("/api/customers", params={"q": "%"}, headers=headers).json()
    assert wildcard["items"] == []  # % is a character, not "anything"
    names = client.get("/api/customers", params={"sort": "-name"}, headers=headers).json()
    assert [item["name"] for item in names["items"]] == [
        "Zapatos Ruiz",
        "Panadería Sol",
        "Ferretería López",
    ]
    first = client.get("/api/customers", params={"limit": 2}, headers=headers).json()
    assert len(first["items"]) == 2
    assert first["next_offset"] == 2
    rest = client.get("/api/customers", params={"limit": 2, "offset": 2}, headers=headers).json()
    assert len(rest["items"]) == 1
    assert rest["next_offset"] is None


@pytest.mark.parametrize("path", ["/api/customers", "/api/companies"])
def test_an_offset_beyond_any_database_is_a_json_error_not_a_500(
    client: TestClient, world: World, path: str
) -> None:
    # found by schemathesis: 2**63 overflowed the database driver
    response = client.get(path, params={"offset": 2**63}, headers=bearer(world.token("viewer")))
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "offset"


def test_an_unknown_sort_is_a_json_error_naming_the_field(client: TestClient, world: World) -> None:
    response = client.get(
        "/api/customers", params={"sort": "password_hash"}, headers=bearer(world.token("viewer"))
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "sort"


def test_one_customer_of_its_company_is_shown(client: TestClient, world: World) -> None:
    external_id, name = next(iter(world.a.customers.items()))
    response = client.get(f"/api/customers/{external_id}", headers=bearer(world.token("viewer")))
    assert response.status_code == 200
    assert response.json()["name"] == name
    assert response.json()["currency"] == "EUR"


def test_another_companys_customer_is_404_and_none_of_its_data(
    client: TestClient, world: World
) -> None:
    external_id, name = next(iter(world.b.customers.items()))
    response = client.get(f"/api/customers/{external_id}", headers=bearer(world.token("admin")))
    assert response.status_code == 404
    assert name not in response.text


def test_a_token_of_company_b_sees_b_only(client: TestClient, world: World) -> None:
    response = client.get("/api/customers", headers=bearer(world.token("viewer", tenant=world.b)))
    assert {item["external_id"] for item in response.json()["items"]} == set(world.b.customers)
    companies = client.get("/api/companies", headers=bearer(world.token("admin", tenant=world.b)))
    assert [company["code"] for company in companies.json()["items"]] == [world.b.code]


def test_a_revoked_token_is_401(client: TestClient, world: World) -> None:
    token = world.token("viewer")
    assert client.get("/api/customers", headers=bearer(token)).status_code == 200
    parts = split_token(token)
    assert parts is not None
    with world.session() as session:
        revoke_token(session, parts[0], utcnow())
    assert client.get("/api/customers", headers=bearer(token)).status_code == 401


def test_an_expired_token_is_401(client: TestClient, world: World) -> None:
    token = world.token("viewer", created=past(120), expires_at=past(60))
    assert client.get("/api/customers", headers=bearer(token)).status_code == 401


def _with_a_work_route(app: FastAPI) -> TestClient:
    @app.get("/api/test-work")
    def work(caller: Worker) -> dict[str, str]:
        return {"role": caller.role}

    return client_of(app)


def test_a_token_without_the_scope_is_403(own_app: FastAPI, world: World) -> None:
    client = _with_a_work_route(own_app)
    read_only = client.get("/api/test-work", headers=bearer(world.token("collector")))
    assert read_only.status_code == 403
    writer = client.get(
        "/api/test-work", headers=bearer(world.token("collector", scopes=("write",)))
    )
    assert writer.status_code == 200


def test_a_token_cannot_do_more_than_its_users_role(own_app: FastAPI, world: World) -> None:
    client = _with_a_work_route(own_app)
    response = client.get("/api/test-work", headers=bearer(world.token("viewer", ("write",))))
    assert response.status_code == 403


def test_a_bogus_authorization_header_never_rides_on_the_session_cookie(
    client: TestClient, world: World
) -> None:
    assert sign_in(client, world.a.users["collector"]).status_code == 303
    assert client.get("/api/customers").status_code == 200  # the cookie works alone…
    forged = {"Authorization": "Bearer forged"}
    assert client.get("/api/customers", headers=forged).status_code == 401  # …not with it
    # such a request skips the CSRF check, so it must not be able to act on the cookie either
    assert client.post("/logout", headers=forged, follow_redirects=False).status_code == 403
    assert client.get("/api/customers").status_code == 200
