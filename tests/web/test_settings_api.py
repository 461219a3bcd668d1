"""The settings API: company details (a bad IBAN named), channels (secrets masked in the API,
the page and the audit trail), members; collectors and viewers change nothing (403); another
company's user is a 404."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cobro.audit.models import AuditEvent
from cobro.auth.service import find_user, role_in
from cobro.web.security import CSRF_COOKIE
from tests.web.access import World, build_world, sign_in


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def world(web_database_url: str) -> World:
    return build_world(web_database_url)


def signed_in(client: TestClient, email: str) -> str:
    """Sign in as a browser does and return the CSRF token its pages carry."""
    assert sign_in(client, email).status_code == 303
    client.get("/account")
    return client.cookies.get(CSRF_COOKIE) or ""


def user_id(world: World, email: str) -> int:
    with world.session() as session:
        user = find_user(session, email)
        assert user is not None
        return user.id


def test_company_details_are_read_and_changed_and_a_bad_iban_is_named(
    client: TestClient, world: World
) -> None:
    headers = bearer(world.token("manager", ("write",)))
    read = client.get("/api/settings/company", headers=headers)
    assert read.status_code == 200
    assert read.json()["code"] == world.a.code
    changed = client.patch(
        "/api/settings/company",
        headers=headers,
        json={"iban": "ES91 2100 0418 4502 0005 1332", "email": "cobros@a.example"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["iban"] == "ES9121000418450200051332"
    bad = client.patch(
        "/api/settings/company", headers=headers, json={"iban": "ES9121000418450200051333"}
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "iban"
    assert "check digits" in bad.json()["error"]["message"]
    assert (
        client.patch("/api/settings/company", headers=headers, json={"currency": "USD"}).status_code
        == 422
    )
    assert client.get("/api/settings/company", headers=headers).json()["iban"] == (
        "ES9121000418450200051332"
    )


@pytest.mark.parametrize("role", ["collector", "viewer", "auditor"])
def test_collectors_viewers_and_auditors_cannot_see_or_change_settings(
    client: TestClient, world: World, role: str
) -> None:
    headers = bearer(world.token(role, ("write",) if role == "collector" else ("read",)))
    assert client.get("/api/settings/company", headers=headers).status_code == 403
    assert (
        client.patch("/api/settings/company", headers=headers, json={"name": "Hacked"}).status_code
        == 403
    )
    assert (
        client.put(
            "/api/settings/channels", headers=headers, json={"smtp_host": "evil.example"}
        ).status_code
        == 403
    )
    assert (
        client.patch(
            "/api/settings/chase", headers=headers, json={"window_start": "06:00"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/users", headers=headers, json={"email": "x@example.com", "role": "admin"}
        ).status_code
        == 403
    )


def test_the_smtp_password_never_comes_back(client: TestClient, world: World) -> None:
    secret = "s3cret-Pa55word"
    headers = bearer(world.token("admin", ("write",)))
    saved = client.put(
        "/api/settings/channels",
        headers=headers,
        json={
            "mail_from": "Cobros <cobros@a.example>",
            "smtp_host": "smtp.a.example",
            "smtp_port": 587,
            "smtp_username": "cobros",
            "smtp_password": secret,
        },
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["smtp_password"] == "set"
    assert secret not in saved.text
    read = client.get("/api/settings/channels", headers=headers)
    assert read.json()["smtp_password"] == "set"
    assert read.json()["smtp_host"] == "smtp.a.example"
    assert secret not in read.text
    with world.session() as session:
        trail = session.scalars(
            select(AuditEvent).where(
                AuditEvent.company_id == world.a.id, AuditEvent.action == "channels.updated"
            )
        ).all()
        assert trail
        assert all(secret not in str(e.before) + str(e.after) for e in trail)
    sign_in(client, world.a.users["admin"])
    page = client.get("/settings/channels")
    assert page.status_code == 200
    assert "smtp.a.example" in page.text
    assert secret not in page.text
    bad = client.put("/api/settings/channels", headers=headers, json={"smtp_host": "smtp://x"})
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "smtp_host"


def test_members_are_listed_added_changed_and_removed(client: TestClient, world: World) -> None:
    csrf = {"X-CSRF-Token": signed_in(client, world.a.users["admin"])}
    listed = client.get("/api/users?limit=200").json()["items"]
    assert {m["email"] for m in listed} == set(world.a.users.values())
    email = f"new-{world.a.code}@example.com"
    added = client.post(
        "/api/users", headers=csrf, json={"email": email, "name": "Nueva", "role": "collector"}
    )
    assert added.status_code == 201, added.text
    assert added.json()["initial_password"]
    new_id = added.json()["member"]["id"]
    changed = client.patch(f"/api/users/{new_id}", headers=csrf, json={"role": "viewer"})
    assert changed.json()["role"] == "viewer"
    assert client.delete(f"/api/users/{new_id}", headers=csrf).status_code == 204
    with world.session() as session:
        assert role_in(session, new_id, world.a.id) is None
    me = user_id(world, world.a.users["admin"])
    last = client.patch(f"/api/users/{me}", headers=csrf, json={"role": "viewer"})
    assert last.status_code == 409
    assert "last administrator" in last.json()["error"]["message"]


def test_another_companys_user_is_a_404(client: TestClient, world: World) -> None:
    csrf = {"X-CSRF-Token": signed_in(client, world.a.users["admin"])}
    theirs = user_id(world, world.b.users["collector"])
    assert client.get(f"/api/users/{theirs}").status_code == 404
    assert (
        client.patch(f"/api/users/{theirs}", headers=csrf, json={"role": "admin"}).status_code
        == 404
    )
    assert client.delete(f"/api/users/{theirs}", headers=csrf).status_code == 404
    assert client.post(f"/settings/users/{theirs}/remove", headers=csrf).status_code == 404
    with world.session() as session:
        assert role_in(session, theirs, world.b.id) == "collector"


def test_managers_read_members_but_only_admins_manage_them(
    client: TestClient, world: World
) -> None:
    csrf = {"X-CSRF-Token": signed_in(client, world.a.users["manager"])}
    assert client.get("/api/users").status_code == 200
    refused = client.post(
        "/api/users", headers=csrf, json={"email": "m@example.com", "role": "admin"}
    )
    assert refused.status_code == 403
    page = client.get("/settings/users")
    assert page.status_code == 200
    assert "Change role" not in page.text


def test_the_pages_show_errors_next_to_the_field(client: TestClient, world: World) -> None:
    token = signed_in(client, world.a.users["admin"])
    page = client.post(
        "/settings/company",
        data={"csrf_token": token, "name": "Company A", "timezone": "Europe/Madrid",
              "iban": "ES9121000418450200051333"},
    )  # fmt: skip
    assert page.status_code == 422
    assert 'id="settings-error-iban"' in page.text
    assert "ES9121000418450200051333" in page.text  # kept as typed
    saved = client.post(
        "/settings/company",
        data={"csrf_token": token, "name": "Company A", "timezone": "Europe/Madrid",
              "iban": "ES9121000418450200051332"},
        follow_redirects=False,
    )  # fmt: skip
    assert saved.status_code == 303
    added = client.post(
        "/settings/users",
        data={"csrf_token": token, "email": f"p-{world.a.code}@example.com", "name": "P",
              "role": "viewer"},
    )  # fmt: skip
    assert added.status_code == 200
    assert 'id="initial-password"' in added.text
    chase = client.post("/settings/chase", data={"csrf_token": token, "window_start": "9am"})
    assert chase.status_code == 422
    assert 'id="settings-error-window_start"' in chase.text


def test_a_viewer_gets_the_friendly_403_page(client: TestClient, world: World) -> None:
    sign_in(client, world.a.users["viewer"])
    for path in ("/settings", "/settings/channels", "/settings/users", "/imports"):
        page = client.get(path)
        assert page.status_code == 403, path
        assert "<html" in page.text


def test_roles_change_on_the_page_and_the_last_admin_is_kept(
    client: TestClient, world: World
) -> None:
    token = signed_in(client, world.a.users["admin"])
    viewer = user_id(world, world.a.users["viewer"])
    moved = client.post(
        f"/settings/users/{viewer}/role",
        data={"csrf_token": token, "role": "collector"},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    with world.session() as session:
        assert role_in(session, viewer, world.a.id) == "collector"
    me = user_id(world, world.a.users["admin"])
    kept = client.post(f"/settings/users/{me}/role", data={"csrf_token": token, "role": "viewer"})
    assert kept.status_code == 409
    assert "last administrator" in kept.text
    removed = client.post(
        f"/settings/users/{viewer}/remove", data={"csrf_token": token}, follow_redirects=False
    )
    assert removed.status_code == 303
    with world.session() as session:
        assert role_in(session, viewer, world.a.id) is None
