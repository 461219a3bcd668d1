"""The validation notice API: a notice sent (201, its dates and itemization), listed and its
letter served; a timely dispute stops collection with a hold in force until verification is
sent, a late one only when honoured; refusals of the service are a 422 naming the field;
another company's notice or dispute a 404; a viewer reads but may not send or record (403)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cobro.company.models import Company
from cobro.customer.service import get_customer
from cobro.validation.rules import Itemization
from cobro.validation.service import send_notice
from tests.factories.ledger import make_customer, make_invoice
from tests.support.api_world import api_client, own_world
from tests.web.access import Tenant, World

SENT = "2025-11-03"  # vector R1: assumed receipt 2025-11-10, the period ends 2025-12-10
ITEM = {"itemization_kind": "charge_off", "itemization_on": "2025-06-30",
        "owed": 2234_56, "interest": 75_00, "fees": 25_00, "payments": 50_00}  # fmt: skip


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with own_world(tmp_path_factory.mktemp("validation_api")) as world:
        yield world


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with api_client(world) as client:
        yield client


@pytest.fixture
def worker(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.token('collector', ('read', 'write'))}"}


@pytest.fixture
def viewer(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.token('viewer')}"}


def consumer(world: World, tenant: Tenant, kind: str = "consumer", invoice: str = "") -> str:
    """A new US customer of `tenant`'s (with an invoice numbered `invoice`); its external id."""
    external_id = f"US-{uuid.uuid4().hex[:8]}"
    with world.session() as session:
        company = session.get_one(Company, tenant.id)
        customer = make_customer(
            session, company, external_id, name="Jane Doe", kind=kind, country="US"
        )
        if invoice:
            make_invoice(session, company, customer, 300_00, date(2025, 1, 1), None, invoice)
    return external_id


def post_notice(client: TestClient, headers: dict[str, str], customer: str, **changes: Any) -> Any:
    body = {"customer": customer, "sent_on": SENT, **ITEM, **changes}
    return client.post("/api/validation/notices", json=body, headers=headers)


def sent(client: TestClient, world: World, headers: dict[str, str], invoice: str = "") -> Any:
    """A notice sent to a new consumer of company A's; the API's answer."""
    answer = post_notice(client, headers, consumer(world, world.a, invoice=invoice))
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_notice_is_sent_listed_and_its_letter_served(
    client: TestClient, world: World, worker: dict[str, str], viewer: dict[str, str]
) -> None:
    notice = sent(client, world, worker)
    assert (notice["sent_on"], notice["assumed_receipt_on"], notice["ends_on"]) == (
        "2025-11-03",
        "2025-11-10",
        "2025-12-10",
    )
    assert notice["itemization"] == {
        "kind": "charge_off", "on": "2025-06-30", "owed": 2234_56, "interest": 75_00,
        "fees": 25_00, "payments": 50_00, "total": 2284_56, "currency": "USD",
    }  # fmt: skip
    assert notice["reference"] == f"VN-{notice['id']}"
    assert notice["disputes"] == []
    listed = client.get(
        "/api/validation/notices", params={"customer": notice["customer"]}, headers=viewer
    )
    assert listed.status_code == 200, listed.text
    assert [item["id"] for item in listed.json()["items"]] == [notice["id"]]
    assert listed.json()["next_offset"] is None
    document = client.get(f"/api/validation/notices/{notice['id']}/document", headers=viewer)
    assert document.status_code == 200
    assert document.headers["content-type"].startswith("text/html")
    assert "sandbox" in document.headers["content-security-policy"]
    assert "December 10, 2025" in document.text
    assert "$2,284.56" in document.text
    assert f"VN-{notice['id']}" in document.text


def test_the_list_is_newest_first_and_paginated(
    client: TestClient, world: World, worker: dict[str, str]
) -> None:
    customer = consumer(world, world.a)
    for day in ("2025-11-03", "2025-12-01", "2025-11-17"):
        assert post_notice(client, worker, customer, sent_on=day).status_code == 201
    first = client.get(
        "/api/validation/notices", params={"customer": customer, "limit": 2}, headers=worker
    ).json()
    assert [item["sent_on"] for item in first["items"]] == ["2025-12-01", "2025-11-17"]
    assert first["next_offset"] == 2
    rest = client.get(
        "/api/validation/notices",
        params={"customer": customer, "limit": 2, "offset": 2},
        headers=worker,
    ).json()
    assert [item["sent_on"] for item in rest["items"]] == ["2025-11-03"]


def test_a_timely_dispute_holds_until_verification_is_sent(
    client: TestClient, world: World, worker: dict[str, str]
) -> None:
    notice = sent(client, world, worker)
    url = f"/api/validation/notices/{notice['id']}/disputes"
    answer = client.post(
        url, json={"received_on": "2025-12-10", "note": "not mine"}, headers=worker
    )
    assert answer.status_code == 201, answer.text
    dispute = answer.json()
    assert (dispute["timely"], dispute["held"], dispute["undisputed"]) == (True, True, 0)
    assert [hold["invoice"] for hold in dispute["holds"]] == [None]
    assert dispute["note"] == "not mine"
    assert "Collection stopped on the whole customer" in dispute["message"]
    in_force = client.get(
        "/api/holds", params={"customer": notice["customer"], "active": "true"}, headers=worker
    ).json()["items"]
    assert [(hold["id"], hold["kind"]) for hold in in_force] == [
        (dispute["holds"][0]["id"], "dispute")
    ]
    listed = client.get(
        "/api/validation/notices", params={"customer": notice["customer"]}, headers=worker
    ).json()["items"]
    assert [d["id"] for d in listed[0]["disputes"]] == [dispute["id"]]

    verified = client.post(
        f"/api/validation/disputes/{dispute['id']}/verified", json={"on": "2026-01-05"},
        headers=worker,
    )  # fmt: skip
    assert verified.status_code == 200, verified.text
    assert verified.json()["verification_sent_on"] == "2026-01-05"
    after = client.get(
        "/api/holds", params={"customer": notice["customer"]}, headers=worker
    ).json()["items"]
    assert [hold["released_on"] for hold in after] == ["2026-01-05"]
    again = client.post(
        f"/api/validation/disputes/{dispute['id']}/verified", json={}, headers=worker
    )
    assert again.status_code == 409
    assert "already sent on 2026-01-05" in again.json()["error"]["message"]


def test_a_part_disputed_on_an_invoice_holds_that_invoice(
    client: TestClient, world: World, worker: dict[str, str]
) -> None:
    number = f"F-{uuid.uuid4().hex[:8]}"
    notice = sent(client, world, worker, invoice=number)
    body = {"received_on": "2025-11-20", "amount": 300_00, "invoices": [number]}
    answer = client.post(
        f"/api/validation/notices/{notice['id']}/disputes", json=body, headers=worker
    )
    assert answer.status_code == 201, answer.text
    dispute = answer.json()
    assert [hold["invoice"] for hold in dispute["holds"]] == [number]
    assert (dispute["amount"], dispute["undisputed"], dispute["currency"]) == (
        300_00,
        1984_56,
        "USD",
    )
    unknown = {"received_on": "2025-11-20", "invoices": ["NO-SUCH-INVOICE"]}
    url = f"/api/validation/notices/{notice['id']}/disputes"
    assert client.post(url, json=unknown, headers=worker).status_code == 404


def test_a_late_dispute_is_recorded_and_held_only_when_honoured(
    client: TestClient, world: World, worker: dict[str, str]
) -> None:
    notice = sent(client, world, worker)
    url = f"/api/validation/notices/{notice['id']}/disputes"
    late = client.post(url, json={"received_on": "2025-12-11"}, headers=worker).json()
    assert (late["timely"], late["held"], late["holds"]) == (False, False, [])
    assert "No hold placed" in late["message"]
    body = {"received_on": "2025-12-11", "honour_late": True}
    honoured = client.post(url, json=body, headers=worker).json()
    assert (honoured["timely"], honoured["held"], len(honoured["holds"])) == (False, True, 1)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"itemization_on": "2025-11-04"}, "itemization_on", "after the notice is sent"),
        ({"owed": 0, "interest": 0, "fees": 0, "payments": 0}, "total", "nothing is owed"),
        ({"owed": 10_00, "interest": 0, "fees": 0, "payments": 20_00}, "total", "nothing is owed"),
        ({"itemization_kind": "whenever"}, "itemization_kind", "itemization_kind"),
        ({"owed": -1}, "owed", "owed"),
    ],
)
def test_a_bad_itemization_is_a_422_naming_the_field(
    client: TestClient,
    world: World,
    worker: dict[str, str],
    changes: dict[str, Any],
    field: str,
    words: str,
) -> None:
    answer = post_notice(client, worker, consumer(world, world.a), **changes)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == field
    assert words in answer.json()["error"]["message"]


def test_a_business_and_a_changed_kind_of_date_are_a_422(
    client: TestClient, world: World, worker: dict[str, str]
) -> None:
    business = consumer(world, world.a, kind="business")
    refused = post_notice(client, worker, business)
    assert refused.status_code == 422
    assert refused.json()["error"] == {
        "message": f"customer {business} is a business: Regulation F validation notices are "
        "for consumer debts only",
        "field": "customer",
    }
    notice = sent(client, world, worker)
    later = post_notice(
        client, worker, notice["customer"], sent_on="2026-02-02",
        itemization_kind="last_statement", itemization_on="2025-12-31",
    )  # fmt: skip
    assert later.status_code == 422
    assert later.json()["error"]["field"] == "itemization_kind"
    early = f"/api/validation/notices/{notice['id']}/disputes"
    before = client.post(early, json={"received_on": "2025-11-02"}, headers=worker)
    assert before.status_code == 422
    assert before.json()["error"]["field"] == "received_on"
    assert post_notice(client, worker, "NO-SUCH-CUSTOMER").status_code == 404


def test_another_companys_notice_and_dispute_are_not_found(
    client: TestClient, world: World, worker: dict[str, str]
) -> None:
    theirs = consumer(world, world.b)
    with world.session() as session:
        company = session.get_one(Company, world.b.id)
        target = get_customer(session, company.id, theirs)
        item = Itemization.of("charge_off", date(2025, 6, 30), 500_00)
        notice_id = send_notice(session, company, target, date(2025, 11, 3), item).notice.id
    b_token = {"Authorization": f"Bearer {world.token('collector', ('read', 'write'), world.b)}"}
    recorded = client.post(
        f"/api/validation/notices/{notice_id}/disputes",
        json={"received_on": "2025-11-20"},
        headers=b_token,
    )
    assert recorded.status_code == 201
    dispute_id = recorded.json()["id"]

    base = f"/api/validation/notices/{notice_id}"
    assert client.get(f"{base}/document", headers=worker).status_code == 404
    body = {"received_on": "2025-11-20"}
    assert client.post(f"{base}/disputes", json=body, headers=worker).status_code == 404
    verified = f"/api/validation/disputes/{dispute_id}/verified"
    assert client.post(verified, json={}, headers=worker).status_code == 404
    listed = client.get("/api/validation/notices", params={"limit": 200}, headers=worker).json()
    assert notice_id not in [item["id"] for item in listed["items"]]
    assert post_notice(client, worker, theirs).status_code == 404


def test_a_viewer_reads_but_may_not_send_or_record(
    client: TestClient, world: World, worker: dict[str, str], viewer: dict[str, str]
) -> None:
    notice = sent(client, world, worker)
    assert client.get("/api/validation/notices", headers=viewer).status_code == 200
    assert post_notice(client, viewer, notice["customer"]).status_code == 403
    url = f"/api/validation/notices/{notice['id']}/disputes"
    assert client.post(url, json={"received_on": "2025-11-20"}, headers=viewer).status_code == 403
    dispute = client.post(url, json={"received_on": "2025-11-20"}, headers=worker).json()
    verified = f"/api/validation/disputes/{dispute['id']}/verified"
    assert client.post(verified, json={}, headers=viewer).status_code == 403
    assert client.get("/api/validation/notices").status_code == 401
