"""In a real browser: an admin uploads a CSV with one bad row, reads the error report, fixes the
row and imports; then the settings pages, on a desktop and on a phone. Screenshots of each."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.web.access import browser_sign_in, build_world
from tests.web.test_imports_api import invoices_csv, invoices_of


def csv_file(name: str, content: bytes) -> dict[str, object]:
    return {"name": name, "mimeType": "text/csv", "buffer": content}


def test_an_admin_checks_a_file_fixes_the_bad_row_and_imports_it(
    browser: Browser, live_server: str, web_database_url: str, artifacts: Path
) -> None:
    world = build_world(web_database_url)
    context, page = browser_sign_in(browser, live_server, world.a.users["admin"], "/imports")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.select_option("#import-kind", "invoices")
    page.set_input_files("#import-file", csv_file("facturas.csv", invoices_csv(world)))  # type: ignore[arg-type]
    page.click("button[value=check]")
    report = page.locator("#import-result table.problems")
    expect(report).to_be_visible()
    expect(report.locator("tbody tr")).to_have_count(1)
    expect(report.locator("tbody tr td").nth(0)).to_have_text("4")
    expect(report.locator("tbody tr td").nth(1)).to_have_text("issue date")
    expect(report.locator("tbody tr td").nth(2)).to_have_text("not a date")
    page.screenshot(path=artifacts / "import-check-bad-row.png", full_page=True)
    assert invoices_of(world) == 0
    with page.expect_download() as download:
        page.click("button.download")
    saved = download.value.path()
    assert saved is not None
    assert "issue date" in Path(saved).read_text(encoding="utf-8")

    page.set_input_files("#import-file", csv_file("facturas.csv", invoices_csv(world, bad=False)))  # type: ignore[arg-type]
    page.click("button[value=check]")
    expect(page.locator("#import-result")).to_contain_text("The file is good")
    page.click("button[value=import]")
    expect(page.locator("#import-result")).to_contain_text("Imported.")
    page.screenshot(path=artifacts / "import-done.png", full_page=True)
    assert invoices_of(world) == 3

    page.set_input_files(
        "#import-file", {"name": "x.csv", "mimeType": "text/csv", "buffer": b"%PDF-1.4"}
    )
    page.click("button[value=check]")
    expect(page.locator("#import-error-file")).to_contain_text("PDF")
    page.screenshot(path=artifacts / "import-refused-type.png", full_page=True)
    # the browser logs every 4xx answer itself; anything else would be a script error
    assert [e for e in errors if not e.startswith("Failed to load resource")] == []
    context.close()


def test_the_settings_pages_on_a_desktop_and_a_phone(
    browser: Browser, live_server: str, web_database_url: str, artifacts: Path
) -> None:
    world = build_world(web_database_url)
    context, page = browser_sign_in(browser, live_server, world.a.users["admin"], "/settings")
    page.fill("#settings-iban", "ES91 2100 0418 4502 0005 1333")
    page.click("form.settings-form button[type=submit]")
    expect(page.locator("#settings-error-iban")).to_contain_text("check digits")
    page.screenshot(path=artifacts / "settings-company-bad-iban.png", full_page=True)
    page.fill("#settings-iban", "ES91 2100 0418 4502 0005 1332")
    page.click("form.settings-form button[type=submit]")
    expect(page.locator("p.done")).to_be_visible()
    for name in ("users", "channels", "chase"):
        page.goto(f"{live_server}/settings/{name}")
        page.screenshot(path=artifacts / f"settings-{name}.png", full_page=True)
    context.close()
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="es-ES")
    small = phone.new_page()
    small.goto(f"{live_server}/login?next=/settings/channels")
    small.fill("#email", world.a.users["admin"])
    small.fill("#password", "correct horse battery")
    small.click("button[type=submit]")
    small.wait_for_url(f"{live_server}/settings/channels")
    small.screenshot(path=artifacts / "settings-channels-phone.png", full_page=True)
    width = small.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1
    phone.close()
