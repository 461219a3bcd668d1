"""The outbox API: the caller's company's actions, filtered; retry, send now and cancel need
the `work` permission (a token's `write` scope); another company's action is a 404, a move its
status does not allow a 409."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cobro.web.security import CSRF_COOKIE
from tests.web.access import build_world, sign_in
from tests.web.outbox_world import add_action, status_of


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_list_is_the_callers_company_filtered(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    failed = add_action(world, world.a, "failed")
    queued = add_action(world, world.a, "queued", kind="letter")
    theirs = add_action(world, world.b, "failed")
    headers = bearer(world.token("viewer"))
    everything = client.get("/api/actions", headers=headers)
    assert everything.status_code == 200
    ids = [item["id"] for item in everything.json()["items"]]
    assert failed in ids
    assert queued in ids
    assert theirs not in ids
    only_failed = client.get("/api/actions?status=failed", headers=headers).json()["items"]
    assert [item["id"] for item in only_failed] == [failed]
    assert only_failed[0]["customer_name"] == "Ferretería López"
    assert only_failed[0]["last_error"] == "550 no mailbox"
    letters = client.get("/api/actions?kind=letter&limit=1", headers=headers).json()
    assert [item["id"] for item in letters["items"]] == [queued]
    assert client.get("/api/actions?status=nonsense", headers=headers).status_code == 422


def test_retry_send_now_and_cancel_with_a_write_token(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    headers = bearer(world.token("collector", ("write",)))
    failed = add_action(world, world.a, "failed")
    retried = client.post(f"/api/actions/{failed}/retry", headers=headers)
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "queued"
    assert retried.json()["attempts"] == 3
    again = client.post(f"/api/actions/{failed}/retry", headers=headers)
    assert again.status_code == 409
    assert "queued" in again.json()["error"]["message"]
    assert client.post(f"/api/actions/{failed}/send-now", headers=headers).status_code == 200
    cancelled = client.post(
        f"/api/actions/{failed}/cancel", headers=headers, json={"reason": "paid by phone"}
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert client.post(f"/api/actions/{failed}/cancel", headers=headers).status_code == 409
    assert status_of(world, failed) == "cancelled"


def test_read_tokens_viewers_and_other_companies_are_refused(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    failed = add_action(world, world.a, "failed")
    theirs = add_action(world, world.b, "failed")
    read_only = bearer(world.token("collector", ("read",)))
    assert client.post(f"/api/actions/{failed}/retry", headers=read_only).status_code == 403
    viewer = bearer(world.token("viewer", ("write",)))
    assert client.post(f"/api/actions/{failed}/retry", headers=viewer).status_code == 403
    writer = bearer(world.token("collector", ("write",)))
    for move in ("retry", "send-now", "cancel"):
        answer = client.post(f"/api/actions/{theirs}/{move}", headers=writer)
        assert answer.status_code == 404
        assert "550" not in answer.text
    assert client.post("/api/actions/999999999/retry", headers=writer).status_code == 404
    assert status_of(world, failed) == "failed"
    assert status_of(world, theirs) == "failed"


def test_a_browser_session_needs_the_csrf_token_for_the_api(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    failed = add_action(world, world.a, "failed")
    assert sign_in(client, world.a.users["collector"]).status_code == 303
    assert client.post(f"/api/actions/{failed}/retry").status_code == 403
    assert status_of(world, failed) == "failed"
    token = client.cookies.get(CSRF_COOKIE) or ""
    answer = client.post(f"/api/actions/{failed}/retry", headers={"X-CSRF-Token": token})
    assert answer.status_code == 200
    assert status_of(world, failed) == "queued"
