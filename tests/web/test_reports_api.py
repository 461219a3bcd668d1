"""The reports over the JSON API: every report of the catalog answers any role of the company
as JSON, and as CSV, Excel and PDF downloads that parse; the management report as one PDF; an
unknown report is a 404; bad input (a slice, buckets, dates, an FX rate a slice needs) a 422
naming the field; and company B's figures never show in company A's reports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader

from cobro.report.catalog import REPORTS
from tests.web.report_world import ReportWorld, report_world

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def ledger(web_database_url: str) -> ReportWorld:
    return report_world(web_database_url)


def bearer(ledger: ReportWorld, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {ledger.world.token(role)}"}


def report(client: TestClient, ledger: ReportWorld, name: str, **params: str) -> Any:
    return client.get(f"/api/reports/{name}", params=params, headers=bearer(ledger, "viewer"))


def error_field(response: Any) -> str | None:
    field: str | None = response.json()["error"]["field"]
    return field


def test_the_list_names_every_report_with_its_title(
    client: TestClient, ledger: ReportWorld
) -> None:
    answer = client.get("/api/reports", headers=bearer(ledger, "collector"))
    assert answer.status_code == 200, answer.text
    listed = answer.json()
    assert [item["name"] for item in listed] == list(REPORTS)
    assert all(item["title"] for item in listed)
    assert next(item for item in listed if item["name"] == "dso")["description"].startswith("Days")


@pytest.mark.parametrize("role", ["manager", "viewer"])
@pytest.mark.parametrize("name", list(REPORTS))
def test_every_report_answers_json_to_any_role(
    client: TestClient, ledger: ReportWorld, name: str, role: str
) -> None:
    answer = client.get(f"/api/reports/{name}", headers=bearer(ledger, role))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert body["name"] == name
    assert body["title"]
    assert body["period"]
    assert body["columns"]
    keys = {column["key"] for column in body["columns"]}
    assert all(set(row) == keys for row in body["rows"])
    assert [s for s in ledger.secrets if s in answer.text] == []


def test_the_aging_holds_the_ledgers_figures_in_its_buckets(
    client: TestClient, ledger: ReportWorld
) -> None:
    body = report(client, ledger, "aging").json()
    [row] = body["rows"]
    expected = {"currency": "EUR", "current": "100.00", "1-30": "200.00", "31-60": "300.00",
                "61-90": "0.00", "90+": "400.00", "total": "1000.00",
                "overdue_share": "90.00"}  # fmt: skip
    assert row == expected
    [chart] = body["charts"]
    assert (chart["kind"], chart["labels"], chart["unit"]) == ("stacked_bars", ["EUR"], "EUR")
    assert [s["values"] for s in chart["series"]] == [[100.0], [200.0], [300.0], [0.0], [400.0]]


def test_an_aging_in_buckets_of_ones_own_by_issue_date(
    client: TestClient, ledger: ReportWorld
) -> None:
    body = report(client, ledger, "aging", buckets="60,120", aged_from="issue").json()
    [row] = body["rows"]
    assert (row["0-60"], row["61-120"], row["120+"]) == ("300.00", "300.00", "400.00")
    assert "overdue_share" not in row


def test_sliced_by_collector_each_collector_is_a_row(
    client: TestClient, ledger: ReportWorld
) -> None:
    body = report(client, ledger, "aging", by="collector").json()
    totals = {row["slice"]: row["total"] for row in body["rows"]}
    assert totals == {"Ana": "300.00", "<script>alert('x')</script> Ñandú & Co": "700.00"}
    assert any("amounts in EUR" in note for note in body["notes"])


def test_a_period_of_ones_own(client: TestClient, ledger: ReportWorld) -> None:
    start, end = ledger.today - timedelta(days=90), ledger.today
    body = report(client, ledger, "dso", **{"from": str(start), "to": str(end)}).json()
    assert body["period"] == f"{start} – {end}"
    on = ledger.today - timedelta(days=7)
    assert report(client, ledger, "aging", on=str(on)).json()["period"] == f"on {on}"


def test_csv_excel_and_pdf_downloads_parse(client: TestClient, ledger: ReportWorld) -> None:
    end = ledger.today
    answer = report(client, ledger, "aging", format="csv", to=str(end))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    disposition = answer.headers["content-disposition"]
    assert disposition == f'attachment; filename="cobro-aging-{end}.csv"'
    lines = list(csv.reader(io.StringIO(answer.content.decode("utf-8"))))
    assert lines[0] == ["currency", "current", "1-30", "31-60", "61-90", "90+", "total",
                        "overdue, %"]  # fmt: skip
    assert lines[1] == ["EUR", "100.00", "200.00", "300.00", "0.00", "400.00", "1000.00", "90.00"]

    answer = report(client, ledger, "dso", format="xlsx", by="collector")
    assert answer.headers["content-type"] == XLSX
    assert answer.headers["content-disposition"].endswith(f'cobro-dso-{end}.xlsx"')
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    cells = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value]
    assert "Ana" in cells

    answer = report(client, ledger, "trends", format="pdf")
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].endswith(f'cobro-trends-{end}.pdf"')
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    assert "KPI trends" in text


def test_the_management_report_is_one_pdf(client: TestClient, ledger: ReportWorld) -> None:
    answer = client.get("/api/reports/management.pdf", headers=bearer(ledger, "viewer"))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    name = f"cobro-management-{ledger.today}.pdf"
    assert answer.headers["content-disposition"] == f'attachment; filename="{name}"'
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    assert "Receivables management report" in text
    assert "Aging" in text
    backwards = {"from": str(ledger.today), "to": str(ledger.today - timedelta(days=1))}
    refused = client.get(
        "/api/reports/management.pdf", params=backwards, headers=bearer(ledger, "viewer")
    )
    assert (refused.status_code, error_field(refused)) == (422, "to")


def test_an_unknown_report_is_a_404(client: TestClient, ledger: ReportWorld) -> None:
    answer = report(client, ledger, "horoscope")
    assert answer.status_code == 404
    assert "aging" in answer.json()["error"]["message"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"by": "planet"}, "by"),
        ({"buckets": "90,30"}, "buckets"),
        ({"buckets": "thirty"}, "buckets"),
        ({"aged_from": "birth"}, "aged_from"),
        ({"from": "2026-02-30"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-03-01", "to": "2026-02-01"}, "to"),
        ({"format": "docx"}, "format"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    client: TestClient, ledger: ReportWorld, params: dict[str, str], field: str
) -> None:
    answer = report(client, ledger, "aging", **params)
    assert answer.status_code == 422, answer.text
    assert error_field(answer) == field


def test_a_trend_over_too_many_months_is_refused(client: TestClient, ledger: ReportWorld) -> None:
    answer = report(client, ledger, "trends", **{"from": "2020-01-01", "to": "2026-01-01"})
    assert (answer.status_code, error_field(answer)) == (422, "from")


def test_a_slice_that_needs_a_missing_fx_rate_is_a_422(
    client: TestClient, web_database_url: str
) -> None:
    ledger = report_world(web_database_url, foreign_currency=True)
    by_currency = report(client, ledger, "aging")
    assert by_currency.status_code == 200
    assert {row["currency"] for row in by_currency.json()["rows"]} == {"EUR", "USD"}
    for name in ("aging", "dso"):
        answer = report(client, ledger, name, by="country")
        assert answer.status_code == 422, answer.text
        assert error_field(answer) == "fx"
        assert "USD" in answer.json()["error"]["message"]


def test_company_bs_figures_never_show(client: TestClient, ledger: ReportWorld) -> None:
    for name in REPORTS:
        for by in ("currency", "collector"):
            for fmt in ("json", "csv"):
                answer = report(client, ledger, name, by=by, format=fmt)
                assert answer.status_code == 200, (name, by, fmt)
                assert [s for s in ledger.secrets if s in answer.text] == [], (name, by, fmt)


def test_no_credentials_no_report(client: TestClient) -> None:
    assert client.get("/api/reports/aging").status_code == 401


def writer(ledger: ReportWorld, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {ledger.world.token(role, ('read', 'write'))}"}


def test_the_weekly_report_s_day_is_read_by_all_and_set_by_managers(
    client: TestClient, ledger: ReportWorld
) -> None:
    read = client.get("/api/reports/weekly", headers=bearer(ledger, "viewer"))
    assert read.status_code == 200
    assert read.json()["day"] == "monday"
    assert ledger.world.a.users["manager"] in read.json()["recipients"]
    assert ledger.world.a.users["collector"] not in read.json()["recipients"]
    manager = writer(ledger, "manager")
    refused = client.put(
        "/api/reports/weekly", json={"day": "friday"}, headers=writer(ledger, "collector")
    )
    assert refused.status_code == 403
    bad = client.put("/api/reports/weekly", json={"day": "someday"}, headers=manager)
    assert (bad.status_code, error_field(bad)) == (422, "day")
    try:
        for day in ("friday", "off"):
            changed = client.put("/api/reports/weekly", json={"day": day}, headers=manager)
            assert (changed.status_code, changed.json()["day"]) == (200, day)
    finally:
        client.put("/api/reports/weekly", json={"day": "monday"}, headers=manager)
