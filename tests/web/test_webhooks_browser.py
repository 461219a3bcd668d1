"""In a real browser: an admin adds a webhook on the settings page, copies its secret, sends a
test; the sign-in page leads to "Forgot your password?". Screenshots in tests/artifacts/web/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from cobro.webhook.targets import ALLOW_PRIVATE
from tests.web.access import browser_sign_in, build_world


def test_an_admin_adds_a_webhook_and_sends_a_test(
    browser: Browser,
    live_server: str,
    web_database_url: str,
    artifacts: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ALLOW_PRIVATE, "1")  # the app runs in this process: loopback allowed
    world = build_world(web_database_url)
    context, page = browser_sign_in(
        browser, live_server, world.a.users["admin"], "/settings/webhooks"
    )
    try:
        page.fill("#webhook-url", "http://example.com/hook")
        page.check("input[value='stage.reached']")
        page.click("#add-webhook button[type=submit]")
        assert page.locator("#webhook-error").is_visible()
        page.fill("#webhook-url", "http://127.0.0.1:9/hook")
        page.fill("#webhook-description", "ERP <b>bridge</b>")
        page.click("#add-webhook button[type=submit]")
        secret = page.locator(".secret-value").inner_text()
        assert secret.startswith("whsec_")
        page.screenshot(path=artifacts / "webhooks-added.png", full_page=True)
        page.goto(f"{live_server}/settings/webhooks")
        assert page.locator(".secret-value").count() == 0
        assert "ERP <b>bridge</b>" in page.locator(".webhook").inner_text()
        page.click(".webhook button.test")
        page.wait_for_selector(".delivery.status-queued")
        page.set_viewport_size({"width": 390, "height": 844})  # a phone
        page.screenshot(path=artifacts / "webhooks-phone.png", full_page=True)
    finally:
        context.close()


def test_the_sign_in_page_leads_to_forgot_your_password(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    context = browser.new_context(locale="es-ES")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        page.click("a[href='/password/forgot']")
        page.wait_for_url(f"{live_server}/password/forgot")
        assert page.locator("h1").inner_text() == "¿Ha olvidado su contraseña?"
        page.fill("#email", "nobody@example.com")
        page.click("button[type=submit]")
        assert page.locator("p.done").is_visible()
        page.screenshot(path=artifacts / "password-forgot.png", full_page=True)
    finally:
        context.close()
