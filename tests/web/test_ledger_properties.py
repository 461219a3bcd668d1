"""A property of the ledger API: whatever sequence of payments, allocations and reversals a
client sends (refused ones included), no money disappears: per payment, allocations plus
unapplied cash equal its amount; across the company, what payments allocated equals what
invoices lost to allocations; no open amount is ever negative."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cobro.payment.service import check_ledger
from tests.web.access import World, build_world
from tests.web.conftest import client_of
from tests.web.ledger_world import first_customer, keyed, new_invoice, writer

TOTALS = (30_00, 45_50, 12_34)
Step = tuple[str, int, int]  # (what, which, amount)
steps = st.lists(
    st.tuples(
        st.sampled_from(["pay", "allocate", "reverse"]),
        st.integers(min_value=0, max_value=5),
        st.integers(min_value=-5, max_value=60_00),
    ),
    min_size=1,
    max_size=12,
)


@pytest.fixture(scope="module")
def world(web_database_url: str) -> World:
    return build_world(web_database_url)


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(sequence=steps)
def test_no_sequence_of_api_calls_makes_money_disappear(
    app: FastAPI, world: World, sequence: list[Step]
) -> None:
    headers = writer(world)
    customer = first_customer(world.a)
    with client_of(app) as client:
        invoices = [new_invoice(client, headers, customer, total)["number"] for total in TOTALS]
        payments: list[int] = []
        for what, which, amount in sequence:
            _step(client, headers, customer, invoices, payments, what, which, amount)
        seen = [client.get(f"/api/payments/{p}", headers=headers).json() for p in payments]
        shown = [client.get(f"/api/invoices/{n}", headers=headers).json() for n in invoices]
    for payment in seen:
        allocated = sum(a["amount"] for a in payment["allocations"])
        assert allocated + payment["unapplied"] == payment["amount"]
        assert payment["unapplied"] >= 0
    for invoice, total in zip(shown, TOTALS, strict=True):
        assert invoice["open_amount"] >= 0
        assert invoice["open_amount"] == total - sum(a["amount"] for a in invoice["allocations"])
    taken = sum(a["amount"] for invoice in shown for a in invoice["allocations"])
    assert taken == sum(p["amount"] - p["unapplied"] for p in seen)
    with world.session() as session:
        assert check_ledger(session, world.a.id) == []


def _step(
    client: Any,
    headers: dict[str, str],
    customer: str,
    invoices: list[str],
    payments: list[int],
    what: str,
    which: int,
    amount: int,
) -> None:
    if what == "pay" or not payments:
        body = {"customer": customer, "received_on": "2026-02-01", "amount": amount}
        answer = client.post("/api/payments", headers=keyed(headers), json=body)
        assert answer.status_code == (201 if amount > 0 else 422), answer.text
        if answer.status_code == 201:
            payments.append(answer.json()["id"])
        return
    payment = payments[which % len(payments)]
    if what == "allocate":
        body = {"allocations": [{"invoice": invoices[which % len(invoices)], "amount": amount}]}
        answer = client.post(
            f"/api/payments/{payment}/allocations", headers=keyed(headers), json=body
        )
        assert answer.status_code in (201, 422), answer.text
        return
    allocations = client.get(f"/api/payments/{payment}", headers=headers).json()["allocations"]
    if allocations:
        gone = allocations[which % len(allocations)]["id"]
        answer = client.delete(f"/api/payments/{payment}/allocations/{gone}", headers=headers)
        assert answer.status_code == 200, answer.text
