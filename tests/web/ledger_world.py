"""The ledger API driven as a client would: API tokens of a World's tenants, invoices and
payments made through the endpoints themselves, a new Idempotency-Key for each POST."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response

from tests.web.access import Tenant, World

_numbers = itertools.count(1)


def writer(world: World, role: str = "collector", tenant: Tenant | None = None) -> dict[str, str]:
    """Headers of a read+write API token of `tenant`'s (default A) user with `role`."""
    return {"Authorization": f"Bearer {world.token(role, ('read', 'write'), tenant)}"}


def keyed(headers: dict[str, str], key: str | None = None) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key or str(uuid.uuid4())}


def first_customer(tenant: Tenant) -> str:
    return next(iter(tenant.customers))


def post(client: TestClient, path: str, headers: dict[str, str], body: Any) -> Response:
    return client.post(path, headers=keyed(headers), json=body)


def new_invoice(
    client: TestClient,
    headers: dict[str, str],
    customer: str,
    total: int = 100_00,
    currency: str = "EUR",
    due_date: str = "2026-01-31",
) -> dict[str, Any]:
    body = {
        "number": f"API-{uuid.uuid4().hex[:6]}-{next(_numbers)}",
        "customer": customer,
        "issue_date": "2026-01-01",
        "due_date": due_date,
        "total": total,
        "currency": currency,
    }
    answer = post(client, "/api/invoices", headers, body)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def new_payment(
    client: TestClient, headers: dict[str, str], customer: str | None, amount: int, **more: Any
) -> dict[str, Any]:
    body = {"customer": customer, "received_on": "2026-02-01", "amount": amount, **more}
    answer = post(client, "/api/payments", headers, body)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created
