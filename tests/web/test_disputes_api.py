"""Disputes through the API: open, list, show, resolve (idempotent), evidence up and down;
tenant-scoped; `work` to change; a bad upload a 422 naming `file` with nothing stored."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.dispute.models import DisputeEvidence
from cobro.invoice.models import CreditNote, Invoice
from cobro.policy.models import Hold
from tests.factories.ledger import make_invoice
from tests.web.access import World, build_world

PDF = b"%PDF-1.4\nproof of delivery\n"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def setup(web_database_url: str) -> tuple[World, str, str, dict[str, str]]:
    """A world, company A's first customer with a 1,000.00 invoice, a collector's headers."""
    world = build_world(web_database_url)
    customer = next(iter(world.a.customers))
    with world.session() as session:
        company = session.get_one(Company, world.a.id)
        owner = session.scalars(
            select(Customer).where(
                Customer.company_id == world.a.id, Customer.external_id == customer
            )
        ).one()
        number = make_invoice(
            session, company, owner, 1000_00, number=f"D-{uuid.uuid4().hex[:8]}"
        ).number
    return world, customer, number, bearer(world.token("collector", ("read", "write")))


def open_one(
    client: TestClient,
    headers: dict[str, str],
    customer: str,
    number: str,
    amount: int | None = 250_00,
) -> dict:  # type: ignore[type-arg]
    body = {
        "customer": customer,
        "items": [{"invoice": number, "amount": amount}],
        "reason": "price",
        "description": "Agreed 750, billed 1000",
    }
    opened = client.post("/api/disputes", headers=headers, json=body)
    assert opened.status_code == 201, opened.text
    return opened.json()  # type: ignore[no-any-return]


def test_a_collector_opens_lists_shows_and_credits_a_dispute(
    client: TestClient, web_database_url: str
) -> None:
    world, customer, number, headers = setup(web_database_url)
    dispute = open_one(client, headers, customer, number)
    assert (dispute["status"], dispute["source"], dispute["amount"], dispute["currency"]) == (
        "open",
        "api",
        250_00,
        "EUR",
    )
    assert dispute["items"][0] | {} == {
        "invoice": number,
        "currency": "EUR",
        "amount": 250_00,
        "credited": 0,
        "credit_note": None,
        "open_amount": 1000_00,
    }
    listed = client.get("/api/disputes?status=open", headers=headers).json()["items"]
    assert [d["id"] for d in listed] == [dispute["id"]]
    assert (
        client.get(f"/api/disputes?customer={customer}&status=credited", headers=headers).json()[
            "items"
        ]
        == []
    )
    key = {"Idempotency-Key": str(uuid.uuid4())}
    resolve = {
        "outcome": "partial",
        "credits": [{"invoice": number, "amount": 100_00}],
        "note": "half",
    }
    done = client.post(
        f"/api/disputes/{dispute['id']}/resolve", headers=headers | key, json=resolve
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "partly_credited"
    again = client.post(
        f"/api/disputes/{dispute['id']}/resolve", headers=headers | key, json=resolve
    )
    assert (again.status_code, again.headers["Idempotent-Replayed"]) == (200, "true")
    with world.session() as session:
        assert (
            session.scalars(select(Invoice.open_amount).where(Invoice.number == number)).one()
            == 900_00
        )
        assert (
            session.scalar(
                select(func.count())
                .select_from(CreditNote)
                .join(Invoice)
                .where(Invoice.number == number)
            )
            == 1
        )
    other = client.post(
        f"/api/disputes/{dispute['id']}/resolve",
        headers=headers | {"Idempotency-Key": str(uuid.uuid4())},
        json={"outcome": "reject"},
    )
    assert other.status_code == 409


def test_resolving_needs_an_idempotency_key(client: TestClient, web_database_url: str) -> None:
    _, customer, number, headers = setup(web_database_url)
    dispute = open_one(client, headers, customer, number)
    refused = client.post(
        f"/api/disputes/{dispute['id']}/resolve", headers=headers, json={"outcome": "credit"}
    )
    assert refused.status_code == 422


def test_a_dispute_larger_than_the_open_amount_is_refused_and_nothing_changes(
    client: TestClient, web_database_url: str
) -> None:
    world, customer, number, headers = setup(web_database_url)
    body = {
        "customer": customer,
        "items": [{"invoice": number, "amount": 1000_01}],
        "reason": "price",
        "description": "x",
    }
    refused = client.post("/api/disputes", headers=headers, json=body)
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "items"
    assert "larger than the open amount" in refused.json()["error"]["message"]
    with world.session() as session:
        held = session.scalar(
            select(func.count()).select_from(Hold).join(Invoice).where(Invoice.number == number)
        )
    assert held == 0
    assert client.get("/api/disputes", headers=headers).json()["items"] == []


def test_evidence_goes_up_and_comes_back_as_an_attachment(
    client: TestClient, web_database_url: str
) -> None:
    _, customer, number, headers = setup(web_database_url)
    dispute = open_one(client, headers, customer, number)
    up = client.post(
        f"/api/disputes/{dispute['id']}/evidence",
        headers=headers,
        files={"file": ("../albarán.pdf", PDF, "text/html")},
    )
    assert up.status_code == 201, up.text
    evidence = up.json()
    assert (evidence["filename"], evidence["content_type"], evidence["size"]) == (
        "albarán.pdf",
        "application/pdf",
        len(PDF),
    )
    shown = client.get(f"/api/disputes/{dispute['id']}", headers=headers).json()
    assert [e["id"] for e in shown["evidence"]] == [evidence["id"]]
    down = client.get(f"/api/disputes/{dispute['id']}/evidence/{evidence['id']}", headers=headers)
    assert down.status_code == 200
    assert down.content == PDF
    assert down.headers["content-type"] == "application/pdf"
    assert down.headers["content-disposition"] == "attachment; filename*=UTF-8''albar%C3%A1n.pdf"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00 a program", "not a PDF, PNG, JPEG or plain-text"),
        (PDF + b"0" * (5 * 1024 * 1024), "5 MiB at most"),
        (b"<html><script>alert(1)</script></html>", "not a PDF, PNG, JPEG or plain-text"),
    ],
)
def test_a_wrong_or_too_large_upload_is_refused_naming_the_field(
    client: TestClient, web_database_url: str, content: bytes, message: str
) -> None:
    world, customer, number, headers = setup(web_database_url)
    dispute = open_one(client, headers, customer, number)
    refused = client.post(
        f"/api/disputes/{dispute['id']}/evidence",
        headers=headers,
        files={"file": ("proof.pdf", content, "application/pdf")},
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["field"] == "file"
    assert message in refused.json()["error"]["message"]
    with world.session() as session:
        stored = session.scalar(
            select(func.count())
            .select_from(DisputeEvidence)
            .where(DisputeEvidence.dispute_id == dispute["id"])
        )
    assert stored == 0


def test_a_viewer_reads_but_does_not_open_or_resolve(
    client: TestClient, web_database_url: str
) -> None:
    world, customer, number, headers = setup(web_database_url)
    dispute = open_one(client, headers, customer, number)
    viewer = bearer(world.token("viewer", ("read", "write")))
    assert client.get(f"/api/disputes/{dispute['id']}", headers=viewer).status_code == 200
    body = {
        "customer": customer,
        "items": [{"invoice": number}],
        "reason": "price",
        "description": "x",
    }
    assert client.post("/api/disputes", headers=viewer, json=body).status_code == 403
    key = {"Idempotency-Key": str(uuid.uuid4())}
    assert (
        client.post(
            f"/api/disputes/{dispute['id']}/resolve",
            headers=viewer | key,
            json={"outcome": "credit"},
        ).status_code
        == 403
    )


def test_disputes_are_tenant_scoped(client: TestClient, web_database_url: str) -> None:
    world, customer, number, headers = setup(web_database_url)
    dispute = open_one(client, headers, customer, number)
    up = client.post(
        f"/api/disputes/{dispute['id']}/evidence",
        headers=headers,
        files={"file": ("a.txt", b"hello", "text/plain")},
    ).json()
    theirs = bearer(world.token("admin", ("read", "write"), tenant=world.b))
    assert client.get(f"/api/disputes/{dispute['id']}", headers=theirs).status_code == 404
    assert (
        client.get(f"/api/disputes/{dispute['id']}/evidence/{up['id']}", headers=theirs).status_code
        == 404
    )
    assert client.get("/api/disputes", headers=theirs).json()["items"] == []
    key = {"Idempotency-Key": str(uuid.uuid4())}
    assert (
        client.post(
            f"/api/disputes/{dispute['id']}/resolve",
            headers=theirs | key,
            json={"outcome": "credit"},
        ).status_code
        == 404
    )
    body = {
        "customer": customer,
        "items": [{"invoice": number}],
        "reason": "price",
        "description": "x",
    }
    assert client.post("/api/disputes", headers=theirs, json=body).status_code == 404
