"""Idempotency keys on the POSTs that move money: required; the same request again answers
the stored response and moves nothing; the key with another request is a 422 naming the
header; concurrent requests with one key move the money once."""

from __future__ import annotations

import threading
import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cobro.idempotency.models import IdempotencyKey
from cobro.payment.models import Payment
from tests.web.access import World, build_world
from tests.web.conftest import client_of
from tests.web.ledger_world import first_customer, keyed, new_invoice, writer


@pytest.fixture(scope="module")
def world(web_database_url: str) -> World:
    return build_world(web_database_url)


def _payments(world: World, reference: str) -> int:
    with world.session() as session:
        return (
            session.scalar(
                select(func.count()).select_from(Payment).where(Payment.reference == reference)
            )
            or 0
        )


def _body(world: World, reference: str, amount: int = 10_00) -> dict[str, object]:
    return {
        "customer": first_customer(world.a),
        "received_on": "2026-02-01",
        "amount": amount,
        "reference": reference,
    }


@pytest.mark.parametrize(
    "path",
    [
        "/api/payments",
        "/api/invoices",
        "/api/payments/1/allocations",
        "/api/invoices/X/credit-notes",
        "/api/invoices/X/write-offs",
    ],
)
def test_every_post_that_moves_money_needs_a_key(
    client: TestClient, world: World, path: str
) -> None:
    answer = client.post(path, headers=writer(world), json={})
    assert answer.status_code == 422
    assert "Idempotency-Key" in answer.json()["error"]["field"]


@pytest.mark.parametrize("key", ["", "x" * 201, "ñandú".encode("latin-1"), b"a\tb"])
def test_a_malformed_key_is_refused(client: TestClient, world: World, key: str | bytes) -> None:
    raw = key if isinstance(key, bytes) else key.encode()
    headers = {name.encode(): value.encode() for name, value in writer(world).items()}
    headers[b"Idempotency-Key"] = raw
    reference = uuid.uuid4().hex
    answer = client.post("/api/payments", headers=headers, json=_body(world, reference))
    assert answer.status_code == 422
    assert "Idempotency-Key" in answer.json()["error"]["field"]
    assert _payments(world, reference) == 0


def test_a_repeat_replays_the_stored_answer_and_moves_nothing(
    client: TestClient, world: World
) -> None:
    headers = keyed(writer(world))
    reference = uuid.uuid4().hex
    first = client.post("/api/payments", headers=headers, json=_body(world, reference))
    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    # the same JSON, spaced and ordered otherwise, by another token of the same company
    again_headers = {**writer(world, "manager"), "Idempotency-Key": headers["Idempotency-Key"]}
    body = dict(reversed(list(_body(world, reference).items())))
    again = client.post("/api/payments", headers=again_headers, json=body)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content
    assert _payments(world, reference) == 1


def test_a_key_reused_for_another_request_is_a_422_naming_the_header(
    client: TestClient, world: World
) -> None:
    headers = keyed(writer(world))
    reference = uuid.uuid4().hex
    assert client.post("/api/payments", headers=headers, json=_body(world, reference)).is_success
    other = client.post("/api/payments", headers=headers, json=_body(world, reference, 11_00))
    assert other.status_code == 422
    assert other.json()["error"]["field"] == "Idempotency-Key"
    elsewhere = client.post(
        "/api/invoices",
        headers=headers,
        json={
            "number": "N-1",
            "customer": first_customer(world.a),
            "issue_date": "2026-01-01",
            "total": 1,
        },
    )
    assert elsewhere.status_code == 422
    assert _payments(world, reference) == 1


def test_a_refused_request_keeps_no_key(client: TestClient, world: World) -> None:
    headers = keyed(writer(world))
    reference = uuid.uuid4().hex
    refused = client.post(
        "/api/payments", headers=headers, json={**_body(world, reference), "currency": "ZZZ"}
    )
    assert refused.status_code == 422
    fixed = client.post("/api/payments", headers=headers, json=_body(world, reference))
    assert fixed.status_code == 201
    with world.session() as session:
        assert (
            session.scalar(
                select(IdempotencyKey.status).where(
                    IdempotencyKey.key == headers["Idempotency-Key"]
                )
            )
            == 201
        )


def test_keys_are_per_company(client: TestClient, world: World) -> None:
    key = str(uuid.uuid4())
    reference = uuid.uuid4().hex
    mine = {**writer(world), "Idempotency-Key": key}
    assert client.post("/api/payments", headers=mine, json=_body(world, reference)).is_success
    theirs = {**writer(world, tenant=world.b), "Idempotency-Key": key}
    body = {**_body(world, reference), "customer": first_customer(world.b)}
    answer = client.post("/api/payments", headers=theirs, json=body)
    assert answer.status_code == 201  # B's own first use of the key, never A's answer
    assert answer.json()["customer"] == first_customer(world.b)


def test_concurrent_requests_with_one_key_move_the_money_once(app: FastAPI, world: World) -> None:
    headers = keyed(writer(world))
    with client_of(app) as setup:
        invoice = new_invoice(setup, writer(world), first_customer(world.a), total=50_00)
    body = {
        **_body(world, uuid.uuid4().hex, 50_00),
        "allocations": [{"invoice": invoice["number"], "amount": 50_00}],
    }
    start = threading.Barrier(4)
    answers: list[tuple[int, str | None]] = []

    def send() -> None:
        with client_of(app) as client:
            start.wait()
            answer = client.post("/api/payments", headers=headers, json=body)
            answers.append((answer.status_code, answer.headers.get("idempotent-replayed")))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    originals = [status for status, replayed in answers if status == 201 and replayed is None]
    assert len(answers) == 4
    assert len(originals) == 1, answers
    # the others replayed the answer or were told the key is in use (SQLite's one writer)
    assert all(status in (201, 409, 503) for status, _ in answers), answers
    assert _payments(world, str(body["reference"])) == 1
    with client_of(app) as client:
        shown = client.get(f"/api/invoices/{invoice['number']}", headers=writer(world)).json()
        assert shown["open_amount"] == 0
        assert len(shown["allocations"]) == 1
        replay = client.post("/api/payments", headers=headers, json=body)
        assert (replay.status_code, replay.headers["idempotent-replayed"]) == (201, "true")
