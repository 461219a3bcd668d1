"""The disputes pages and the portal's dispute form: open with a file, see, resolve; refusals
by field with nothing written; the debtor opens and withdraws only their own; in Spanish too."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.dispute.models import Dispute, DisputeEvidence
from cobro.invoice.models import Invoice
from cobro.kit.dates import utcnow
from cobro.policy.models import Hold
from cobro.portal.links import portal_token
from cobro.web.security import CSRF_COOKIE
from tests.factories.ledger import make_invoice
from tests.web.access import World, build_world, sign_in, speak
from tests.web.conftest import SECRET

PDF = b"%PDF-1.4\nthe delivery note\n"


def world_with_invoice(url: str) -> tuple[World, str, str, int]:
    world = build_world(url)
    external_id = next(iter(world.a.customers))
    with world.session() as session:
        company = session.get_one(Company, world.a.id)
        customer = session.scalars(
            select(Customer).where(
                Customer.company_id == world.a.id, Customer.external_id == external_id
            )
        ).one()
        number = make_invoice(
            session, company, customer, 1000_00, number=f"W-{uuid.uuid4().hex[:8]}"
        ).number
        return world, external_id, number, customer.id


def signed_in(client: TestClient, world: World, role: str) -> str:
    assert sign_in(client, world.a.users[role]).status_code == 303
    client.get("/account")
    return client.cookies.get(CSRF_COOKIE) or ""


def disputes_of(world: World, customer_id: int) -> list[Dispute]:
    with world.session() as session:
        session.expire_on_commit = False
        return list(session.scalars(select(Dispute).where(Dispute.customer_id == customer_id)))


def test_a_collector_opens_a_partial_dispute_with_a_file_and_credits_it(
    client: TestClient, web_database_url: str
) -> None:
    world, customer, number, customer_id = world_with_invoice(web_database_url)
    token = signed_in(client, world, "collector")
    page = client.get("/disputes")
    assert page.status_code == 200
    assert 'action="/disputes"' in page.text
    opened = client.post(
        "/disputes",
        data={
            "csrf_token": token,
            "customer": customer,
            "items": f"{number}:250,00",
            "reason": "price",
            "description": "Agreed <b>750</b>",
        },
        files=[("evidence", ("nota.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )
    assert opened.status_code == 303, opened.text
    [dispute] = disputes_of(world, customer_id)
    assert opened.headers["location"] == f"/disputes/{dispute.id}"
    shown = client.get(f"/disputes/{dispute.id}").text
    assert "Agreed &lt;b&gt;750&lt;/b&gt;" in shown
    assert re.search(rf'href="/disputes/{dispute.id}/evidence/\d+"', shown)
    link = re.search(rf'href="(/disputes/{dispute.id}/evidence/\d+)"', shown)
    assert link is not None
    assert client.get(link.group(1)).content == PDF
    done = client.post(
        f"/disputes/{dispute.id}/resolve",
        data={"csrf_token": token, "outcome": "partial", "credits": f"{number}:100"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    after = client.get(f"/disputes/{dispute.id}").text
    assert f"CN-D{dispute.id}-1" in after
    assert f'action="/disputes/{dispute.id}/resolve"' not in after
    with world.session() as session:
        assert (
            session.scalars(select(Invoice.open_amount).where(Invoice.number == number)).one()
            == 900_00
        )


def test_a_refused_dispute_shows_the_error_by_its_field_and_writes_nothing(
    client: TestClient, web_database_url: str
) -> None:
    world, customer, number, customer_id = world_with_invoice(web_database_url)
    token = signed_in(client, world, "collector")
    too_much = client.post(
        "/disputes",
        data={
            "csrf_token": token,
            "customer": customer,
            "items": f"{number}:1500",
            "reason": "price",
            "description": "x",
        },
    )
    assert too_much.status_code == 422
    assert 'id="dispute-error-items"' in too_much.text
    assert "larger than the open amount" in too_much.text
    bad_file = client.post(
        "/disputes",
        data={
            "csrf_token": token,
            "customer": customer,
            "items": number,
            "reason": "price",
            "description": "x",
        },
        files=[("evidence", ("x.pdf", b"MZ\x90\x00", "application/pdf"))],
    )
    assert bad_file.status_code == 422
    assert 'id="dispute-error-evidence"' in bad_file.text
    assert disputes_of(world, customer_id) == []
    with world.session() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(Hold).where(Hold.customer_id == customer_id)
            )
            == 0
        )


def test_a_viewer_sees_disputes_without_forms_in_spanish(
    client: TestClient, web_database_url: str
) -> None:
    world, customer, number, customer_id = world_with_invoice(web_database_url)
    writer = signed_in(client, world, "collector")
    client.post(
        "/disputes",
        data={
            "csrf_token": writer,
            "customer": customer,
            "items": number,
            "reason": "quality",
            "description": "roto",
        },
    )
    client.cookies.clear()
    signed_in(client, world, "viewer")
    speak(client, "es")
    page = client.get("/disputes").text
    assert "Disputas" in page
    assert "calidad" in page
    assert 'method="post"' not in page
    [dispute] = disputes_of(world, customer_id)
    assert "/resolve" not in client.get(f"/disputes/{dispute.id}").text


# ---- the portal ---------------------------------------------------------------------------------


def portal(world: World, customer_id: int) -> str:
    return portal_token(SECRET, world.a.id, customer_id, utcnow() + timedelta(days=30))


def test_the_debtor_disputes_part_of_an_invoice_and_withdraws_it(
    client: TestClient, web_database_url: str
) -> None:
    world, _, number, customer_id = world_with_invoice(web_database_url)
    token = portal(world, customer_id)
    home = client.get(f"/portal/{token}")
    assert f'href="/portal/{token}/dispute"' in home.text
    form = client.get(f"/portal/{token}/dispute")
    assert form.status_code == 200
    assert number in form.text
    sent = client.post(
        f"/portal/{token}/dispute",
        data={
            "csrf_token": client.cookies[CSRF_COOKIE],
            "invoices": [number],
            "numbers": [number],
            "amounts": ["120"],
            "reason": "not_received",
            "description": "Never arrived",
        },
        files=[("evidence", ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, "image/png"))],
    )
    assert sent.status_code == 200, sent.text
    assert 'id="opened"' in sent.text
    [dispute] = disputes_of(world, customer_id)
    assert (dispute.source, dispute.reason, dispute.created_by) == (
        "portal",
        "not_received",
        "portal",
    )
    with world.session() as session:
        hold = session.scalars(select(Hold).where(Hold.dispute_id == dispute.id)).one()
        assert hold.amount == 120_00
        assert (
            session.scalar(
                select(func.count())
                .select_from(DisputeEvidence)
                .where(DisputeEvidence.dispute_id == dispute.id)
            )
            == 1
        )
    assert f'action="/portal/{token}/dispute/{dispute.id}/withdraw"' in sent.text
    gone = client.post(
        f"/portal/{token}/dispute/{dispute.id}/withdraw",
        data={"csrf_token": client.cookies[CSRF_COOKIE]},
        follow_redirects=False,
    )
    assert gone.status_code == 303
    assert disputes_of(world, customer_id)[0].status == "withdrawn"


def test_the_debtor_cannot_withdraw_anothers_dispute_or_dispute_too_much(
    client: TestClient, web_database_url: str
) -> None:
    world, _, number, customer_id = world_with_invoice(web_database_url)
    token = portal(world, customer_id)
    client.get(f"/portal/{token}/dispute")
    csrf = client.cookies[CSRF_COOKIE]
    refused = client.post(
        f"/portal/{token}/dispute",
        data={
            "csrf_token": csrf,
            "invoices": [number],
            "numbers": [number],
            "amounts": ["5000"],
            "reason": "price",
            "description": "x",
        },
    )
    assert refused.status_code == 422
    assert 'id="invoices-error"' in refused.text
    too_many = client.post(
        f"/portal/{token}/dispute",
        data={
            "csrf_token": csrf,
            "invoices": [number],
            "numbers": [number],
            "amounts": [""],
            "reason": "price",
            "description": "x",
        },
        files=[("evidence", (f"{i}.txt", b"note", "text/plain")) for i in range(4)],
    )
    assert too_many.status_code == 422
    assert 'id="evidence-error"' in too_many.text
    assert disputes_of(world, customer_id) == []
    # another debtor's dispute: the portal's "not found", and it stays open
    other, _, other_number, other_id = world_with_invoice(web_database_url)
    theirs = portal(other, other_id)
    client.post(
        f"/portal/{theirs}/dispute",
        data={
            "csrf_token": csrf,
            "invoices": [other_number],
            "numbers": [other_number],
            "amounts": [""],
            "reason": "price",
            "description": "x",
        },
    )
    [dispute] = disputes_of(other, other_id)
    answer = client.post(
        f"/portal/{token}/dispute/{dispute.id}/withdraw", data={"csrf_token": csrf}
    )
    assert answer.status_code == 404
    assert disputes_of(other, other_id)[0].status == "open"
