"""The user's own account: their language for every page (over the browser's), their password
(changing it signs out their other sessions), and /api/me for programs."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from cobro.audit.models import AuditEvent
from cobro.auth.service import find_user
from cobro.web.security import CSRF_COOKIE
from tests.web.access import PASSWORD, build_world, sign_in, speak
from tests.web.conftest import client_of


def _post(client: TestClient, path: str, **data: str) -> tuple[int, str]:
    client.get("/account")
    response = client.post(
        path,
        data={**data, "csrf_token": client.cookies.get(CSRF_COOKIE, "")},
        follow_redirects=False,
    )
    return response.status_code, response.text


def test_the_users_language_wins_over_the_browsers(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    sign_in(client, world.a.users["viewer"])
    english = client.get("/account", headers={"Accept-Language": "es"})
    assert "My account" in english.text  # the user's "en" beats the browser's "es"
    assert english.headers["content-language"] == "en"
    speak(client, "es")
    spanish = client.get("/account", headers={"Accept-Language": "en"})
    assert "Mi cuenta" in spanish.text
    assert '<html lang="es">' in spanish.text
    assert "Su idioma se ha guardado." in client.get("/account?done=language").text
    with world.session() as session:
        user = find_user(session, world.a.users["viewer"])
        assert user is not None
        assert user.language == "es"
        changes = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_id == str(user.id),
                AuditEvent.action == "user.language_changed",
            )
        ).all()
        assert [(c.before, c.after) for c in changes] == [({"language": "en"}, {"language": "es"})]


def test_an_unknown_language_is_refused_naming_the_field(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    sign_in(client, world.a.users["collector"])
    status, text = _post(client, "/account/language", language="klingon")
    assert status == 422
    assert "language" in text


def test_signed_out_the_account_page_asks_to_sign_in(client: TestClient) -> None:
    response = client.get("/account", follow_redirects=False)
    assert response.status_code in (303, 307)
    assert response.headers["location"].startswith("/login")


def test_a_password_change_checks_and_signs_out_the_other_sessions(
    app: FastAPI, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    email = world.a.users["collector"]
    with client_of(app) as here, client_of(app) as elsewhere:
        sign_in(here, email)
        sign_in(elsewhere, email)
        assert elsewhere.get("/account").status_code == 200

        status, text = _post(here, "/account/password", current="wrong", new="x", again="x")
        assert (status, "the current password is wrong") == (422, _problem(text))
        mismatch = {"current": PASSWORD, "new": "a long new passphrase", "again": "another one"}
        status, text = _post(here, "/account/password", **mismatch)
        assert (status, "the two new passwords differ") == (422, _problem(text))
        status, text = _post(here, "/account/password", current=PASSWORD, new="a", again="a")
        assert status == 422
        assert 'id="password-new"' in text
        assert 'aria-invalid="true"' in text

        new = "a long new passphrase"
        status, _ = _post(here, "/account/password", current=PASSWORD, new=new, again=new)
        assert status == 303
        assert here.get("/account", follow_redirects=False).status_code == 200
        assert elsewhere.get("/account", follow_redirects=False).status_code != 200
    with client_of(app) as later:
        assert sign_in(later, email, PASSWORD).status_code == 401
        assert sign_in(later, email, new).status_code == 303


def _problem(html: str) -> str:
    start = html.index('id="password-error">') + len('id="password-error">')
    return html[start : html.index("<", start)]


def test_api_me_reads_and_changes_the_language(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url)
    reader = {"Authorization": f"Bearer {world.token('auditor')}"}
    headers = {"Authorization": f"Bearer {world.token('auditor', ('read', 'write'))}"}
    assert client.patch("/api/me", json={"language": "es"}, headers=reader).status_code == 403
    me = client.get("/api/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["email"] == world.a.users["auditor"]
    assert me.json()["company_id"] == world.a.id
    assert me.json()["role"] == "auditor"
    changed = client.patch("/api/me", json={"language": "es"}, headers=headers)
    assert changed.status_code == 200
    assert changed.json()["language"] == "es"
    bad = client.patch("/api/me", json={"language": "fr"}, headers=headers)
    assert bad.status_code == 422
    assert "language" in bad.text
    # a program cannot use the browser's forms, even with a valid token
    form = client.post("/account/language", data={"language": "en"}, headers=headers)
    assert form.status_code == 403
