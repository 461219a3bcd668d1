"""The reports page: every report of the catalog as a table (its cells as the CLI shows them,
"n/d" where not defined), its notes, charts' data as a JSON block (never executed) and its
download links; with no report chosen, the charts at a glance; bad input answers 422 with the
error next to its field; a hostile name is text, never markup; and in Spanish."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cobro.report.catalog import REPORTS
from cobro.web.security import CSRF_COOKIE
from tests.web.access import sign_in, speak
from tests.web.report_world import HOSTILE, ReportWorld, report_world


@pytest.fixture(scope="module")
def ledger(web_database_url: str) -> ReportWorld:
    return report_world(web_database_url)


@pytest.fixture
def manager(client: TestClient, ledger: ReportWorld) -> TestClient:
    assert sign_in(client, ledger.world.a.users["manager"]).status_code == 303
    return client


def charts_of(html: str) -> list[dict[str, Any]]:
    found = re.search(
        r'<script type="application/json" id="report-charts">(.*?)</script>', html, re.S
    )
    assert found is not None, "no charts' data"
    charts: list[dict[str, Any]] = json.loads(found.group(1))
    return charts


def problem(html: str, field: str) -> str:
    found = re.search(rf'<p class="problem" role="alert" id="report-error-{field}">(.*?)</p>', html)
    assert found is not None, f"no error next to {field}"
    return found.group(1)


def test_the_landing_page_shows_the_charts_at_a_glance(
    manager: TestClient, ledger: ReportWorld
) -> None:
    page = manager.get("/reports", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.text
    assert '<a href="/reports">Reports</a>' in html  # in the navigation
    assert 'src="/static/vendor/chart.umd.min.js"' in html
    assert 'src="/static/reports.js"' in html
    charts = {chart["key"]: chart for chart in charts_of(html)}
    assert {"aging", "dso", "cei"} <= set(charts)
    assert ("curve" in charts) == ("curve" in REPORTS)
    aging = charts["aging"]
    assert (aging["kind"], aging["labels"]) == ("stacked_bars", ["EUR"])
    assert [s["values"] for s in aging["series"]] == [[100.0], [200.0], [300.0], [0.0], [400.0]]
    assert (charts["dso"]["kind"], len(charts["dso"]["labels"])) == ("lines", 12)
    for key in charts:
        assert f'id="chart-{key}"' in html
    assert 'href="/api/reports/management.pdf"' in html
    for secret in ledger.secrets:
        assert secret not in html


@pytest.mark.parametrize("name", list(REPORTS))
def test_every_report_renders_as_a_table_with_its_downloads(
    manager: TestClient, ledger: ReportWorld, name: str
) -> None:
    page = manager.get("/reports", params={"report": name, "by": "collector"})
    assert page.status_code == 200, page.text
    html = page.text
    assert f'data-report="{name}"' in html
    assert 'class="figures report-table"' in html or "Nothing to show for that period." in html
    for ext in ("csv", "xlsx", "pdf"):
        assert f'href="/api/reports/{name}?by=collector&amp;format={ext}"' in html
    assert '<ul class="notes">' in html
    for secret in ledger.secrets:
        assert secret not in html


def test_the_aging_table_reads_as_the_cli_shows_it(manager: TestClient) -> None:
    html = manager.get("/reports", params={"report": "aging", "by": "collector"}).text
    assert "Aging (days past due)" in html
    assert ">300.00</td>" in html
    assert ">700.00</td>" in html
    assert "90+" in html
    # the hostile collector's name is text, in the table and in the chart's data
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Ñandú &amp; Co" in html
    assert "<script>alert" not in html
    [chart] = charts_of(html)
    assert sorted(chart["labels"]) == sorted(["Ana", HOSTILE])


def test_not_defined_figures_read_n_d(manager: TestClient) -> None:
    html = manager.get("/reports", params={"report": "kpis"}).text
    assert 'class="amount not-defined">n/d</td>' in html  # no promises: no kept rate


def test_a_report_downloads_with_the_session_cookie(manager: TestClient) -> None:
    html = manager.get("/reports", params={"report": "dso"}).text
    found = re.search(r'href="(/api/reports/dso\?format=csv)"', html)
    assert found is not None
    download = manager.get(found.group(1))
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert download.text.startswith("currency,")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"report": "horoscope"}, "report"),
        ({"report": "aging", "by": "planet"}, "by"),
        ({"report": "aging", "buckets": "90,30"}, "buckets"),
        ({"report": "aging", "aged_from": "birth"}, "aged_from"),
        ({"report": "dso", "from": "2026-02-30"}, "from"),
        ({"report": "dso", "from": "2026-03-01", "to": "2026-02-01"}, "to"),
        ({"report": "aging", "on": "1800-01-01"}, "on"),
        ({"report": "trends", "from": "2020-01-01", "to": "2026-01-01"}, "from"),
    ],
)
def test_bad_input_shows_the_error_next_to_its_field(
    manager: TestClient, params: dict[str, str], field: str
) -> None:
    page = manager.get("/reports", params=params)
    assert page.status_code == 422
    assert problem(page.text, field)
    assert f'aria-describedby="report-error-{field}"' in page.text
    # the form as typed (a choice of a list shows the list)
    for key, value in params.items():
        if key not in ("report", "by", "aged_from"):
            assert f'value="{value}"' in page.text


def test_a_missing_fx_rate_shows_next_to_the_slice(
    client: TestClient, web_database_url: str
) -> None:
    ledger = report_world(web_database_url, foreign_currency=True)
    assert sign_in(client, ledger.world.a.users["viewer"]).status_code == 303
    page = client.get("/reports", params={"report": "aging", "by": "country"})
    assert page.status_code == 422
    assert "USD" in problem(page.text, "by")
    assert client.get("/reports", params={"report": "aging"}).status_code == 200


@pytest.mark.parametrize("role", ["admin", "collector", "viewer", "auditor"])
def test_any_role_reads_reports(client: TestClient, ledger: ReportWorld, role: str) -> None:
    assert sign_in(client, ledger.world.a.users[role]).status_code == 303
    assert client.get("/reports").status_code == 200
    assert client.get("/reports", params={"report": "trends"}).status_code == 200


def test_signed_out_the_page_asks_to_sign_in(client: TestClient) -> None:
    answer = client.get("/reports", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login")


def test_the_page_in_spanish(manager: TestClient) -> None:
    speak(manager, "es")
    try:
        html = manager.get("/reports", params={"report": "aging"}).text
        for text in ("Informes", "Desglosar por", "Ver informe", "Antigüedad (días vencidos)",
                     "al corriente", "la fecha de vencimiento", "Descargar"):  # fmt: skip
            assert text in html, text
        landing = manager.get("/reports").text
        assert "De un vistazo" in landing
        assert "Gráficos" in landing
    finally:
        speak(manager, "en")


def test_a_manager_sets_the_weekly_report_s_day(manager: TestClient) -> None:
    page = manager.get("/reports").text
    assert 'action="/reports/weekly"' in page
    token = manager.cookies.get(CSRF_COOKIE) or ""
    try:
        saved = manager.post(
            "/reports/weekly",
            data={"day": "friday", "csrf_token": token},
            follow_redirects=False,
        )
        assert (saved.status_code, saved.headers["location"]) == (303, "/reports?done=weekly")
        page = manager.get("/reports?done=weekly").text
        assert (
            "The weekly report&#39;s day is saved." in page
            or "weekly report's day is saved" in page
        )
        assert '<option value="friday" selected>' in page
        crafted = manager.post("/reports/weekly", data={"day": "someday", "csrf_token": token})
        assert crafted.status_code == 422
        assert 'id="weekly-error"' in crafted.text
        assert manager.post("/reports/weekly", data={"day": "off"}).status_code == 403  # no CSRF
    finally:
        manager.post("/reports/weekly", data={"day": "monday", "csrf_token": token})


def test_a_collector_sees_the_weekly_day_but_cannot_change_it(
    client: TestClient, ledger: ReportWorld
) -> None:
    assert sign_in(client, ledger.world.a.users["collector"]).status_code == 303
    page = client.get("/reports").text
    assert "Weekly report by email" in page
    assert 'action="/reports/weekly"' not in page
    token = client.cookies.get(CSRF_COOKIE) or ""
    assert (
        client.post("/reports/weekly", data={"day": "friday", "csrf_token": token}).status_code
        == 403
    )
