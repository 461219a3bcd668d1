"""Tenant isolation: every endpoint that exists × every role × an id or a name of another
company → 404 or nothing listed, never its data; by session cookie and by API token alike.
And hostile names are data, never markup."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cobro.auth.service import find_user
from cobro.company.models import Company
from tests.web.access import ROLES, World, build_world, sign_in

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def world(web_database_url: str) -> World:
    return build_world(web_database_url, ("Ferretería López", HOSTILE))


def _as(client: TestClient, world: World, role: str, how: str) -> dict[str, str]:
    if how == "cookie":
        assert sign_in(client, world.a.users[role]).status_code == 303
        return {}
    return {"Authorization": f"Bearer {world.token(role)}"}


@pytest.mark.parametrize("how", ["cookie", "token"])
@pytest.mark.parametrize("role", ROLES)
def test_another_companys_data_never_shows(
    client: TestClient, world: World, role: str, how: str
) -> None:
    headers = _as(client, world, role, how)
    secrets = list(world.b.customers.values())
    for external_id in world.b.customers:
        one = client.get(f"/api/customers/{external_id}", headers=headers)
        assert one.status_code == 404
        assert not any(secret in one.text for secret in secrets)
    for query in ({}, {"q": "Secret"}, {"q": world.b.code}, {"limit": 200}):
        listed = client.get("/api/customers", params=query, headers=headers)
        assert listed.status_code == 200
        assert not any(secret in listed.text for secret in secrets)
    companies = client.get("/api/companies", headers=headers).json()["items"]
    assert [company["code"] for company in companies] == [world.a.code]
    if how == "cookie":
        page = client.get("/")
        assert world.b.name not in page.text
        assert not any(secret in page.text for secret in secrets)


def test_a_hostile_customer_name_is_plain_json(client: TestClient, world: World) -> None:
    headers = {"Authorization": f"Bearer {world.token('viewer')}"}
    response = client.get("/api/customers", params={"q": "script"}, headers=headers)
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert [item["name"] for item in response.json()["items"]] == [HOSTILE]


def test_hostile_user_and_company_names_are_escaped_in_the_page(
    client: TestClient, world: World
) -> None:
    email = world.a.users["auditor"]
    with world.session() as session:
        user = find_user(session, email)
        company = session.get(Company, world.a.id)
        assert user is not None
        assert company is not None
        user.name = f'{HOSTILE} "quoted" \u202eñ'
        company.name = f"{HOSTILE} & Co"
    try:
        sign_in(client, email)
        page = client.get("/")
        assert page.status_code == 200
        assert HOSTILE not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        assert "&amp; Co" in page.text
    finally:
        with world.session() as session:
            company = session.get(Company, world.a.id)
            assert company is not None
            company.name = world.a.name
