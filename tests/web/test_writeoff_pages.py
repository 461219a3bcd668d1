"""The write-offs page: pending requests with Approve and Reject for those who may (never
the asker, never a role whose limit does not cover it), Take back for the asker, the latest
write-offs with their reason code and approver, and the limits form for managers; each move a
redirect back; a refused one the page with the error; in Spanish too."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.kit.dates import today_in
from cobro.web.security import CSRF_COOKIE
from cobro.writeoff.models import WriteOffRequest
from cobro.writeoff.service import request_write_off
from tests.factories.ledger import make_invoice
from tests.web.access import Tenant, World, build_world, sign_in, speak


def world_with_limits(url: str) -> World:
    world = build_world(url)
    with world.session() as session:
        company = session.get_one(Company, world.a.id)
        company.collector_write_off_limit = 10_00
        company.manager_write_off_limit = 500_00
    return world


def ask(world: World, tenant: Tenant, role: str, total: int, reason: str = "closed down") -> int:
    """A write-off of all of a new invoice of `total`, asked by `tenant`'s `role`: its request."""
    with world.session() as session:
        company = session.get_one(Company, tenant.id)
        customer = session.scalars(
            select(Customer).where(Customer.company_id == tenant.id).order_by(Customer.id)
        ).first()
        assert customer is not None
        invoice = make_invoice(session, company, customer, total)
        by = (None, tenant.users[role])
        on = today_in(company.timezone)
        made = request_write_off(
            session, company, invoice.number, None, "bad_debt", reason, on, by, role
        )
        assert isinstance(made, WriteOffRequest)
        return made.id


def status_of(world: World, request_id: int) -> str:
    with world.session() as session:
        return session.get_one(WriteOffRequest, request_id).status


def signed_in(client: TestClient, world: World, role: str) -> str:
    assert sign_in(client, world.a.users[role]).status_code == 303
    client.get("/account")
    return client.cookies.get(CSRF_COOKIE) or ""


def main_of(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def test_a_manager_approves_what_a_collector_asked_and_sees_it_written_off(
    client: TestClient, web_database_url: str
) -> None:
    world = world_with_limits(web_database_url)
    asked = ask(world, world.a, "collector", 300_00, "shop closed")
    theirs = ask(world, world.b, "collector", 300_00, "secret of B")
    token = signed_in(client, world, "manager")
    page = main_of(client.get("/write-offs", headers={"Accept-Language": "en"}).text)
    assert f'id="request-{asked}"' in page
    assert f'id="request-{theirs}"' not in page
    assert "secret of B" not in page
    assert f'action="/write-offs/requests/{asked}/approve"' in page
    assert 'action="/write-offs/settings"' in page  # a manager sets the limits
    approved = client.post(
        f"/write-offs/requests/{asked}/approve", data={"csrf_token": token}, follow_redirects=False
    )
    assert approved.status_code == 303
    assert approved.headers["location"] == "/write-offs"
    assert status_of(world, asked) == "approved"
    page = main_of(client.get("/write-offs", headers={"Accept-Language": "en"}).text)
    assert f'id="request-{asked}"' not in page  # no longer waiting
    assert "shop closed" in page  # among the latest write-offs
    assert world.a.users["manager"] in page  # approved by
    again = client.post(f"/write-offs/requests/{asked}/approve", data={"csrf_token": token})
    assert again.status_code == 409
    assert "approved" in main_of(again.text)
    # another company's request: not found, unchanged
    other = client.post(f"/write-offs/requests/{theirs}/approve", data={"csrf_token": token})
    assert other.status_code == 404
    assert status_of(world, theirs) == "pending"


def test_the_asker_sees_no_approve_button_only_take_back(
    client: TestClient, web_database_url: str
) -> None:
    world = world_with_limits(web_database_url)
    own = ask(world, world.a, "manager", 900_00)  # above the manager's own limit
    token = signed_in(client, world, "manager")
    page = main_of(client.get("/write-offs").text)
    assert f'action="/write-offs/requests/{own}/approve"' not in page
    assert f'action="/write-offs/requests/{own}/cancel"' in page
    refused = client.post(f"/write-offs/requests/{own}/approve", data={"csrf_token": token})
    assert refused.status_code == 403
    assert status_of(world, own) == "pending"
    taken_back = client.post(
        f"/write-offs/requests/{own}/cancel", data={"csrf_token": token}, follow_redirects=False
    )
    assert taken_back.status_code == 303
    assert status_of(world, own) == "cancelled"


def test_a_collector_may_not_approve_above_their_limit_nor_set_limits(
    client: TestClient, web_database_url: str
) -> None:
    world = world_with_limits(web_database_url)
    asked = ask(world, world.a, "manager", 900_00)
    token = signed_in(client, world, "collector")
    page = main_of(client.get("/write-offs").text)
    assert f'id="request-{asked}"' in page
    assert f'action="/write-offs/requests/{asked}/approve"' not in page
    assert 'action="/write-offs/settings"' not in page
    form = {"csrf_token": token, "small_balance_limit": "1"}
    assert client.post("/write-offs/settings", data=form).status_code == 403
    assert (
        client.post(f"/write-offs/requests/{asked}/reject", data={"csrf_token": token}).status_code
        == 403
    )


def test_an_admin_rejects_with_a_note_and_sets_the_limits(
    client: TestClient, web_database_url: str
) -> None:
    world = world_with_limits(web_database_url)
    asked = ask(world, world.a, "manager", 900_00)
    token = signed_in(client, world, "admin")
    rejected = client.post(
        f"/write-offs/requests/{asked}/reject",
        data={"csrf_token": token, "note": "sue them"},
        follow_redirects=False,
    )
    assert rejected.status_code == 303
    assert status_of(world, asked) == "rejected"
    form = {
        "csrf_token": token,
        "small_balance_limit": "1,50",
        "collector_write_off_limit": "20",
        "manager_write_off_limit": "",
    }
    saved = client.post("/write-offs/settings", data=form, follow_redirects=False)
    assert saved.status_code == 303
    with world.session() as session:
        company = session.get_one(Company, world.a.id)
        limits = (
            company.small_balance_limit,
            company.collector_write_off_limit,
            company.manager_write_off_limit,
        )
    assert limits == (1_50, 20_00, None)
    bad = client.post("/write-offs/settings", data={**form, "collector_write_off_limit": "-3"})
    assert bad.status_code == 422
    assert 'id="limits-error-collector_write_off_limit"' in bad.text


def test_a_viewer_sees_the_page_without_buttons_and_it_speaks_spanish(
    client: TestClient, web_database_url: str
) -> None:
    world = world_with_limits(web_database_url)
    asked = ask(world, world.a, "collector", 300_00)
    signed_in(client, world, "viewer")
    page = main_of(client.get("/write-offs", headers={"Accept-Language": "en"}).text)
    assert f'id="request-{asked}"' in page
    assert 'method="post"' not in page
    speak(client, "es")
    spanish = main_of(client.get("/write-offs").text)
    assert "Pendientes de aprobación" in spanish
    assert "incobrable" in spanish  # the reason code, in words
