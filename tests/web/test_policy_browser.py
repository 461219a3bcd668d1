"""In a real browser: a collector runs a dry cycle and reads the report; a manager opens a
policy, previews a stage's message and runs the dry run of tomorrow; the template editor's
preview follows the typing in both languages, and a hostile template never runs. Screenshots
go to tests/artifacts/web/."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, ConsoleMessage

from tests.web.access import browser_sign_in, build_world
from tests.web.policy_world import owe


def _errors(problems: list[str], message: ConsoleMessage) -> None:
    # the sandboxed email frame inherits the page's CSP, which refuses the email's inline
    # styles: expected, and exactly what keeps a hostile template inert
    if message.type == "error" and "inline style" not in message.text:
        problems.append(message.text)


def test_a_collector_runs_a_dry_cycle(
    browser: Browser, live_server: str, web_database_url: str, artifacts: Path
) -> None:
    world = build_world(web_database_url)
    owe(world, world.a, {3: 120_00, 21: 480_00})
    context, page = browser_sign_in(browser, live_server, world.a.users["collector"], "/cycle")
    problems: list[str] = []
    page.on("console", lambda message: _errors(problems, message))
    assert page.inner_text("h1") == "Cycle"
    assert page.locator(".real-run-button").count() == 0  # a collector runs dry only
    page.click(".dry-run-button")
    page.wait_for_selector("#report")
    report = page.inner_text("#report")
    assert "Dry run: nothing was written." in report
    assert page.inner_text("#report .moved") == "2"
    assert page.locator(".stage-outcome").count() >= 1
    page.screenshot(path=artifacts / "cycle-dry-run.png", full_page=True)
    assert problems == [], problems
    context.close()


def test_a_manager_previews_a_stage_and_runs_tomorrow(
    browser: Browser, live_server: str, web_database_url: str, artifacts: Path
) -> None:
    world = build_world(web_database_url)
    customer = owe(world, world.a, {9: 250_00})
    context, page = browser_sign_in(
        browser, live_server, world.a.users["manager"], "/policies/default"
    )
    problems: list[str] = []
    page.on("console", lambda message: _errors(problems, message))
    stage = page.locator("#stage-reminder-1")
    stage.locator(".preview-button").click()
    page.wait_for_selector("#preview-reminder-1 .message")
    preview = page.inner_text("#preview-reminder-1")
    assert customer in preview
    assert "Ferretería López" in preview
    assert page.url.endswith("/policies/default")  # htmx swapped the part, no navigation
    page.screenshot(path=artifacts / "policy-stage-preview.png", full_page=True)
    page.click(".dry-run-button")
    page.wait_for_selector("#dry-run .report")
    assert "outcome-reminder-2" in page.inner_html("#dry-run")  # 9 days late today: +10 tomorrow
    assert "Dry run: nothing was written." in page.inner_text("#dry-run")
    page.screenshot(path=artifacts / "policy-dry-run-tomorrow.png", full_page=True)
    assert problems == [], problems
    context.close()


def test_the_template_preview_follows_the_typing_in_both_languages(
    browser: Browser, live_server: str, web_database_url: str, artifacts: Path
) -> None:
    world = build_world(web_database_url)
    owe(world, world.a, {0: 100_00})
    context, page = browser_sign_in(
        browser, live_server, world.a.users["manager"], "/templates/due.email"
    )
    problems: list[str] = []
    page.on("console", lambda message: _errors(problems, message))
    page.on("dialog", lambda dialog: problems.append(f"a dialog opened: {dialog.message}"))
    page.fill("#field-en-subject", "Hello {{ customer_name }}")
    page.fill("#field-en-text", "You owe {{ amount_due }}. <script>alert(1)</script>")
    page.wait_for_function(
        "() => document.querySelector('#preview-en .subject-text')?.textContent"
        ".startsWith('Hello Ferretería')"
    )
    assert "missing translation" in page.inner_text("#error-es-subject")
    page.fill("#field-es-subject", "Hola {{ customer_name }}")
    page.fill("#field-es-text", "Debe {{ amount_due }}.")
    page.wait_for_function(
        "() => document.querySelector('#preview-es .subject-text')?.textContent"
        ".startsWith('Hola Ferretería')"
    )
    assert page.inner_text("#error-es-subject") == ""
    assert "<script>alert(1)</script>" in page.inner_text("#preview-en pre.text")
    page.locator("#preview-en details.html-version summary").click()
    page.wait_for_timeout(300)
    page.screenshot(path=artifacts / "template-live-preview.png", full_page=True)
    page.click("button.save")
    page.wait_for_url(f"{live_server}/templates/due.email?saved=1")
    assert page.input_value("#field-es-text") == "Debe {{ amount_due }}."
    assert problems == [], problems
    context.close()
