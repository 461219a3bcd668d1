"""In a real browser (headless Chromium): the pages load, htmx runs under the CSP, a collector
signs in and out through the real form, and errors are pages. Screenshots of each page go to
tests/artifacts/web/."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, ConsoleMessage

from cobro.endpoint import SESSION_COOKIE
from cobro.web.security import CSRF_COOKIE
from tests.web.access import PASSWORD, build_world


def test_the_sign_in_page_loads_with_htmx_under_the_csp(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    page = browser.new_page(locale="en-US")
    problems: list[str] = []
    page.on("console", lambda message: _note(problems, message))
    response = page.goto(f"{live_server}/")
    assert response is not None
    assert response.status == 200
    assert page.url == f"{live_server}/login"
    assert "content-security-policy" in response.headers
    assert page.title().startswith("Sign in")
    page.wait_for_function("() => window.htmx !== undefined")
    assert page.evaluate("() => typeof window.htmx.version") == "string"
    assert any(cookie["name"] == CSRF_COOKIE for cookie in page.context.cookies())
    page.screenshot(path=artifacts / "login.png", full_page=True)
    print(f"screenshot: {artifacts / 'login.png'}")
    assert problems == [], problems  # no CSP violation, no script error
    page.close()


def test_a_collector_signs_in_and_out_through_the_form(
    browser: Browser, live_server: str, web_database_url: str, artifacts: Path
) -> None:
    world = build_world(web_database_url)
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: _note(problems, message))
    page.goto(f"{live_server}/")
    page.fill("#email", world.a.users["collector"])
    page.fill("#password", "not the password")
    page.click("button[type=submit]")
    assert "sign-in failed" in page.inner_text(".problem")
    problems.clear()  # the browser logs the 401 of the refused sign-in: expected
    page.screenshot(path=artifacts / "login-failed.png", full_page=True)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    main = page.inner_text("main")
    assert "Collector A" in main
    assert world.a.name in main
    assert page.inner_text(".role") == "collector"
    session_cookie = next(c for c in context.cookies() if c["name"] == SESSION_COOKIE)
    assert session_cookie["httpOnly"]
    assert session_cookie["sameSite"] == "Lax"
    page.screenshot(path=artifacts / "signed-in.png", full_page=True)
    page.click("text=Sign out")
    page.wait_for_url(f"{live_server}/login")
    assert all(c["name"] != SESSION_COOKIE for c in context.cookies())
    page.goto(f"{live_server}/")
    assert page.url == f"{live_server}/login"
    page.screenshot(path=artifacts / "signed-out.png", full_page=True)
    assert problems == [], problems
    context.close()


def test_the_home_page_in_spanish_on_a_phone(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    context = browser.new_context(locale="es-ES", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server}/")
    assert "Iniciar sesión" in page.inner_text("main")
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
    page.wait_for_url(f"{live_server}/login")
    page.goto(f"{live_server}/no-such-page")
    page.screenshot(path=artifacts / "not-found.png", full_page=True)
    page.close()


def _note(problems: list[str], message: ConsoleMessage) -> None:
    if message.type == "error":
        problems.append(message.text)


def test_a_collector_sees_the_dashboard_with_its_chart(
    browser: Browser, live_server: str, web_database_url: str, artifacts: Path
) -> None:
    from tests.web.test_dashboard import owe

    world = build_world(web_database_url)
    owe(world, world.a, {-3: 500_00, 12: 250_00, 45: 125_00, 100: 60_00}, error="550 no mailbox")
    page = browser.new_page(locale="en-US")
    problems: list[str] = []
    page.on("console", lambda message: _note(problems, message))
    page.goto(f"{live_server}/")
    page.fill("#email", world.a.users["collector"])
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    assert page.inner_text("h1") == "Dashboard"
    assert "€935.00" in page.inner_text("#receivables")
    assert "550 no mailbox" in page.inner_text("#failed")
    page.wait_for_function(
        "() => window.Chart !== undefined && window.cobroAgingChart !== undefined"
    )
    drawn = page.evaluate(
        """() => {
            const canvas = document.getElementById("aging-chart");
            const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
            return canvas.width > 0 && pixels.data.some((value) => value !== 0);
        }"""
    )
    assert drawn
    page.screenshot(path=artifacts / "dashboard.png", full_page=True)
    print(f"screenshot: {artifacts / 'dashboard.png'}")
    assert problems == [], problems  # no CSP violation, no script error
    page.close()


def test_the_api_docs_run_the_vendored_swagger_ui(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    page = browser.new_page(locale="en-US")
    problems: list[str] = []
    page.on("console", lambda message: _note(problems, message))
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server}/api/docs")
    page.wait_for_selector(".opblock-tag", timeout=20_000)  # drawn from /api/openapi.json
    assert page.locator("button.authorize").count() == 1  # the security schemes are there
    assert page.get_by_text("/api/customers").first.is_visible()
    page.screenshot(path=artifacts / "api-docs.png", full_page=False)
    assert all(url.startswith(live_server) for url in requested), requested
    assert problems == [], problems
    page.close()
