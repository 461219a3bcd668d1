"""In a real browser: a manager opens the reports page and sees the aging chart drawn by
Chart.js from the page's data (no script error, no CSP violation), chooses the DSO report
sliced by collector, reads the table and downloads it as CSV with the session cookie.
Screenshots of both."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.web.access import browser_sign_in
from tests.web.report_world import HOSTILE, report_world


def test_a_manager_reads_the_charts_then_downloads_dso_by_collector(
    browser: Browser, live_server: str, web_database_url: str, artifacts: Path
) -> None:
    ledger = report_world(web_database_url)
    context, page = browser_sign_in(
        browser, live_server, ledger.world.a.users["manager"], "/reports"
    )
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda dialog: problems.append(f"a dialog opened: {dialog.message}"))
    try:
        page.reload()  # the listeners see the page from its start
        expect(page.locator("h1")).to_have_text("Reports")
        page.wait_for_function(
            "() => window.Chart !== undefined && window.cobroReportCharts !== undefined"
        )
        drawn = page.evaluate(
            """() => {
                const canvas = document.getElementById("chart-aging");
                const chart = window.Chart.getChart(canvas);
                const context = canvas.getContext("2d");
                const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
                return chart !== undefined && chart.config.type === "bar"
                    && canvas.width > 0 && pixels.data.some((value) => value !== 0);
            }"""
        )
        assert drawn
        assert page.evaluate("() => window.Chart.getChart('chart-dso').config.type") == "line"
        page.screenshot(path=artifacts / "reports-overview.png", full_page=True)

        page.select_option("#report-report", "dso")
        page.select_option("#report-by", "collector")
        page.click("button.show-report")
        expect(page.locator("#report h2")).to_have_text("Days sales outstanding")
        table = page.locator("table.report-table")
        expect(table.locator("tbody tr")).to_have_count(2)
        expect(table).to_contain_text("Ana")
        expect(table).to_contain_text(HOSTILE)  # shown as text, never run
        page.screenshot(path=artifacts / "reports-dso-by-collector.png", full_page=True)

        with page.expect_download() as download:
            page.click("a.download-csv")
        assert download.value.suggested_filename == f"cobro-dso-{ledger.today}.csv"
        saved = download.value.path()
        assert saved is not None
        lines = list(csv.reader(io.StringIO(Path(saved).read_text(encoding="utf-8"))))
        assert lines[0][:2] == ["collector", "currency"]
        assert sorted(line[0] for line in lines[1:]) == sorted(["Ana", HOSTILE])
        assert problems == [], problems
    finally:
        context.close()
