"""In a real browser: a debtor opens their portal link, promises to pay one invoice, disputes
part of another (with a photo) and agrees a plan for the rest; then a manager sees the promise,
the dispute and the plan on their pages, resolves the dispute with a credit note, and reads
the customer's full timeline. Screenshots of each."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Browser, expect

from cobro.company.models import Company
from cobro.kit.dates import today_in, utcnow
from cobro.portal.links import portal_token
from tests.factories.ledger import make_customer, make_invoice
from tests.web.access import browser_sign_in, build_world
from tests.web.conftest import SECRET

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # the magic bytes are what is checked


def test_a_debtor_promises_disputes_and_agrees_a_plan_then_a_manager_resolves(
    browser: Browser, live_server: str, web_database_url: str, artifacts: Path
) -> None:
    world = build_world(web_database_url)
    tag = uuid.uuid4().hex[:6]
    with world.session() as session:
        company = session.get_one(Company, world.a.id)
        today = today_in(company.timezone)
        customer = make_customer(session, company, f"AG-{tag}", name="Café Ñandú", language="en")
        due = today - timedelta(days=20)
        numbers = [
            make_invoice(session, company, customer, total, due - timedelta(days=30), due,
                         f"AG{tag}-{n}").number
            for n, total in enumerate((300_00, 500_00, 900_00), start=1)
        ]  # fmt: skip
        token = portal_token(SECRET, company.id, customer.id, utcnow() + timedelta(days=30))
        external_id = customer.external_id
    disputed = numbers[1]
    in_the_portal(browser, f"{live_server}/portal/{token}", numbers, today, artifacts)
    staff, page = browser_sign_in(browser, live_server, world.a.users["manager"], "/promises")
    try:
        expect(page.locator("main")).to_contain_text(external_id)
        page.screenshot(path=str(artifacts / "promises.png"), full_page=True)
        page.goto(f"{live_server}/plans")
        expect(page.locator("main")).to_contain_text(external_id)
        page.screenshot(path=str(artifacts / "plans.png"), full_page=True)
        page.goto(f"{live_server}/disputes")
        page.locator("main tr", has_text=disputed).locator("a[href^='/disputes/']").click()
        expect(page.locator("main")).to_contain_text("boxes.png")
        page.screenshot(path=str(artifacts / "dispute.png"), full_page=True)
        page.locator("form.resolve input[name='outcome'][value='credit']").check()
        page.locator("form.resolve button.resolve").click()
        expect(page.locator("main")).to_contain_text("CN-D")
        page.screenshot(path=str(artifacts / "dispute-credited.png"), full_page=True)
        page.goto(f"{live_server}/customers/{external_id}/timeline")
        for kind in ("Promise", "Dispute", "Credit note"):
            expect(page.locator("#story")).to_contain_text(kind)
        page.screenshot(path=str(artifacts / "customer-timeline.png"), full_page=True)
    finally:
        staff.close()


def in_the_portal(
    browser: Browser, home: str, numbers: list[str], today: date, artifacts: Path
) -> None:
    """The debtor promises to pay the first invoice, disputes part of the second and agrees a
    plan for what is left."""
    promised, disputed, _rest = numbers
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    try:
        page.goto(home)
        page.get_by_role("link", name="Can't pay yet? Tell us when you will").click()
        page.fill("#amount", "300.00")
        page.fill("#due_on", (today + timedelta(days=7)).isoformat())
        page.locator(f"input[name='invoices'][value='{promised}']").check()
        page.get_by_role("button", name="Promise to pay").click()
        expect(page.locator("#promise-made")).to_contain_text("300.00")
        page.screenshot(path=str(artifacts / "portal-promise.png"), full_page=True)

        page.goto(home)
        page.get_by_role("link", name="Dispute an invoice, or part of it").click()
        page.locator(f"input[name='invoices'][value='{disputed}']").check()
        row = page.locator("p.disputable", has_text=disputed)
        row.locator("input[name='amounts']").fill("120.00")
        page.select_option("#reason", "quality")
        page.fill("#description", "Two boxes arrived broken")
        page.set_input_files(
            "#evidence", {"name": "boxes.png", "mimeType": "image/png", "buffer": PNG}
        )
        page.get_by_role("button", name="Send dispute").click()
        expect(page.locator("#opened")).to_be_visible()
        page.screenshot(path=str(artifacts / "portal-dispute.png"), full_page=True)

        page.goto(home)
        page.get_by_role("link", name="Pay in installments").click()
        page.select_option("#installments", "3")
        page.get_by_role("button", name="Show the installments").click()
        expect(page.locator("#schedule li")).to_have_count(3)
        page.get_by_role("button", name="Agree to this plan").click()
        expect(page.locator("#plan-made")).to_be_visible()
        page.screenshot(path=str(artifacts / "portal-plan.png"), full_page=True)
    finally:
        context.close()
