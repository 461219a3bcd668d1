"""In a real browser (headless Chromium): a collector opens the worklist, logs a call outcome on
the first row by htmx (no page load), sees the confirmation in place, opens that customer and
finds the call in the timeline; on a phone the page fits the screen. Screenshots go to
tests/artifacts/web/."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, ConsoleMessage

from tests.web.access import browser_sign_in, build_world
from tests.web.worklist_world import owes

NAMES = ("Ferretería López", "Panadería Sol", "<script>alert('x')</script>")


def _note(problems: list[str], message: ConsoleMessage) -> None:
    if message.type in ("error", "warning"):
        problems.append(message.text)


def test_a_collector_logs_a_call_from_the_worklist(
    browser: Browser, live_server: str, web_database_url: str, artifacts: Path
) -> None:
    world = build_world(web_database_url, NAMES)
    first, second, third = world.a.customers
    owes(world, world.a, first, 1_000_00, 10)
    owes(world, world.a, second, 12_400_00, 45, call_task=True)
    owes(world, world.a, third, 300_00, 100)
    context, page = browser_sign_in(browser, live_server, world.a.users["collector"], "/worklist")
    problems: list[str] = []
    page.on("console", lambda message: _note(problems, message))
    page.on("dialog", lambda dialog: problems.append(f"a dialog opened: {dialog.message}"))
    row = page.locator("li.work-item").first
    assert row.locator("a.customer").inner_text() == "Panadería Sol"
    assert "€12,400.00 overdue, 45 days" in row.locator(".reason").inner_text()
    assert "call task open" in row.locator(".reason").inner_text()
    page.screenshot(path=artifacts / "worklist.png", full_page=True)
    loads: list[str] = []
    page.on("load", lambda _: loads.append(page.url))
    row.locator("details.move-call summary").click()
    row.locator("details.move-call select[name=outcome]").select_option("promised_to_pay")
    row.locator("details.move-call textarea[name=body]").fill("Pagará el viernes <b>sin falta</b>")
    row.locator("details.move-call button[type=submit]").click()
    confirmation = row.locator(".confirm")
    confirmation.wait_for()
    assert "Call logged: promised to pay." in confirmation.inner_text()
    assert "Call tasks closed: 1." in confirmation.inner_text()
    assert loads == []  # htmx swapped the form in place: no page load
    page.screenshot(path=artifacts / "worklist-call-logged.png", full_page=True)
    row.locator("a.customer").click()
    page.wait_for_url(f"{live_server}/customers/{second}")
    call = page.locator("#notes li.note").first
    assert "promised to pay" in call.inner_text()
    assert "Pagará el viernes <b>sin falta</b>" in call.locator(".body").inner_text()
    assert "Collector A" in call.inner_text()
    page.screenshot(path=artifacts / "customer-with-call.png", full_page=True)
    assert problems == [], problems  # no CSP violation, no script error, no alert
    context.close()


def test_the_worklist_fits_a_phone(
    browser: Browser, live_server: str, web_database_url: str, artifacts: Path
) -> None:
    world = build_world(web_database_url, NAMES)
    for external_id in world.a.customers:
        owes(world, world.a, external_id, 1_234_567_89, 60)
    context, page = browser_sign_in(browser, live_server, world.a.users["collector"], "/worklist")
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("li.work-item details.move-call summary").first.click()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.screenshot(path=artifacts / "worklist-phone.png", full_page=True)
    context.close()
