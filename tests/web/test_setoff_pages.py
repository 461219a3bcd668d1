"""The set-off card of the customer page: shown only when the company owes the customer
(open vendor bills), with what each side owes and the proposal; "Apply set-off" for roles that
may work, a redirect back; a refused one a page with the reason; in Spanish too."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cobro.company.models import Company
from cobro.customer.service import get_customer
from cobro.invoice.models import Invoice
from cobro.setoff.models import SetOff
from cobro.web.security import CSRF_COOKIE
from tests.factories.ledger import make_invoice
from tests.factories.setoff import make_bill
from tests.web.access import World, build_world, sign_in, speak


def world_of(url: str, bill: bool = True) -> tuple[World, str]:
    world = build_world(url, ("Transportes Sur",))
    external_id = next(iter(world.a.customers))
    with world.session() as session:
        company = session.get_one(Company, world.a.id)
        customer = get_customer(session, company.id, external_id)
        make_invoice(session, company, customer, 300_00, due_date=date(2026, 1, 10))
        if bill:
            make_bill(session, company, customer, 120_00, number="TS-77")
    return world, external_id


def signed_in(client: TestClient, world: World, role: str) -> str:
    assert sign_in(client, world.a.users[role]).status_code == 303
    client.get("/account")
    return client.cookies.get(CSRF_COOKIE) or ""


def card(html: str) -> str:
    return (
        html.split('id="set-off"', 1)[1].split("</section>", 1)[0] if 'id="set-off"' in html else ""
    )


def test_the_card_shows_both_sides_and_a_collector_applies_the_set_off(
    client: TestClient, web_database_url: str
) -> None:
    world, external_id = world_of(web_database_url)
    token = signed_in(client, world, "collector")
    page = client.get(f"/customers/{external_id}", headers={"Accept-Language": "en"})
    shown = card(page.text)
    assert "TS-77" in shown
    assert "€300.00" in shown
    assert "€120.00" in shown
    assert "€180.00" in shown
    assert f'action="/customers/{external_id}/set-off"' in shown
    done = client.post(
        f"/customers/{external_id}/set-off",
        data={"csrf_token": token, "currency": "EUR", "amount": "", "note": "agreed"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/customers/{external_id}#set-off"
    with world.session() as session:
        invoice = session.scalars(select(Invoice).where(Invoice.company_id == world.a.id)).one()
        assert invoice.open_amount == 180_00
    # the bill is paid: no card any more
    assert card(client.get(f"/customers/{external_id}").text) == ""


def test_too_large_an_amount_is_refused_with_the_reason_and_nothing_written(
    client: TestClient, web_database_url: str
) -> None:
    world, external_id = world_of(web_database_url)
    token = signed_in(client, world, "collector")
    refused = client.post(
        f"/customers/{external_id}/set-off",
        data={"csrf_token": token, "currency": "EUR", "amount": "500"},
    )
    assert refused.status_code == 422
    assert "can be set off" in refused.text
    with world.session() as session:
        count = select(func.count()).select_from(SetOff).where(SetOff.company_id == world.a.id)
        assert session.scalar(count) == 0


def test_a_viewer_sees_the_card_without_the_form_and_may_not_post(
    client: TestClient, web_database_url: str
) -> None:
    world, external_id = world_of(web_database_url)
    token = signed_in(client, world, "viewer")
    speak(client, "es")
    shown = card(client.get(f"/customers/{external_id}").text)
    assert "Compensación propuesta" in shown
    assert "<form" not in shown
    posted = client.post(
        f"/customers/{external_id}/set-off", data={"csrf_token": token, "currency": "EUR"}
    )
    assert posted.status_code == 403


def test_no_card_for_a_customer_we_owe_nothing(client: TestClient, web_database_url: str) -> None:
    world, external_id = world_of(web_database_url, bill=False)
    signed_in(client, world, "collector")
    page = client.get(f"/customers/{external_id}")
    assert page.status_code == 200
    assert card(page.text) == ""
