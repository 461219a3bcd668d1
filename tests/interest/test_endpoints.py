"""The interest calculator API: any signed-in reader computes the vectors (M1, C3, C4, S1);
bad input is a 422 naming its field; without a sign-in, a 401. The rate series listed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.api_world import api_client, own_world
from tests.web.access import World


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with own_world(tmp_path_factory.mktemp("interest_api")) as world:
        yield world


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with api_client(world) as client:
        yield client


@pytest.fixture
def reader(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.token('viewer')}"}


def ask(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post("/api/interest", headers=headers, json=body)


def test_a_reader_computes_the_spanish_vector_with_its_stretch(
    client: TestClient, reader: dict[str, str]
) -> None:
    """S1: €10,000, 60 days at 12.50 % = €205.48 + €40."""
    answer = ask(client, reader, amount=10_000_00, currency="EUR", due="2024-03-15",
                 paid="2024-05-14", jurisdiction="ES")  # fmt: skip
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["interest"], body["fixed_compensation"], body["total"]) == (205_48, 40_00, 245_48)
    (stretch,) = body["stretches"]
    assert stretch["first"] == "2024-03-16"
    assert stretch["last"] == "2024-05-14"
    assert (stretch["days"], stretch["rate"], stretch["year_days"]) == (60, "12.50", 365)
    assert stretch["interest"].startswith("20547.945205")
    assert body["warnings"] == []
    assert body["compounding"] is False


def test_mexico_and_colombia_by_the_api(client: TestClient, reader: dict[str, str]) -> None:
    mexico = ask(client, reader, amount=100_000_00, currency="MXN", due="2025-01-01",
                 paid="2025-04-01", jurisdiction="MX").json()  # fmt: skip
    assert (mexico["interest"], mexico["fixed_compensation"]) == (1_479_45, 0)  # M1
    colombia = ask(client, reader, amount=1_000_000_00, currency="COP", due="2025-10-31",
                   paid="2025-11-30", jurisdiction="CO", business=False).json()  # fmt: skip
    assert colombia["interest"] == 18_503_09  # C3
    assert colombia["compounding"] is True
    capped = ask(client, reader, amount=1_000_000_00, currency="COP", due="2025-11-30",
                 paid="2025-12-30", jurisdiction="CO", contract_rate="30").json()  # fmt: skip
    assert capped["stretches"][0]["rate"] == "25.02"  # C4
    assert "usury cap" in capped["warnings"][0]


def test_the_day_basis_and_the_payment_day_are_parameters(
    client: TestClient, reader: dict[str, str]
) -> None:
    common = {"amount": 10_000_00, "currency": "EUR", "due": "2024-03-15", "paid": "2024-05-14",
              "jurisdiction": "DE"}  # fmt: skip
    assert ask(client, reader, **common, day_basis="ACT/ACT").json()["interest"] == 206_89  # D1b
    without = ask(client, reader, **common, count_payment_day=False).json()
    assert without["stretches"][0]["days"] == 59


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"jurisdiction": "XX"}, "jurisdiction"),
        ({"paid": "2024-03-01"}, "paid"),
        ({"amount": -5}, "amount"),
        ({"currency": "USD"}, "currency"),
        ({"contract_rate": "abc"}, "contract_rate"),
        ({"contract_rate": "-2"}, "contract_rate"),
        ({"paid": "2026-08-01"}, "rate"),
        ({"business": False, "jurisdiction": "BE"}, "business"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    client: TestClient, reader: dict[str, str], change: dict[str, Any], field: str
) -> None:
    body = {"amount": 100_00, "currency": "EUR", "due": "2024-03-15", "paid": "2024-04-15",
            "jurisdiction": "DE", **change}  # fmt: skip
    answer = ask(client, reader, **body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == field


def test_without_a_sign_in_there_is_no_calculator(client: TestClient) -> None:
    answer = client.post("/api/interest", json={"amount": 1, "currency": "EUR", "due":
                         "2024-01-01", "paid": "2024-02-01", "jurisdiction": "DE"})  # fmt: skip
    assert answer.status_code == 403  # a browser's POST without its CSRF token stops first
    assert client.get("/api/rates").status_code == 401


def test_the_rate_series_are_listed_with_source_and_days(
    client: TestClient, reader: dict[str, str]
) -> None:
    answer = client.get("/api/rates", headers=reader)
    assert answer.status_code == 200, answer.text
    series = {item["series"]: item for item in answer.json()}
    assert series["co_usura"]["first_day"] == "2025-01-01"
    assert series["co_usura"]["last_day"] == "2025-12-31"
    assert series["co_usura"]["compounding"] is True
    assert series["mx_interes_legal"]["last_day"] is None
    assert all(item["source"] for item in series.values())
