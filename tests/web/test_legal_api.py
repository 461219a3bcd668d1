"""Legal cases and agency placements through the API: tenant-scoped, `work` to change and to
take personal data out (case file, export), `read` to view; the case file a ZIP; the payment
sync keyed by an Idempotency-Key, all or nothing."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.payment.models import Payment
from tests.factories.ledger import make_invoice
from tests.web.access import Tenant, World, build_world


def bearer(token: str, key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return headers


def owing(world: World, tenant: Tenant, total: int = 400_00) -> tuple[str, str]:
    """`tenant`'s first customer with an invoice due: (external id, invoice number)."""
    external_id = next(iter(tenant.customers))
    with world.session() as session:
        company = session.get_one(Company, tenant.id)
        customer = session.scalars(
            select(Customer).where(
                Customer.company_id == tenant.id, Customer.external_id == external_id
            )
        ).one()
        invoice = make_invoice(session, company, customer, total, date(2026, 1, 1),
                               date(2026, 1, 31))  # fmt: skip
        return external_id, invoice.number


def payments_of(world: World, tenant: Tenant) -> int:
    with world.session() as session:
        found = session.scalar(
            select(func.count()).select_from(Payment).where(Payment.company_id == tenant.id)
        )
        return int(found or 0)


def test_a_case_is_opened_moved_shown_and_its_file_downloaded(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    customer, number = owing(world, world.a)
    headers = bearer(world.token("collector", ("read", "write")))
    opened = client.post("/api/legal/cases", headers=headers,
                         json={"customer": customer, "lawyer": "L. Gómez",
                               "guarantees": "Aval"})  # fmt: skip
    assert opened.status_code == 201, opened.text
    case = opened.json()
    assert (case["stage"], case["amount"], case["currency"]) == ("pre_legal", 400_00, "EUR")
    assert [s["stage"] for s in case["steps"]] == ["pre_legal"]
    again = client.post("/api/legal/cases", headers=headers, json={"customer": customer})
    assert again.status_code == 409
    moved = client.post(f"/api/legal/cases/{case['id']}/move", headers=headers,
                        json={"stage": "claim_filed", "note": "123/2026"})  # fmt: skip
    assert moved.status_code == 200, moved.text
    assert [s["stage"] for s in moved.json()["steps"]] == ["pre_legal", "claim_filed"]
    skipped = client.post(f"/api/legal/cases/{case['id']}/move", headers=headers,
                          json={"stage": "enforcement"})  # fmt: skip
    assert skipped.status_code == 422
    assert skipped.json()["error"]["field"] == "stage"
    listed = client.get("/api/legal/cases?stage=claim_filed", headers=headers).json()["items"]
    assert [item["id"] for item in listed] == [case["id"]]
    download = client.get(f"/api/legal/cases/{case['id']}/file", headers=headers)
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    assert "attachment" in download.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert f"invoices/{number}.pdf" in archive.namelist()
        assert json.loads(archive.read("case.json"))["guarantees"] == "Aval"


def test_a_reader_views_but_neither_changes_nor_downloads(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    customer, _ = owing(world, world.a)
    worker = bearer(world.token("manager", ("read", "write")))
    case = client.post("/api/legal/cases", headers=worker, json={"customer": customer}).json()
    viewer = bearer(world.token("viewer"))
    assert client.get(f"/api/legal/cases/{case['id']}", headers=viewer).status_code == 200
    assert client.get("/api/agency/placements", headers=viewer).status_code == 200
    assert client.get(f"/api/legal/cases/{case['id']}/file", headers=viewer).status_code == 403
    refused = client.post("/api/legal/cases", headers=viewer, json={"customer": customer})
    assert refused.status_code == 403


def test_another_company_s_case_and_placement_are_not_found(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    theirs_customer, _ = owing(world, world.b)
    theirs = bearer(world.token("admin", ("read", "write"), tenant=world.b))
    case = client.post("/api/legal/cases", headers=theirs,
                       json={"customer": theirs_customer}).json()  # fmt: skip
    placement = client.post("/api/agency/placements", headers=theirs,
                            json={"customer": theirs_customer, "agency": "X"}).json()  # fmt: skip
    mine = bearer(world.token("admin", ("read", "write")))
    assert client.get(f"/api/legal/cases/{case['id']}", headers=mine).status_code == 404
    assert client.get(f"/api/legal/cases/{case['id']}/file", headers=mine).status_code == 404
    moved = client.post(f"/api/legal/cases/{case['id']}/move", headers=mine,
                        json={"stage": "closed"})  # fmt: skip
    assert moved.status_code == 404
    url = f"/api/agency/placements/{placement['id']}"
    assert client.post(f"{url}/recall", headers=mine).status_code == 404
    assert client.get(f"{url}/export", headers=mine).status_code == 404
    paid = b"reference,date,amount\nA,2026-01-01,1\n"
    keyed = {**mine, "Idempotency-Key": "k-foreign"}
    synced = client.post(f"{url}/payments", headers=keyed, content=paid)
    assert synced.status_code == 404
    assert client.get("/api/legal/cases", headers=mine).json()["items"] == []
    assert client.get("/api/agency/placements", headers=mine).json()["items"] == []


def test_a_placement_is_exported_synced_once_and_recalled(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    customer, number = owing(world, world.a)
    headers = bearer(world.token("collector", ("read", "write")))
    placed = client.post("/api/agency/placements", headers=headers,
                         json={"customer": customer, "agency": "Recobros Norte",
                               "commission": "15", "reference": "RN-1"})  # fmt: skip
    assert placed.status_code == 201, placed.text
    placement = placed.json()
    assert (placement["status"], placement["invoices"]) == ("placed", [number])
    url = f"/api/agency/placements/{placement['id']}"
    csv_export = client.get(f"{url}/export?format=csv", headers=headers)
    assert csv_export.headers["content-type"].startswith("text/csv")
    assert number in csv_export.text
    json_export = client.get(f"{url}/export?format=json", headers=headers)
    assert json_export.json()["debtor"]["id"] == customer
    body = f"reference,invoice,date,amount\nRN-P1,{number},2026-02-10,100.00\n".encode()
    synced = client.post(f"{url}/payments", headers=bearer(world.token("collector",
                         ("read", "write")), "sync-1"), content=body)  # fmt: skip
    assert synced.status_code == 200, synced.text
    assert (synced.json()["recorded"], synced.json()["amount"]) == (1, 100_00)
    replayed = client.post(f"{url}/payments", headers={**headers, "Idempotency-Key": "sync-1"},
                           content=body)  # fmt: skip
    assert replayed.headers.get("Idempotent-Replayed") == "true"
    uploaded = client.post(f"{url}/payments", headers={**headers, "Idempotency-Key": "sync-2"},
                           files={"file": ("paid.csv", body, "text/csv")})  # fmt: skip
    assert uploaded.status_code == 200, uploaded.text
    assert (uploaded.json()["recorded"], uploaded.json()["already"]) == (0, 1)
    bad = b"reference,invoice,date,amount\nRN-P2,NOPE,2026-02-10,1\n"
    refused = client.post(f"{url}/payments", headers={**headers, "Idempotency-Key": "sync-3"},
                          content=bad)  # fmt: skip
    assert refused.status_code == 422
    assert "row 2, invoice" in refused.json()["error"]["message"]
    no_key = client.post(f"{url}/payments", headers=headers, content=body)
    assert no_key.status_code == 422
    assert payments_of(world, world.a) == 1
    recalled = client.post(f"{url}/recall", headers=headers)
    assert recalled.status_code == 200
    assert recalled.json()["status"] == "recalled"
    assert client.post(f"{url}/recall", headers=headers).status_code == 409
