"""Tenant isolation of the ledger API: every ledger endpoint × every role × company B's
invoice, payment and allocation → 404 and none of B's data, by session cookie and by token;
viewers and auditors cannot POST (403)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from cobro.web.security import CSRF_COOKIE
from tests.web.access import ROLES, World, build_world, sign_in
from tests.web.conftest import client_of
from tests.web.ledger_world import first_customer, keyed, new_invoice, new_payment, writer


@pytest.fixture(scope="module")
def world(web_database_url: str) -> World:
    return build_world(web_database_url)


@pytest.fixture(scope="module")
def theirs(world: World, web_database_url: str) -> dict[str, Any]:
    """Company B's invoice, payment (allocated to it) and allocation."""
    from tests.web.conftest import app_on

    with client_of(app_on(web_database_url)) as client:
        headers = writer(world, "admin", world.b)
        customer = first_customer(world.b)
        invoice = new_invoice(client, headers, customer, total=70_00)
        payment = new_payment(
            client,
            headers,
            customer,
            70_00,
            allocations=[{"invoice": invoice["number"], "amount": 30_00}],
            reference="SECRET-B-REF",
        )
    return {
        "invoice": invoice["number"],
        "payment": payment["id"],
        "allocation": payment["allocations"][0]["id"],
        "customer": customer,
    }


def _calls(b: dict[str, Any]) -> list[tuple[str, str, Any]]:
    number, payment, allocation = b["invoice"], b["payment"], b["allocation"]
    return [
        ("GET", f"/api/invoices/{number}", None),
        (
            "POST",
            f"/api/invoices/{number}/credit-notes",
            {"number": "CN-X", "issue_date": "2026-01-05", "amount": 1},
        ),
        (
            "POST",
            f"/api/invoices/{number}/write-offs",
            {"written_off_on": "2026-01-05", "reason": "x"},
        ),
        ("GET", f"/api/payments/{payment}", None),
        (
            "POST",
            f"/api/payments/{payment}/allocations",
            {"allocations": [{"invoice": number, "amount": 1}]},
        ),
        ("DELETE", f"/api/payments/{payment}/allocations/{allocation}", None),
    ]


def _headers(client: TestClient, world: World, role: str, how: str) -> dict[str, str]:
    if how == "cookie":
        assert sign_in(client, world.a.users[role]).status_code == 303
        client.get("/")  # signing in renews the CSRF cookie on the next page
        return {"X-CSRF-Token": client.cookies.get(CSRF_COOKIE) or ""}
    return writer(world, role)


@pytest.mark.parametrize("how", ["cookie", "token"])
@pytest.mark.parametrize("role", ROLES)
def test_company_bs_ledger_never_shows(
    client: TestClient, world: World, theirs: dict[str, Any], role: str, how: str
) -> None:
    headers = _headers(client, world, role, how)
    may_write = role in ("admin", "manager", "collector")
    for method, path, body in _calls(theirs):
        answer = client.request(method, path, headers=keyed(headers), json=body)
        expected = 404 if method == "GET" or may_write else 403
        assert answer.status_code == expected, (method, path, answer.text)
        assert "SECRET-B-REF" not in answer.text
        assert theirs["customer"] not in answer.text
    for path in ("/api/invoices", "/api/payments"):
        for params in ({}, {"customer": theirs["customer"]}, {"limit": 200}):
            listed = client.get(path, params=params, headers=headers)
            assert listed.status_code == 200
            assert theirs["customer"] not in listed.text
            assert "SECRET-B-REF" not in listed.text
    # naming B's invoice in A's own payment is an unknown invoice, not B's money
    if may_write:
        body = {
            "customer": first_customer(world.a),
            "received_on": "2026-02-01",
            "amount": 1,
            "allocations": [{"invoice": theirs["invoice"], "amount": 1}],
        }
        answer = client.post("/api/payments", headers=keyed(headers), json=body)
        assert answer.status_code == 422
        assert answer.json()["error"]["field"] == "allocations.0.invoice"


def test_b_is_untouched(world: World, theirs: dict[str, Any], client: TestClient) -> None:
    owner = writer(world, "viewer", world.b)
    shown = client.get(f"/api/invoices/{theirs['invoice']}", headers=owner).json()
    assert shown["open_amount"] == 40_00
    assert [a["id"] for a in shown["allocations"]] == [theirs["allocation"]]
