from __future__ import annotations

from fastapi.testclient import TestClient

from cobro.auth.service import find_user, grant
from cobro.company.service import create_company
from cobro.db import make_engine, transaction
from cobro.kit.dates import utcnow
from cobro.kit.pagination import MAX_LIMIT
from tests.web.access import build_world, sign_in


def test_health_says_the_app_and_its_database_are_up(client: TestClient) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_companies_are_listed_a_page_at_a_time(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url)
    engine = make_engine(web_database_url)
    with transaction(engine) as session:
        user = find_user(session, world.a.users["viewer"])
        assert user is not None
        for code in ("api-a", "api-b", "api-c"):
            company = create_company(session, code, f"Company {code}", "ES", "EUR", "Europe/Madrid")
            grant(session, user, company, "viewer", utcnow())
        create_company(session, "api-d", "Not theirs", "ES", "EUR", "Europe/Madrid")
    engine.dispose()
    sign_in(client, world.a.users["viewer"])

    first = client.get("/api/companies", params={"limit": 2}).json()
    codes = [company["code"] for company in first["items"]]
    assert len(codes) == 2
    assert first["next_offset"] == 2
    rest = client.get("/api/companies", params={"limit": MAX_LIMIT, "offset": 2}).json()
    every = codes + [company["code"] for company in rest["items"]]
    assert set(every) == {"api-a", "api-b", "api-c", world.a.code}
    assert every == sorted(every)
    assert rest["next_offset"] is None
    assert first["items"][0].keys() >= {"code", "name", "country", "currency", "timezone"}


def test_a_limit_above_the_maximum_is_a_json_error_naming_the_field(
    client: TestClient, web_database_url: str
) -> None:
    sign_in(client, build_world(web_database_url).a.users["viewer"])
    response = client.get("/api/companies", params={"limit": MAX_LIMIT + 1})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "limit"


def test_the_openapi_schema_and_its_docs_are_under_api(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    assert {"/api/health", "/api/companies", "/api/customers"} <= schema["paths"].keys()
    assert schema["components"]["securitySchemes"].keys() == {"apiToken", "browserSession"}
    assert schema["paths"]["/api/customers"]["get"]["security"] == [
        {"apiToken": []},
        {"browserSession": []},
    ]
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert 'src="/static/vendor/swagger-ui-bundle.js"' in docs.text
    assert "cdn" not in docs.text.lower()
    policy = docs.headers["content-security-policy"]
    assert "script-src 'self';" in policy  # no inline script, no other site
    assert "http" not in policy
