"""The outbox page: tabs by status, the actions of the caller's company with their errors
escaped, and buttons (forms with the CSRF token) for roles that may work only. In a real browser
too: a collector filters the failed ones and retries one."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from playwright.sync_api import Browser
from sqlalchemy import select

from cobro.audit.models import AuditEvent
from cobro.kit.dates import today_in
from cobro.web.security import CSRF_COOKIE
from tests.web.access import browser_sign_in, build_world, sign_in
from tests.web.outbox_world import add_action, status_of

HOSTILE = "<script>alert('x')</script> \"quoted\" & Ñandú"


def test_a_failed_action_shows_retry_and_posting_it_queues_it(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    failed = add_action(world, world.a, "failed")
    queued = add_action(world, world.a, "queued")
    theirs = add_action(world, world.b, "failed")
    assert sign_in(client, world.a.users["collector"]).status_code == 303
    page = client.get("/outbox?status=failed", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.text
    assert f'id="action-{failed}"' in html
    assert f'action="/outbox/{failed}/retry"' in html
    assert f'id="action-{queued}"' not in html
    assert f'id="action-{theirs}"' not in html
    assert 'href="/outbox">Outbox</a>' in html
    token = client.cookies.get(CSRF_COOKIE, "")
    assert f'name="csrf_token" value="{token}"' in html
    moved = client.post(
        f"/outbox/{failed}/retry",
        data={"csrf_token": token, "back": "failed"},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    assert moved.headers["location"] == "/outbox?status=failed"
    assert status_of(world, failed) == "queued"
    queued_page = client.get("/outbox?status=queued").text
    assert f'action="/outbox/{failed}/send-now"' in queued_page
    assert f'action="/outbox/{queued}/cancel"' in queued_page
    # another company's action: not found, never touched
    assert client.post(f"/outbox/{theirs}/retry", data={"csrf_token": token}).status_code == 404
    assert status_of(world, theirs) == "failed"


def test_a_post_without_the_csrf_token_is_refused(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    failed = add_action(world, world.a, "failed")
    assert sign_in(client, world.a.users["collector"]).status_code == 303
    client.get("/outbox")
    assert client.post(f"/outbox/{failed}/retry", data={}).status_code == 403
    assert client.post(f"/outbox/{failed}/retry", data={"csrf_token": "forged"}).status_code == 403
    assert status_of(world, failed) == "failed"


def test_viewers_see_no_buttons_and_may_not_post(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url)
    failed = add_action(world, world.a, "failed")
    assert sign_in(client, world.a.users["viewer"]).status_code == 303
    html = client.get("/outbox").text
    assert f'id="action-{failed}"' in html
    assert "/retry" not in html
    main = html.split("<main", 1)[1].split("</main>")[0]
    assert 'method="post"' not in main  # the filters' form only: no move to make
    after_the_filters = main.split('class="filters"', 1)[1].split("</form>", 1)[1]
    assert "<button" not in after_the_filters
    token = client.cookies.get(CSRF_COOKIE, "")
    assert client.post(f"/outbox/{failed}/retry", data={"csrf_token": token}).status_code == 403
    assert status_of(world, failed) == "failed"


def test_a_hostile_error_is_escaped(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url, customer_names=(HOSTILE,))
    add_action(world, world.a, "failed", error=HOSTILE)
    assert sign_in(client, world.a.users["collector"]).status_code == 303
    html = client.get("/outbox?status=failed").text
    assert HOSTILE not in html
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(" in html


def test_a_collector_retries_a_failed_message_in_the_browser(
    browser: Browser, live_server: str, web_database_url: str, artifacts: Path
) -> None:
    world = build_world(web_database_url)
    failed = add_action(world, world.a, "failed", error="550 5.1.1 mailbox unavailable")
    context, page = browser_sign_in(browser, live_server, world.a.users["collector"], "/outbox")
    page.click("nav.tabs a.tab-failed")
    page.wait_for_url(f"{live_server}/outbox?status=failed")
    row = page.locator(f"#action-{failed}")
    assert "550 5.1.1 mailbox unavailable" in row.inner_text()
    page.screenshot(path=artifacts / "outbox-failed.png", full_page=True)
    row.locator("button.retry").click()
    page.wait_for_url(f"{live_server}/outbox?status=failed")
    assert page.locator(f"#action-{failed}").count() == 0
    page.click("nav.tabs a.tab-queued")
    page.wait_for_url(f"{live_server}/outbox?status=queued")
    assert page.locator(f"#action-{failed} .status").inner_text() == "queued"
    page.screenshot(path=artifacts / "outbox-queued.png", full_page=True)
    assert status_of(world, failed) == "queued"
    context.close()


def test_the_outbox_filters_by_kind_and_day_and_keeps_them_when_paging(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    email = add_action(world, world.a, "queued", kind="email")
    letter = add_action(world, world.a, "queued", kind="letter")
    assert sign_in(client, world.a.users["viewer"]).status_code == 303
    html = client.get("/outbox", params={"status": "queued", "kind": "letter"}).text
    assert f'id="action-{letter}"' in html
    assert f'id="action-{email}"' not in html
    assert '<option value="letter" selected>' in html
    today = client.get("/outbox", params={"on": today_in("Europe/Madrid").isoformat()}).text
    assert f'id="action-{email}"' in today
    assert f'id="action-{email}"' not in client.get("/outbox", params={"on": "2000-01-01"}).text
    everything = client.get("/outbox", params={"kind": "", "on": ""})
    assert f'id="action-{email}"' in everything.text
    wrong = client.get("/outbox", params={"on": "yesterday"})
    assert wrong.status_code == 422
    assert "YYYY-MM-DD" in wrong.text


def test_a_cancelled_action_keeps_its_reason_in_the_audit_trail(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    queued = add_action(world, world.a, "queued")
    assert sign_in(client, world.a.users["collector"]).status_code == 303
    html = client.get("/outbox", params={"status": "queued"}).text
    assert f'id="reason-{queued}"' in html
    response = client.post(
        f"/outbox/{queued}/cancel",
        data={
            "csrf_token": client.cookies.get(CSRF_COOKIE, ""),
            "back": "queued",
            "reason": "paid by cheque <b>today</b>",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert status_of(world, queued) == "cancelled"
    with world.session() as session:
        event = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "action", AuditEvent.entity_id == str(queued)
            )
        ).one()
        assert event.action == "action.cancelled"
        assert "paid by cheque <b>today</b>" in str(event.after)
