"""The bank and SEPA API: a statement uploaded (applied or queued), imported again (nothing
new), refused for a foreign account (422, nothing stored); the review queue and its actions with
an Idempotency-Key; settings; mandates and a batch written and downloaded; a viewer reads but
may not act (403); another company's line is a 404."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cobro.banking.accounts import add_account
from cobro.company.models import Company
from cobro.customer.service import get_customer
from cobro.kit.dates import utcnow
from cobro.portal.links import portal_token
from tests.factories.bank import Entry, camt
from tests.factories.ledger import make_customer, make_invoice
from tests.support.api_world import SECRET, api_client, own_world
from tests.web.access import Tenant, World

ACCOUNT_A = "ES9121000418450200051332"
ACCOUNT_B = "ES7921000813610123456789"
SEQUENCE = itertools.count(1)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with own_world(tmp_path_factory.mktemp("bank_api")) as world:
        with world.session() as session:
            add_account(session, session.get_one(Company, world.a.id), ACCOUNT_A)
            add_account(session, session.get_one(Company, world.b.id), ACCOUNT_B)
        yield world


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with api_client(world) as client:
        yield client


def headers(world: World, role: str = "collector", tenant: Tenant | None = None) -> dict[str, str]:
    scopes = ("read",) if role == "viewer" else ("read", "write")
    token = world.token(role, scopes, tenant=tenant)
    return {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}


def invoice_for(
    world: World, tenant: Tenant, total: int, name: str = "Cliente"
) -> tuple[str, str, str]:
    """A new customer of `tenant` with one invoice: (customer id, invoice number, RF ref)."""
    with world.session() as session:
        company = session.get_one(Company, tenant.id)
        customer = make_customer(session, company, f"K-{uuid.uuid4().hex[:6]}", name=name)
        number = f"INV-{next(SEQUENCE):05d}"
        invoice = make_invoice(session, company, customer, total, date(2026, 2, 1), None, number)
        return customer.external_id, number, invoice.payment_reference


def upload(client: TestClient, world: World, data: bytes, role: str = "collector") -> Any:
    return client.post(
        "/api/bank/statements",
        headers=headers(world, role),
        files={"file": ("statement.xml", data, "application/xml")},
    )


def statement(*entries: Entry, account: str = ACCOUNT_A) -> bytes:
    return camt(account, list(entries), statement_id=f"API-{next(SEQUENCE)}")


def test_an_uploaded_statement_applies_what_it_is_sure_of(client: TestClient, world: World) -> None:
    _customer, number, rf = invoice_for(world, world.a, 250_00)
    data = statement(Entry(250_00, rf=rf), Entry(13_00, text="who knows"))
    answer = upload(client, world, data)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["new_lines"], body["applied"], body["unmatched"]) == (2, 1, 1)
    again = upload(client, world, data).json()
    assert again["new_lines"] == 0
    assert again["statements"][0]["already_imported"] is True
    invoice = client.get(f"/api/invoices/{number}", headers=headers(world, "viewer")).json()
    assert invoice["open_amount"] == 0


def test_a_statement_of_another_account_is_refused(client: TestClient, world: World) -> None:
    answer = upload(client, world, statement(Entry(1_00), account=ACCOUNT_B))
    assert answer.status_code == 422
    assert "not an account" in answer.text


def test_a_broken_file_is_refused_naming_where(client: TestClient, world: World) -> None:
    answer = upload(client, world, b"<Document><BkToCstmrStmt><Stmt>")
    assert answer.status_code == 422
    assert "broken XML at line 1" in answer.text


def test_the_review_queue_and_a_split(client: TestClient, world: World) -> None:
    customer, number, _rf = invoice_for(world, world.a, 70_00, "Omega Ltd")
    upload(client, world, statement(Entry(90_00, name="Unknown Payer", text="thanks")))
    queue = client.get("/api/bank/review", headers=headers(world, "viewer")).json()
    line = next(item for item in queue["items"] if item["amount"] == 90_00)
    assert line["state"] in ("review", "unmatched")
    body = {"customer": customer, "shares": [{"invoice": number, "amount": 70_00}]}
    split = client.post(f"/api/bank/lines/{line['id']}/split", headers=headers(world), json=body)
    assert split.status_code == 201, split.text
    assert split.json()["state"] == "applied"
    payment = client.get(
        f"/api/payments/{split.json()['payment_id']}", headers=headers(world)
    ).json()
    assert payment["unapplied"] == 20_00


def test_a_viewer_may_read_but_not_act(client: TestClient, world: World) -> None:
    upload(client, world, statement(Entry(5_55, text="small")))
    line = client.get("/api/bank/review", headers=headers(world, "viewer")).json()["items"][0]
    ignored = client.post(
        f"/api/bank/lines/{line['id']}/ignore",
        headers=headers(world, "viewer"),
        json={"reason": "noise"},
    )
    assert ignored.status_code == 403
    assert upload(client, world, statement(Entry(1_00)), role="viewer").status_code == 403


def test_another_companys_line_is_not_found(client: TestClient, world: World) -> None:
    upload(client, world, statement(Entry(4_44, text="mine")))
    line = client.get("/api/bank/review", headers=headers(world, "viewer")).json()["items"][0]
    theirs = headers(world, "viewer", tenant=world.b)
    assert client.get(f"/api/bank/lines/{line['id']}", headers=theirs).status_code == 404


def test_settings_are_read_and_changed_by_a_manager(client: TestClient, world: World) -> None:
    manager = headers(world, "manager")
    changed = client.patch(
        "/api/bank/settings", headers=manager, json={"match_threshold": 95, "town": "Sevilla"}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["match_threshold"] == 95
    refused = client.patch("/api/bank/settings", headers=manager, json={"creditor_id": "XX"})
    assert refused.status_code == 422
    collector = client.patch("/api/bank/settings", headers=headers(world), json={"town": "x"})
    assert collector.status_code == 403


def test_a_mandate_and_a_batch_through_the_api(client: TestClient, world: World) -> None:
    manager = headers(world, "manager")
    client.patch(
        "/api/bank/settings",
        headers=manager,
        json={"creditor_id": "ES97ZZZB12345678", "town": "Madrid", "match_threshold": 90},
    )
    with world.session() as session:
        company = session.get_one(Company, world.a.id)
        company.iban, company.bic = ACCOUNT_A, "CAIXESBBXXX"
    customer, number, _rf = invoice_for(world, world.a, 33_00, "Domiciliado SA")
    mandate = {
        "customer": customer,
        "reference": f"M-{customer}",
        "signed_on": "2026-01-10",
        "iban": "DE89 3704 0044 0532 0130 00",
    }
    added = client.post("/api/sepa/mandates", headers=headers(world), json=mandate)
    assert added.status_code == 201, added.text
    assert added.json()["next_sequence"] == "FRST"
    bad = client.post(
        "/api/sepa/mandates",
        headers=headers(world),
        json={**mandate, "reference": "M-2", "iban": "DE00370400440532013000"},
    )
    assert bad.status_code == 422
    export = client.post(
        "/api/sepa/batches", headers=manager, json={"collection_date": "2099-03-10"}
    )
    assert export.status_code == 201, export.text
    [batch] = [b for b in export.json()["batches"] if b["count"]]
    assert batch["total"] >= 33_00
    file = client.get(f"/api/sepa/batches/{batch['id']}/file", headers=headers(world, "viewer"))
    assert file.status_code == 200
    assert f"M-{customer}" in file.text
    invoice = client.get(f"/api/invoices/{number}", headers=headers(world, "viewer")).json()
    assert invoice["open_amount"] == 0


def test_the_portal_tells_a_mandated_debtor_no_transfer_is_needed(
    client: TestClient, world: World
) -> None:
    customer, _number, _rf = invoice_for(world, world.a, 12_00, "Suscriptor SL")
    with world.session() as session:
        owner = get_customer(session, world.a.id, customer)
        token = portal_token(SECRET, world.a.id, owner.id, utcnow() + timedelta(days=5))
    before = client.get(f"/portal/{token}")
    assert 'id="direct-debit"' not in before.text
    mandate = {"customer": customer, "reference": f"P-{customer}", "signed_on": "2026-01-10"}
    added = client.post(
        "/api/sepa/mandates",
        headers=headers(world),
        json={**mandate, "iban": "DE89370400440532013000"},
    )
    assert added.status_code == 201
    page = client.get(f"/portal/{token}")
    assert 'id="direct-debit"' in page.text
    assert f"P-{customer}" in page.text
    assert "<code>3000</code>" in page.text  # the account's last digits…
    assert "DE89370400440532013000" not in page.text  # …not the whole IBAN
