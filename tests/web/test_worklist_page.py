"""The worklist page and its quick moves by htmx (a fragment: the confirmation, or the form
with the error next to its field) and without (post, redirect, get); notes on the customer
page; hostile names and notes escaped; viewers see no moves and may not post; another company's
customer is a 404; a post without the CSRF token is refused."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cobro.policy.models import Hold
from cobro.web.security import CSRF_COOKIE
from tests.web.access import World, build_world, sign_in, speak
from tests.web.worklist_world import owes, queue_action

HOSTILE = "<script>alert('x')</script> \"Ñandú\" & Co"
NAMES = ("Ferretería López", HOSTILE)


@pytest.fixture
def world(web_database_url: str) -> World:
    world = build_world(web_database_url, NAMES)
    first, second = world.a.customers
    owes(world, world.a, first, 1_000_00, 10)
    owes(world, world.a, second, 2_000_00, 45, call_task=True)
    for external_id in world.b.customers:
        owes(world, world.b, external_id, 90_000_00, 200)
    return world


def htmx(client: TestClient) -> dict[str, str]:
    return {"HX-Request": "true", "X-CSRF-Token": client.cookies.get(CSRF_COOKIE) or ""}


def test_the_page_ranks_customers_with_their_reason(client: TestClient, world: World) -> None:
    first, second = world.a.customers
    assert sign_in(client, world.a.users["collector"]).status_code == 303
    page = client.get("/worklist", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.text
    assert html.index(second) < html.index(first)  # the older, larger debt first
    assert "€2,000.00 overdue, 45 days, not chased yet, no grade, call task open" in html
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(" in html
    assert f'hx-post="/worklist/{second}/call"' in html
    assert f'action="/worklist/{first}/note"' in html
    token = client.cookies.get(CSRF_COOKIE, "")
    assert f'name="csrf_token" value="{token}"' in html
    assert 'href="/worklist">Worklist</a>' in html  # the nav
    assert 'class="ranked-at">Ranked at ' in html  # when the kept ranking was counted
    assert "send-now" not in html  # nothing queued
    for name in world.b.customers.values():
        assert name not in html
    queue_action(world, world.a, first)
    assert f'hx-post="/worklist/{first}/send-now"' in client.get("/worklist").text


def test_the_page_in_spanish(client: TestClient, world: World) -> None:
    assert sign_in(client, world.a.users["collector"]).status_code == 303
    speak(client, "es")
    html = client.get("/worklist").text
    assert "Lista de trabajo" in html
    assert "2.000,00\xa0€ vencido, 45 días, aún sin reclamar, sin calificación" in html
    assert "Registrar llamada" in html
    assert "sin respuesta" in html  # an outcome


def test_a_call_logged_by_htmx_answers_a_confirmation_in_place(
    client: TestClient, world: World
) -> None:
    _, second = world.a.customers
    assert sign_in(client, world.a.users["collector"]).status_code == 303
    client.get("/worklist")
    answer = client.post(
        f"/worklist/{second}/call",
        data={"outcome": "no_answer", "body": "Buzón", "key": "r1-eur"},
        headers=htmx(client),
    )
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith('<div class="quick" id="call-r1-eur">')
    assert "<html" not in answer.text
    assert "Call logged: no answer." in answer.text
    assert "Call tasks closed: 1." in answer.text
    assert "Follow-up call on" in answer.text
    customer = client.get(f"/customers/{second}").text
    assert "Buzón" in customer
    assert 'class="outcome">no answer' in customer


def test_an_error_is_shown_next_to_its_field(client: TestClient, world: World) -> None:
    first, _ = world.a.customers
    assert sign_in(client, world.a.users["collector"]).status_code == 303
    client.get("/worklist")
    missing = client.post(
        f"/worklist/{first}/call", data={"outcome": "", "key": "r9-eur"}, headers=htmx(client)
    )
    assert missing.status_code == 200
    assert 'id="call-r9-eur"' in missing.text
    assert 'id="outcome-problem"' in missing.text
    bad_day = client.post(
        f"/worklist/{first}/call",
        data={"outcome": "call_back", "follow_up_on": "mañana", "body": "<b>x</b>"},
        headers=htmx(client),
    )
    assert 'id="follow_up_on-problem"' in bad_day.text
    assert "give the day as YYYY-MM-DD" in bad_day.text
    assert "&lt;b&gt;x&lt;/b&gt;</textarea>" in bad_day.text  # what was typed, kept and escaped
    empty = client.post(f"/worklist/{first}/note", data={"body": " "}, headers=htmx(client))
    assert 'id="body-problem"' in empty.text
    pause = client.post(
        f"/worklist/{first}/pause", data={"days": "x", "reason": ""}, headers=htmx(client)
    )
    assert 'id="days-problem"' in pause.text
    nothing = client.post(f"/worklist/{first}/send-now", headers=htmx(client))
    assert 'id="customer-problem"' in nothing.text


def test_without_htmx_a_move_redirects_back_and_an_error_is_a_page(
    client: TestClient, world: World
) -> None:
    first, _ = world.a.customers
    assert sign_in(client, world.a.users["collector"]).status_code == 303
    client.get("/worklist")
    token = client.cookies.get(CSRF_COOKIE, "")
    done = client.post(
        f"/worklist/{first}/note",
        data={"body": "Pide duplicado", "csrf_token": token},
        follow_redirects=False,
    )
    assert (done.status_code, done.headers["location"]) == (303, "/worklist")
    back = client.post(
        f"/worklist/{first}/note",
        data={"body": "Otra", "csrf_token": token, "back": "customer"},
        follow_redirects=False,
    )
    assert back.headers["location"] == f"/customers/{first}"
    refused = client.post(f"/worklist/{first}/pause", data={"days": "0", "csrf_token": token})
    assert refused.status_code == 422
    assert "<html" in refused.text
    assert 'id="days-problem"' in refused.text


def test_pausing_places_a_hold_and_moves_the_customer_down(
    client: TestClient, world: World
) -> None:
    first, second = world.a.customers
    assert sign_in(client, world.a.users["manager"]).status_code == 303
    client.get("/worklist")
    answer = client.post(
        f"/worklist/{second}/pause", data={"days": "5", "reason": "Cierre"}, headers=htmx(client)
    )
    assert "Paused until" in answer.text
    with world.session() as session:
        hold = session.scalars(select(Hold).where(Hold.company_id == world.a.id)).one()
        assert (hold.kind, hold.reason) == ("manual", "Cierre")
    html = client.get("/worklist").text
    assert html.index(first) < html.index(second)
    assert "on hold: manual until" in html


def test_send_now_moves_the_queued_messages(client: TestClient, world: World) -> None:
    first, _ = world.a.customers
    queue_action(world, world.a, first)
    assert sign_in(client, world.a.users["collector"]).status_code == 303
    client.get("/worklist")
    answer = client.post(f"/worklist/{first}/send-now", headers=htmx(client))
    assert "Messages to send now: 1." in answer.text


def test_notes_show_on_the_customer_page_escaped(client: TestClient, world: World) -> None:
    first, _ = world.a.customers
    assert sign_in(client, world.a.users["collector"]).status_code == 303
    client.get("/worklist")
    answer = client.post(f"/worklist/{first}/note", data={"body": HOSTILE}, headers=htmx(client))
    assert "Note added." in answer.text
    page = client.get(f"/customers/{first}").text
    assert HOSTILE not in page
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert 'hx-post="/worklist/' + first + '/note"' in page  # the note form


def test_viewers_see_no_moves_and_may_not_post(client: TestClient, world: World) -> None:
    first, _ = world.a.customers
    assert sign_in(client, world.a.users["viewer"]).status_code == 303
    html = client.get("/worklist").text
    assert first in html
    assert "/call" not in html
    assert "/note" not in client.get(f"/customers/{first}").text
    for move, data in (("call", {"outcome": "reached"}), ("note", {"body": "x"})):
        assert (
            client.post(f"/worklist/{first}/{move}", data=data, headers=htmx(client)).status_code
            == 403
        )


def test_another_companys_customer_is_a_404(client: TestClient, world: World) -> None:
    assert sign_in(client, world.a.users["admin"]).status_code == 303
    client.get("/worklist")
    for external_id, name in world.b.customers.items():
        for move, data in (
            ("call", {"outcome": "reached"}),
            ("note", {"body": "x"}),
            ("pause", {"days": "2", "reason": "x"}),
            ("send-now", {}),
        ):
            answer = client.post(f"/worklist/{external_id}/{move}", data=data, headers=htmx(client))
            assert answer.status_code == 404
            assert name not in answer.text


def test_a_post_without_the_csrf_token_is_refused(client: TestClient, world: World) -> None:
    first, _ = world.a.customers
    assert sign_in(client, world.a.users["collector"]).status_code == 303
    client.get("/worklist")
    answer = client.post(
        f"/worklist/{first}/note", data={"body": "x"}, headers={"HX-Request": "true"}
    )
    assert answer.status_code == 403


def test_signed_out_the_page_sends_to_sign_in(client: TestClient) -> None:
    answer = client.get("/worklist?stage=firm", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=")
