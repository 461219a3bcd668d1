"""The ledger API: invoices and payments of the caller's company, listed, shown, created;
payments allocated and allocations reversed; money as integer minor units; errors as 422s that
name the field; every money change an audit event."""

from __future__ import annotations

from itertools import count
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cobro.audit.models import AuditEvent
from cobro.payment.service import check_ledger
from tests.web.access import World, build_world, sign_in
from tests.web.ledger_world import first_customer, keyed, new_invoice, new_payment, post, writer

SLASHED = count(1)


@pytest.fixture(scope="module")
def world(web_database_url: str) -> World:
    return build_world(web_database_url, ("Ferretería López", "Panadería Sol"))


def test_an_invoice_is_created_listed_and_shown(client: TestClient, world: World) -> None:
    headers = writer(world)
    customer = first_customer(world.a)
    invoice = new_invoice(client, headers, customer, total=121_00, due_date="2026-01-31")
    assert invoice["open_amount"] == 121_00
    assert invoice["currency"] == "EUR"
    assert invoice["status"] == "overdue"  # due in January 2026, open
    assert invoice["payment_reference"].startswith("RF")
    assert invoice["allocations"] == []
    shown = client.get(f"/api/invoices/{invoice['number']}", headers=headers)
    assert shown.status_code == 200
    assert shown.json() == invoice
    listed = client.get(
        "/api/invoices", params={"customer": customer, "status": "overdue"}, headers=headers
    )
    assert invoice["number"] in [item["number"] for item in listed.json()["items"]]


def test_filters_and_sorts(client: TestClient, world: World) -> None:
    headers = writer(world)
    customer = list(world.a.customers)[1]
    small = new_invoice(client, headers, customer, total=10_00, due_date="2030-03-01")
    big = new_invoice(client, headers, customer, total=99_00, due_date="2030-01-01")
    dollars = new_invoice(client, headers, customer, total=5_00, currency="USD")
    mine = {"customer": customer}

    def numbers(**params: str) -> list[str]:
        answer = client.get("/api/invoices", params={**mine, **params}, headers=headers)
        assert answer.status_code == 200, answer.text
        return [item["number"] for item in answer.json()["items"]]

    assert numbers(sort="-total") == [big["number"], small["number"], dollars["number"]]
    assert numbers(sort="due_date") == [dollars["number"], big["number"], small["number"]]
    assert numbers(currency="USD") == [dollars["number"]]
    assert numbers(due_after="2030-02-01") == [small["number"]]
    assert numbers(due_before="2029-12-31") == [dollars["number"]]
    assert numbers(status="open") == [big["number"], small["number"]]
    assert numbers(status="paid") == []
    page = client.get("/api/invoices", params={**mine, "limit": 2}, headers=headers).json()
    assert len(page["items"]) == 2
    assert page["next_offset"] == 2
    assert numbers(currency="usd") == [dollars["number"]]
    assert numbers(currency="ZZZ") == []


def test_a_payment_allocated_at_once_and_later(client: TestClient, world: World) -> None:
    headers = writer(world)
    customer = first_customer(world.a)
    first = new_invoice(client, headers, customer, total=60_00)
    second = new_invoice(client, headers, customer, total=50_00)
    payment = new_payment(
        client,
        headers,
        customer,
        100_00,
        allocations=[{"invoice": first["number"], "amount": 60_00}],
        method="transfer",
    )
    assert payment["currency"] == "EUR"
    assert (payment["allocated"], payment["unapplied"]) == (60_00, 40_00)
    assert [a["invoice"] for a in payment["allocations"]] == [first["number"]]
    paid = client.get(f"/api/invoices/{first['number']}", headers=headers).json()
    assert (paid["status"], paid["open_amount"]) == ("paid", 0)
    assert paid["allocations"][0]["payment"] == payment["external_id"]
    later = post(
        client,
        f"/api/payments/{payment['id']}/allocations",
        headers,
        {"allocations": [{"invoice": second["number"], "amount": 40_00}]},
    )
    assert later.status_code == 201, later.text
    assert later.json()["unapplied"] == 0
    assert (
        client.get(f"/api/invoices/{second['number']}", headers=headers).json()["open_amount"]
        == 10_00
    )
    listed = client.get(
        "/api/payments", params={"customer": customer, "unapplied": False}, headers=headers
    )
    assert payment["id"] in [item["id"] for item in listed.json()["items"]]
    with world.session() as session:
        assert check_ledger(session, world.a.id) == []
        events = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.company_id == world.a.id,
                AuditEvent.entity_type == "payment",
                AuditEvent.entity_id == str(payment["id"]),
            )
        ).all()
    assert sorted(events) == ["payment.allocated", "payment.allocated", "payment.recorded"]


def test_reversing_an_allocation_gives_both_sides_their_money_back(
    client: TestClient, world: World
) -> None:
    headers = writer(world)
    customer = first_customer(world.a)
    invoice = new_invoice(client, headers, customer, total=30_00)
    payment = new_payment(
        client,
        headers,
        customer,
        30_00,
        allocations=[{"invoice": invoice["number"], "amount": 30_00}],
    )
    allocation = payment["allocations"][0]["id"]
    undone = client.delete(
        f"/api/payments/{payment['id']}/allocations/{allocation}", headers=headers
    )
    assert undone.status_code == 200, undone.text
    assert (undone.json()["unapplied"], undone.json()["allocations"]) == (30_00, [])
    again = client.get(f"/api/invoices/{invoice['number']}", headers=headers).json()
    assert (again["open_amount"], again["settled_on"]) == (30_00, None)
    gone = client.delete(f"/api/payments/{payment['id']}/allocations/{allocation}", headers=headers)
    assert gone.status_code == 404
    with world.session() as session:
        reversed_ = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "allocation.reversed",
                AuditEvent.entity_id == str(payment["id"]),
            )
        ).one()
    assert reversed_.before is not None
    assert reversed_.after is not None
    assert reversed_.before["unapplied"] == 0
    assert reversed_.after["unapplied"] == 30_00


def test_credit_notes_and_write_offs_take_from_what_is_open(
    client: TestClient, world: World
) -> None:
    headers = writer(world)
    invoice = new_invoice(client, headers, first_customer(world.a), total=80_00)
    number = invoice["number"]
    credited = post(
        client,
        f"/api/invoices/{number}/credit-notes",
        headers,
        {"number": f"CN-{number}", "issue_date": "2026-01-10", "amount": 30_00, "reason": "return"},
    )
    assert credited.status_code == 201, credited.text
    assert credited.json()["open_amount"] == 50_00
    assert credited.json()["credit_notes"][0]["amount"] == 30_00
    # a manager writes off any amount alone (no company limit set); a collector's would wait
    # for approval (tests/web/test_writeoff_api.py)
    manager = writer(world, "manager")
    written = post(
        client,
        f"/api/invoices/{number}/write-offs",
        manager,
        {"written_off_on": "2026-06-30", "reason": "small balance"},
    )
    assert written.status_code == 201, written.text
    assert (written.json()["open_amount"], written.json()["status"]) == (0, "paid")
    assert written.json()["write_offs"][0]["amount"] == 50_00
    nothing = post(
        client,
        f"/api/invoices/{number}/write-offs",
        manager,
        {"written_off_on": "2026-07-01", "reason": "again"},
    )
    assert nothing.status_code == 409


def test_an_invoice_number_with_slashes_works_in_every_address(
    client: TestClient, world: World
) -> None:
    """ "F/2026/001" is how many Spanish companies number invoices: the API's paths and the
    invoice's page take it as it is (or with its slashes escaped)."""
    headers = writer(world)
    number = f"F/2026/{next(SLASHED):03d}"
    body = {
        "number": number,
        "customer": first_customer(world.a),
        "issue_date": "2026-01-01",
        "due_date": "2026-01-31",
        "total": 50_00,
        "currency": "EUR",
    }
    assert post(client, "/api/invoices", headers, body).status_code == 201
    for address in (f"/api/invoices/{number}", f"/api/invoices/{quote(number, safe='')}"):
        shown = client.get(address, headers=headers)
        assert shown.status_code == 200, address
        assert shown.json()["number"] == number
    credited = post(
        client,
        f"/api/invoices/{number}/credit-notes",
        headers,
        {"number": f"CN/{number}", "issue_date": "2026-01-10", "amount": 10_00, "reason": "x"},
    )
    assert credited.status_code == 201, credited.text
    assert credited.json()["open_amount"] == 40_00
    assert sign_in(client, world.a.users["collector"]).status_code == 303
    page = client.get(f"/invoices/{number}")
    assert page.status_code == 200
    assert number in page.text
    assert client.get(f"/invoices/{number}/nope").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": -5}, "amount"),
        ({"amount": 10**16}, "amount"),
        ({"currency": "ZZZ"}, "currency"),
        ({"customer": "nobody"}, "customer"),
        ({"received_on": "not a day"}, "received_on"),
        ({"allocations": [{"invoice": "NOPE", "amount": 1}]}, "allocations.0.invoice"),
        ({"allocations": [{"invoice": "NOPE", "amount": 0}]}, "allocations.0.amount"),
        ({"apply_to_oldest": True, "allocations": [{"invoice": "X", "amount": 1}]}, None),
    ],
)
def test_a_bad_payment_is_a_422_naming_the_field(
    client: TestClient, world: World, body: dict[str, object], field: str | None
) -> None:
    headers = writer(world)
    full = {"customer": first_customer(world.a), "received_on": "2026-02-01", "amount": 5_00}
    answer = post(client, "/api/payments", headers, {**full, **body})
    assert answer.status_code == 422, answer.text
    if field is not None:
        assert answer.json()["error"]["field"] == field
    else:
        assert answer.json()["error"]["field"] == "apply_to_oldest"


def test_over_allocation_wrong_currency_and_unknown_invoice_are_refused_whole(
    client: TestClient, world: World
) -> None:
    headers = writer(world)
    customer = first_customer(world.a)
    euros = new_invoice(client, headers, customer, total=40_00)
    dollars = new_invoice(client, headers, customer, total=40_00, currency="USD")
    payment = new_payment(client, headers, customer, 50_00)
    path = f"/api/payments/{payment['id']}/allocations"
    cases = [
        ([{"invoice": euros["number"], "amount": 41_00}], "allocations.0.amount"),
        ([{"invoice": dollars["number"], "amount": 1_00}], "allocations.0.invoice"),
        (
            [{"invoice": euros["number"], "amount": 1_00}, {"invoice": "NO-SUCH", "amount": 1}],
            "allocations.1.invoice",
        ),
        (
            [
                {"invoice": euros["number"], "amount": 1_00},
                {"invoice": euros["number"], "amount": 1},
            ],
            "allocations.1.invoice",
        ),
    ]
    for allocations, field in cases:
        answer = post(client, path, headers, {"allocations": allocations})
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["field"] == field
    other = new_invoice(client, headers, customer, total=40_00)
    too_much = post(
        client,
        path,
        headers,
        {
            "allocations": [
                {"invoice": euros["number"], "amount": 30_00},
                {"invoice": other["number"], "amount": 30_00},
            ]
        },
    )
    assert too_much.status_code == 422
    assert too_much.json()["error"]["field"] == "allocations"
    assert "exceed" in too_much.json()["error"]["message"]
    after = client.get(f"/api/payments/{payment['id']}", headers=headers).json()
    assert (after["unapplied"], after["allocations"]) == (50_00, [])
    assert (
        client.get(f"/api/invoices/{euros['number']}", headers=headers).json()["open_amount"]
        == 40_00
    )


def test_a_bad_invoice_is_a_422_naming_the_field(client: TestClient, world: World) -> None:
    headers = writer(world)
    good = {
        "number": "BAD-1",
        "customer": first_customer(world.a),
        "issue_date": "2026-01-01",
        "total": 10_00,
    }
    for change, field in (
        ({"total": 0}, "total"),
        ({"total": -1}, "total"),
        ({"tax": 20_00}, "tax"),
        ({"customer": "nobody"}, "customer"),
        ({"currency": "ZZZ"}, "currency"),
        ({"terms": "whenever"}, "terms"),
        ({"due_date": "2025-12-01"}, "due_date"),
        ({"issue_date": "1066-10-14"}, "issue_date"),
    ):
        answer = post(client, "/api/invoices", headers, {**good, **change})
        assert answer.status_code == 422, (change, answer.text)
        assert answer.json()["error"]["field"] == field, answer.text


def test_an_invoice_number_or_payment_id_is_created_once(client: TestClient, world: World) -> None:
    headers = writer(world)
    invoice = new_invoice(client, headers, first_customer(world.a))
    again = post(
        client,
        "/api/invoices",
        headers,
        {
            "number": invoice["number"],
            "customer": first_customer(world.a),
            "issue_date": "2026-01-01",
            "total": 1_00,
        },
    )
    assert again.status_code == 409
    assert again.json()["error"]["field"] == "number"
    payment = new_payment(client, headers, None, 1_00, external_id="BANK-ONCE-" + invoice["number"])
    assert payment["customer"] is None
    twice = post(
        client,
        "/api/payments",
        headers,
        {"external_id": payment["external_id"], "received_on": "2026-02-01", "amount": 1_00},
    )
    assert twice.status_code == 409
    assert twice.json()["error"]["field"] == "external_id"


def test_cash_from_an_unknown_payer_names_its_customer_when_allocated(
    client: TestClient, world: World
) -> None:
    headers = writer(world)
    customer = first_customer(world.a)
    invoice = new_invoice(client, headers, customer, total=20_00)
    payment = new_payment(client, headers, None, 20_00, payer_name="J. López")
    applied = post(
        client,
        f"/api/payments/{payment['id']}/allocations",
        headers,
        {
            "allocations": [{"invoice": invoice["number"], "amount": 20_00}],
            "applied_on": "2026-02-03",
        },
    )
    assert applied.status_code == 201, applied.text
    assert applied.json()["customer"] == customer
    assert applied.json()["allocations"][0]["applied_on"] == "2026-02-03"


def test_apply_to_oldest_pays_the_oldest_open_invoices_first(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    headers = writer(world)
    customer = first_customer(world.a)
    late = new_invoice(client, headers, customer, total=10_00, due_date="2026-01-10")
    later = new_invoice(client, headers, customer, total=10_00, due_date="2026-01-20")
    payment = new_payment(client, headers, customer, 15_00, apply_to_oldest=True)
    assert [(a["invoice"], a["amount"]) for a in payment["allocations"]] == [
        (late["number"], 10_00),
        (later["number"], 5_00),
    ]


def test_writing_needs_the_work_permission_and_a_write_scope(
    client: TestClient, world: World
) -> None:
    customer = first_customer(world.a)
    body = {"customer": customer, "received_on": "2026-02-01", "amount": 1_00}
    for role in ("viewer", "auditor"):
        headers = writer(world, role)
        assert client.post("/api/payments", headers=keyed(headers), json=body).status_code == 403
        assert client.get("/api/payments", headers=headers).status_code == 200
    read_only = {"Authorization": f"Bearer {world.token('admin', ('read',))}"}
    assert client.post("/api/payments", headers=keyed(read_only), json=body).status_code == 403
    anonymous = client.post("/api/payments", headers=keyed({}), json=body)
    assert anonymous.status_code == 403  # no token, no session: the CSRF guard refuses first
