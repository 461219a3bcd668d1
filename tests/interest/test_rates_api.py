"""Importing rate periods through the API (`POST /api/rates/import`, `configure` only): the same
service as `cobro rates import`, all or nothing; a dry run writes nothing; a refused file is a
422 listing every problem with its row and field; what is stored is audited. One series period
by period (`GET /api/rates/{series}`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cobro.audit.models import AuditEvent
from cobro.auth.service import find_user
from cobro.interest.models import RatePeriodRow
from tests.support.api_world import api_client, own_world
from tests.web.access import World

HEADER = "series,starts_on,ends_on,rate,source\n"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    # a database of its own: imported rates are every company's, and would change what
    # other tests compute
    with own_world(tmp_path_factory.mktemp("rates_api")) as world:
        yield world


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with api_client(world) as client:
        yield client


def as_role(world: World, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.token(role, ('read', 'write'))}"}


def send(
    client: TestClient, headers: dict[str, str], *lines: str, dry_run: bool | None = None
) -> Any:
    query = {} if dry_run is None else {"dry_run": str(dry_run).lower()}
    body = {"csv": HEADER + "".join(f"{line}\n" for line in lines)}
    return client.post("/api/rates/import", headers=headers, params=query, json=body)


def stored(world: World, series: str) -> int:
    with world.session() as session:
        query = select(func.count()).where(RatePeriodRow.series == series)
        return session.scalar(query) or 0


def audited(world: World) -> list[AuditEvent]:
    with world.session() as session:
        session.expire_on_commit = False
        query = select(AuditEvent).where(AuditEvent.action == "rates.imported")
        return list(session.scalars(query.order_by(AuditEvent.id)))


def test_a_manager_imports_a_half_year_and_it_is_audited(client: TestClient, world: World) -> None:
    manager = as_role(world, "manager")
    before = len(audited(world))
    answer = send(client, manager, "de_basiszinssatz,2026-07-01,2026-12-31,1.52,Bundesbank 30.6.")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["dry_run"] is False
    assert body["summary"] == "Added 1 periods."
    assert body["series"] == [{"series": "de_basiszinssatz", "periods": 1, "days": 184}]
    assert body["added"] == [
        {
            "series": "de_basiszinssatz",
            "starts_on": "2026-07-01",
            "ends_on": "2026-12-31",
            "rate": "1.52",
            "source": "Bundesbank 30.6.",
        }
    ]
    assert stored(world, "de_basiszinssatz") == 1
    events = audited(world)
    assert len(events) == before + 1
    event = events[-1]
    with world.session() as session:
        user = find_user(session, world.a.users["manager"])
        assert user is not None
        assert event.actor_id == user.id
    assert (event.company_id, event.source, event.entity_type) == (world.a.id, "api", "rate_file")
    assert event.after is not None
    assert event.after["added"][0]["rate"] == "1.52"

    periods = client.get("/api/rates/de_basiszinssatz", headers=manager).json()
    assert periods[-1] == {
        "starts_on": "2026-07-01",
        "ends_on": "2026-12-31",
        "rate": "1.52",
        "origin": "imported",
        "source": "Bundesbank 30.6.",
        "imported_at": periods[-1]["imported_at"],
    }
    assert periods[-2]["origin"] == "shipped"
    assert periods[-2]["ends_on"] == "2026-06-30"
    listed = {s["series"]: s for s in client.get("/api/rates", headers=manager).json()}
    assert listed["de_basiszinssatz"]["last_day"] == "2026-12-31"

    again = send(client, manager, "de_basiszinssatz,2026-07-01,2026-12-31,1.52,Bundesbank 30.6.")
    assert again.status_code == 200, again.text
    assert again.json()["summary"].startswith("Nothing new")
    assert again.json()["series"] == []
    assert len(audited(world)) == before + 1  # nothing stored, nothing audited


def test_a_dry_run_reports_and_writes_nothing(client: TestClient, world: World) -> None:
    before = len(audited(world))
    first, second = "2026-07-01,2026-12-31,2.00,ECB", "2027-01-01,2027-06-30,1.90,ECB"
    series = "ecb_mro_half_years"
    answer = send(client, as_role(world, "admin"), f"{series},{first}", f"{series},{second}",
                  dry_run=True)  # fmt: skip
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["dry_run"] is True
    assert body["summary"] == "Would add 2 periods."
    assert body["series"] == [{"series": "ecb_mro_half_years", "periods": 2, "days": 365}]
    assert stored(world, "ecb_mro_half_years") == 0
    assert len(audited(world)) == before


def test_a_refused_file_lists_every_problem_with_its_row(client: TestClient, world: World) -> None:
    answer = send(
        client,
        as_role(world, "manager"),
        "es_interes_demora,2026-07-01,2026-12-31,9.00,BOE",
        "es_interes_demora,2027-01-01,2027-13-01,9.00,BOE",
        "es_interes_demora,2027-07-01,2027-12-31,lots,BOE",
        "no_such_series,2026-07-01,2026-12-31,1.00,Somewhere",
        "es_interes_demora,2026-01-01,2026-06-30,9.99,",
    )
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert "nothing imported" in error["message"]
    found = {(p["row"], p["field"]) for p in error["problems"]}
    assert {(3, "ends_on"), (4, "rate"), (5, "series"), (6, "source")} <= found
    assert all(p["message"] for p in error["problems"])
    assert stored(world, "es_interes_demora") == 0


def test_a_known_rate_is_not_changed_by_an_import(client: TestClient, world: World) -> None:
    answer = send(
        client, as_role(world, "manager"), "es_interes_demora,2026-01-01,2026-06-30,9.99,BOE"
    )
    assert answer.status_code == 422, answer.text
    (problem,) = answer.json()["error"]["problems"]
    assert (problem["row"], problem["field"]) == (2, "rate")
    assert "10.15" in problem["message"]


def test_a_file_that_is_not_a_rate_file_is_a_plain_422(client: TestClient, world: World) -> None:
    headers = as_role(world, "manager")
    answer = client.post("/api/rates/import", headers=headers, json={"csv": "a,b\n1,2\n"})
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "header"
    assert "problems" not in answer.json()["error"]  # the standard body: no rows to name


@pytest.mark.parametrize("role", ["collector", "viewer", "auditor"])
def test_only_managers_and_admins_import(client: TestClient, world: World, role: str) -> None:
    answer = send(client, as_role(world, role), "uk_reference_rate,2026-07-01,2026-12-31,3.5,BoE")
    assert answer.status_code == 403
    assert stored(world, "uk_reference_rate") == 0
    assert (
        client.get("/api/rates/uk_reference_rate", headers=as_role(world, role)).status_code == 200
    )


def test_an_unknown_series_is_a_404(client: TestClient, world: World) -> None:
    answer = client.get("/api/rates/no_such_series", headers=as_role(world, "viewer"))
    assert answer.status_code == 404
    assert "de_basiszinssatz" in answer.json()["error"]["message"]
