"""The imports page: a check shows the error report (row, column, value, what is wrong) and
writes nothing; refusals (413, 415) are shown next to the file field; the report downloads as
CSV. With htmx only the result is answered, the field errors swapped in out of band."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient

from cobro.web.security import CSRF_COOKIE
from tests.web.access import World, build_world, sign_in
from tests.web.test_imports_api import invoices_csv, invoices_of


@pytest.fixture
def world(web_database_url: str) -> World:
    return build_world(web_database_url)


def admin(client: TestClient, world: World) -> str:
    assert sign_in(client, world.a.users["admin"]).status_code == 303
    page = client.get("/imports")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    return client.cookies.get(CSRF_COOKIE) or ""


def test_a_check_shows_the_error_report_and_writes_nothing(
    client: TestClient, world: World
) -> None:
    token = admin(client, world)
    page = client.post(
        "/imports",
        data={"csrf_token": token, "kind": "invoices", "action": "check"},
        files={"file": ("facturas.csv", invoices_csv(world), "text/csv")},
    )
    assert page.status_code == 200
    assert "<html" in page.text
    assert "Error report" in page.text
    assert "<td>issue date</td>" in page.text
    assert "not a date" in page.text
    assert invoices_of(world) == 0
    refused = client.post(
        "/imports",
        data={"csrf_token": token, "kind": "invoices", "action": "import"},
        files={"file": ("facturas.csv", invoices_csv(world), "text/csv")},
    )
    assert refused.status_code == 422
    assert "Nothing was imported" in refused.text
    assert invoices_of(world) == 0


def test_with_htmx_only_the_result_comes_back(client: TestClient, world: World) -> None:
    token = admin(client, world)
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    done = client.post(
        "/imports",
        headers=headers,
        data={"kind": "invoices", "action": "import"},
        files={"file": ("facturas.csv", invoices_csv(world, bad=False), "text/csv")},
    )
    assert done.status_code == 200, done.text
    assert "<html" not in done.text
    assert "Imported." in done.text
    assert 'hx-swap-oob="true"' in done.text
    assert invoices_of(world) == 3


def test_refusals_are_shown_next_to_the_file_field(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = admin(client, world)
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    pdf = client.post(
        "/imports",
        headers=headers,
        data={"kind": "invoices"},
        files={"file": ("facturas.csv", b"%PDF-1.4 ...", "text/csv")},
    )
    assert pdf.status_code == 415
    assert 'id="import-error-file"' in pdf.text
    assert "is a PDF document" in pdf.text
    monkeypatch.setenv("COBRO_UPLOAD_MAX_MB", "0.05")
    big = client.post(
        "/imports",
        data={"csrf_token": token, "kind": "invoices"},
        files={"file": ("big.csv", b"a,b\n" + b"1,2\n" * 40_000, "text/csv")},
    )
    assert big.status_code == 413
    assert "<html" in big.text
    assert "larger than" in big.text


def test_the_report_downloads_as_csv_with_formulas_made_inert(
    client: TestClient, world: World
) -> None:
    token = admin(client, world)
    problems = [{"row": 4, "column": "amount", "value": "=HYPERLINK(1)", "reason": "not a number"}]
    response = client.post(
        "/imports/errors.csv",
        data={"csrf_token": token, "file": "facturas.csv", "problems": json.dumps(problems)},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="facturas.errors.csv"' in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows == [
        ["row", "column", "value", "error"],
        ["4", "amount", "'=HYPERLINK(1)", "not a number"],
    ]
    bad = client.post("/imports/errors.csv", data={"csrf_token": token, "problems": "{"})
    assert bad.status_code == 422
