"""Schemathesis against the API's own OpenAPI schema: every operation, under generated input
(valid and invalid), with a live read+write API token of a company with data and with no
credentials at all, never answers 5xx, and answers what the schema declares (status codes,
content types, headers, bodies).

Each operation is its own test, run as a Hypothesis test here (derandomized, so CI repeats the
same examples): schemathesis's `from_fixture` does not run on this pytest."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

from tests.web.access import World, build_world
from tests.web.conftest import app_on

CUSTOMERS = ("Ferretería López", "Panadería Sol", "Zapatos Ruiz")
# Input the schema calls valid may still break a rule of the domain the schema cannot say (a
# customer that does not exist, a date before 1900, an idempotency key reused with another
# body): that is a 422 naming the field, which every operation documents (its body checked
# against ErrorOut like any answer); an upload of the wrong type or size is a 415 or 413.
# Everything else schemathesis expects stays as it is.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "413", "415", "422", "429"]
CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}}}
)
EXAMPLES = 12  # per operation, mode and caller (about 70 operations: keep the suite quick)


def runs() -> list[tuple[str, str, GenerationMode]]:
    """(method, path, mode) of every API operation: valid input, and invalid input where the
    operation has a query parameter to break (a bare string path id has nothing invalid to
    generate). The schema needs no database."""
    paths = app_on("sqlite:///nowhere/no.db").openapi()["paths"]
    found = []
    for path, item in paths.items():
        for method, operation in item.items():
            found.append((method.upper(), path, GenerationMode.POSITIVE))
            if any(p["in"] == "query" for p in operation.get("parameters", [])):
                found.append((method.upper(), path, GenerationMode.NEGATIVE))
    return sorted(found)


@pytest.fixture(scope="module")
def world(web_database_url: str) -> World:
    return build_world(web_database_url, CUSTOMERS)


@pytest.fixture(scope="module")
def api_app(web_database_url: str) -> FastAPI:
    return app_on(web_database_url)


@pytest.fixture(scope="module")
def api_schema(api_app: FastAPI) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/api/openapi.json", api_app, config=CONFIG)


@pytest.fixture(scope="module")
def token(world: World) -> str:
    return world.token("admin", ("read", "write"))


@pytest.mark.parametrize("caller", ["token", "anonymous"])
@pytest.mark.parametrize(("method", "path", "mode"), runs())
def test_no_operation_answers_5xx_or_off_its_schema(
    api_schema: schemathesis.BaseSchema,
    token: str,
    world: World,
    method: str,
    path: str,
    caller: str,
    mode: GenerationMode,
) -> None:
    operation = api_schema[path][method]
    headers = {"Authorization": f"Bearer {token}"} if caller == "token" else {}
    cases = operation.as_strategy(generation_mode=mode)
    if "{external_id}" in path:  # the company's own customers too: found, not only 404s
        own = [
            operation.as_strategy(generation_mode=mode, path_parameters={"external_id": known})
            for known in world.a.customers
        ]
        cases = st.one_of(cases, *own)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def run(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(headers=headers)

    run()
