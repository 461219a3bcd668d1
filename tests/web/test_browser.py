"""In a real browser (headless Chromium): the pages load, htmx runs under the CSP, and errors
are pages. Screenshots of each page go to tests/artifacts/web/."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, ConsoleMessage

from cobro.web.security import CSRF_COOKIE


def test_the_home_page_loads_with_htmx_under_the_csp(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    page = browser.new_page(locale="en-US")
    problems: list[str] = []
    page.on("console", lambda message: _note(problems, message))
    response = page.goto(f"{live_server}/")
    assert response is not None
    assert response.status == 200
    assert "content-security-policy" in response.headers
    assert page.title().startswith("Cobro")
    page.wait_for_function("() => window.htmx !== undefined")
    assert page.evaluate("() => typeof window.htmx.version") == "string"
    assert "Sign-in arrives with the users domain." in page.inner_text("main")
    assert any(cookie["name"] == CSRF_COOKIE for cookie in page.context.cookies())
    page.screenshot(path=artifacts / "home.png", full_page=True)
    print(f"screenshot: {artifacts / 'home.png'}")
    assert problems == [], problems  # no CSP violation, no script error
    page.close()


def test_the_home_page_in_spanish_on_a_phone(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    context = browser.new_context(locale="es-ES", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server}/")
    assert "El inicio de sesión llega" in page.inner_text("main")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.screenshot(path=artifacts / "home-es-phone.png", full_page=True)
    context.close()


def test_an_unknown_page_is_the_friendly_404(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    page = browser.new_page(locale="en-US")
    response = page.goto(f"{live_server}/no-such-page")
    assert response is not None
    assert response.status == 404
    assert page.inner_text("h1") == "Page not found"
    page.click("text=Back to the home page")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/no-such-page")
    page.screenshot(path=artifacts / "not-found.png", full_page=True)
    page.close()


def _note(problems: list[str], message: ConsoleMessage) -> None:
    if message.type == "error":
        problems.append(message.text)
