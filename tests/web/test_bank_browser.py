"""In a real browser: a collector uploads a bank statement on /bank, opens the review queue,
accepts the best candidate of the line waiting there and sees it applied. Screenshots of each."""

from __future__ import annotations

import uuid
from pathlib import Path

from playwright.sync_api import Browser, expect

from cobro.banking.accounts import add_account
from cobro.company.models import Company
from tests.factories.bank import Entry, camt
from tests.factories.ledger import make_customer, make_invoice
from tests.web.access import browser_sign_in, build_world

ACCOUNT = "ES9121000418450200051332"


def test_a_collector_uploads_a_statement_and_accepts_a_candidate(
    browser: Browser, live_server: str, web_database_url: str, artifacts: Path
) -> None:
    world = build_world(web_database_url)
    tag = uuid.uuid4().hex[:6]
    with world.session() as session:
        company = session.get_one(Company, world.a.id)
        add_account(session, company, ACCOUNT)
        for name in ("Alfa Montajes S.L.", "Beta Logística S.A."):
            customer = make_customer(session, company, f"{name[:4]}-{tag}", name=name)
            make_invoice(session, company, customer, 80_00, number=f"{name[0]}-{tag}")
    entry = Entry(80_00, name="J. PEREZ", iban="DE89370400440532013000", text="pago", reference=tag)
    statement = camt(ACCOUNT, [entry], f"S-{tag}")
    context, page = browser_sign_in(browser, live_server, world.a.users["collector"], "/bank")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_input_files(
        "#import-file",
        {"name": "statement.xml", "mimeType": "application/xml", "buffer": statement},
    )
    page.click("button.import")
    expect(page.locator("#import-result")).to_contain_text("1 new lines")
    expect(page.locator("#import-result .review")).to_have_text("1")
    page.screenshot(path=artifacts / "bank-imported.png", full_page=True)

    page.click("#import-result a[href='/bank/review']")
    row = page.locator("table.review tr.line", has_text="J. PEREZ")
    expect(row).to_have_count(1)
    page.screenshot(path=artifacts / "bank-review-queue.png", full_page=True)
    row.locator("a").first.click()
    expect(page.locator("li.candidate")).to_have_count(2)
    page.screenshot(path=artifacts / "bank-line.png", full_page=True)
    page.locator("#candidate-0 button.accept").click()
    expect(page.locator("#review-result .state")).to_have_text("applied")
    page.locator("#review-result a").click()
    expect(page.locator("strong.state")).to_have_text("applied")
    expect(page.locator("p.payment")).to_be_visible()
    page.screenshot(path=artifacts / "bank-line-applied.png", full_page=True)
    assert [e for e in errors if not e.startswith("Failed to load resource")] == []
    context.close()
