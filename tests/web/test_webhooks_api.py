"""Webhooks through the API and the settings page: admins only, tenant-scoped, the secret
shown once, a URL refused next to its field, the test button queuing a ping."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cobro.web.security import CSRF_COOKIE
from cobro.webhook.targets import ALLOW_PRIVATE
from tests.web.access import build_world, sign_in

HOOK = "http://127.0.0.1:9/hooks"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(autouse=True)
def loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOW_PRIVATE, "1")


def test_an_admin_subscribes_sees_the_secret_once_tests_and_removes(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    headers = bearer(world.token("admin", ("write",)))
    made = client.post(
        "/api/webhooks",
        headers=headers,
        json={"url": HOOK, "events": ["payment.received", "stage.reached"], "description": "ERP"},
    )
    assert made.status_code == 201, made.text
    created = made.json()
    assert created["secret"].startswith("whsec_")
    assert created["events"] == ["payment.received", "stage.reached"]
    listed = client.get("/api/webhooks", headers=headers).json()
    assert [item["id"] for item in listed["items"]] == [created["id"]]
    assert "secret" not in listed["items"][0]
    assert created["secret"] not in client.get("/api/webhooks", headers=headers).text
    ping = client.post(f"/api/webhooks/{created['id']}/test", headers=headers)
    assert ping.status_code == 202
    assert (ping.json()["event"], ping.json()["status"]) == ("ping", "queued")
    deliveries = client.get(f"/api/webhooks/{created['id']}/deliveries", headers=headers).json()
    assert [item["id"] for item in deliveries["items"]] == [ping.json()["id"]]
    gone = client.delete(f"/api/webhooks/{created['id']}", headers=headers)
    assert gone.status_code == 204
    assert client.get("/api/webhooks", headers=headers).json()["items"] == []
    assert client.delete(f"/api/webhooks/{created['id']}", headers=headers).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://example.com/x", "events": ["stage.reached"]}, "url"),
        ({"url": "ftp://example.com/x", "events": ["stage.reached"]}, "url"),
        ({"url": HOOK, "events": ["nonsense"]}, "events"),
        ({"url": HOOK, "events": []}, "events"),
    ],
)
def test_a_bad_url_or_event_is_a_422_naming_the_field(
    client: TestClient, web_database_url: str, body: dict[str, object], field: str
) -> None:
    world = build_world(web_database_url)
    refused = client.post(
        "/api/webhooks", headers=bearer(world.token("admin", ("write",))), json=body
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["field"].split(".")[0] == field  # events.0: the first


def test_private_targets_are_refused_where_the_install_does_not_allow_them(
    client: TestClient, web_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW_PRIVATE)
    world = build_world(web_database_url)
    headers = bearer(world.token("admin", ("write",)))
    for url in (HOOK, "https://192.168.1.10/x", "https://169.254.169.254/latest"):
        refused = client.post(
            "/api/webhooks", headers=headers, json={"url": url, "events": ["stage.reached"]}
        )
        assert refused.status_code == 422, url
        assert refused.json()["error"]["field"] == "url"


@pytest.mark.parametrize("role", ["manager", "collector", "viewer", "auditor"])
def test_only_admins_may(client: TestClient, web_database_url: str, role: str) -> None:
    world = build_world(web_database_url)
    headers = bearer(world.token(role, ("write",) if role != "viewer" else ("read",)))
    assert client.get("/api/webhooks", headers=headers).status_code == 403
    body = {"url": HOOK, "events": ["stage.reached"]}
    assert client.post("/api/webhooks", headers=headers, json=body).status_code == 403


def test_an_admin_s_read_token_may_not(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url)
    headers = bearer(world.token("admin", ("read",)))
    assert client.get("/api/webhooks", headers=headers).status_code == 403


def test_another_company_s_webhook_is_a_404(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url)
    theirs = client.post(
        "/api/webhooks",
        headers=bearer(world.token("admin", ("write",), tenant=world.b)),
        json={"url": HOOK, "events": ["stage.reached"]},
    ).json()["id"]
    mine = bearer(world.token("admin", ("write",)))
    assert client.post(f"/api/webhooks/{theirs}/test", headers=mine).status_code == 404
    assert client.get(f"/api/webhooks/{theirs}/deliveries", headers=mine).status_code == 404
    assert client.delete(f"/api/webhooks/{theirs}", headers=mine).status_code == 404
    assert client.get("/api/webhooks", headers=mine).json()["items"] == []


def test_the_settings_page_adds_tests_and_removes_a_webhook(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    assert sign_in(client, world.a.users["admin"]).status_code == 303
    page = client.get("/settings/webhooks")
    assert page.status_code == 200
    assert "No webhooks yet." in page.text
    csrf = client.cookies.get(CSRF_COOKIE, "")
    refused = client.post(
        "/settings/webhooks",
        data={"url": "http://example.com/x", "events": ["stage.reached"], "csrf_token": csrf},
    )
    assert refused.status_code == 422
    assert 'id="webhook-error"' in refused.text
    assert 'value="http://example.com/x"' in refused.text
    added = client.post(
        "/settings/webhooks",
        data={
            "url": HOOK,
            "events": ["stage.reached", "message.failed"],
            "description": "<script>x</script>",
            "csrf_token": csrf,
        },
    )
    assert added.status_code == 200
    assert "whsec_" in added.text
    assert "<script>x</script>" not in added.text
    webhook_id = client.get(
        "/api/webhooks", headers=bearer(world.token("admin", ("write",)))
    ).json()["items"][0]["id"]
    again = client.get("/settings/webhooks")
    assert "whsec_" not in again.text  # shown once
    assert HOOK in again.text
    tested = client.post(
        f"/settings/webhooks/{webhook_id}/test", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert tested.status_code == 303
    assert "delivery-" in client.get("/settings/webhooks").text
    without_token = client.post(f"/settings/webhooks/{webhook_id}/remove")
    assert without_token.status_code == 403
    removed = client.post(
        f"/settings/webhooks/{webhook_id}/remove", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert removed.status_code == 303
    assert "No webhooks yet." in client.get("/settings/webhooks").text


def test_the_settings_page_is_for_admins_only(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url)
    sign_in(client, world.a.users["manager"])
    assert client.get("/settings/webhooks").status_code == 403
