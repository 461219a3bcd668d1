"""The customer pages: the list, the customer 360 (items with their stage, the timeline after a
cycle, a sent document), the document itself and the invoice page; of the caller's company only
(another company's customer, document or invoice is a 404 that shows none of its data), with
hostile text escaped and Spanish formatting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from hashlib import sha256
from pathlib import Path

from fastapi.testclient import TestClient
from playwright.sync_api import Browser
from sqlalchemy import select

from cobro.auth.service import find_user
from cobro.company.models import Company
from cobro.customer.models import Contact, Customer
from cobro.cycle.service import run_cycle
from cobro.kit.dates import today_in, utcnow
from cobro.note.service import add_note
from cobro.outbox.models import Action, Document
from tests.factories.ledger import make_invoice
from tests.web.access import Tenant, World, browser_sign_in, build_world, sign_in, speak

HOSTILE = "<script>alert('x')</script> \"Ñandú\" & Co"
EML = b"Subject: Recordatorio\r\nTo: pagos@example.com\r\n\r\nPor favor, pague F-1.\r\n"
PDF = b"%PDF-1.4\n% a letter\n%%EOF\n"


def chase(world: World, tenant: Tenant, error: str | None = None) -> tuple[str, dict[str, int]]:
    """`tenant`'s first customer owes 1.234,56 € 20 days overdue (number prefixed by the
    tenant's code), a cycle ran today, and a sent email and a letter with documents; returns
    the invoice number and the documents' ids by name."""
    with world.session() as session:
        company = session.get_one(Company, tenant.id)
        today = today_in(company.timezone)
        customer = session.scalars(
            select(Customer).where(Customer.company_id == tenant.id).order_by(Customer.id)
        ).first()
        assert customer is not None
        customer.contacts.append(Contact(name=HOSTILE, email="pagos@example.com"))
        number = f"F-{tenant.code}"
        due = today - timedelta(days=20)
        make_invoice(session, company, customer, 1234_56, due - timedelta(days=30), due, number)
        run_cycle(session, company, today)
        action = Action(
            company_id=tenant.id,
            customer_id=customer.id,
            policy_id=0,
            stage="manual-stage",
            tone="soft",
            kind="email",
            cycle_on=today - timedelta(days=1),
            status="sent",
            not_before=utcnow(),
            sent_at=utcnow(),
            last_error=error,
        )
        session.add(action)
        session.flush()
        documents = []
        for name, media_type, content in (
            ("message.eml", "message/rfc822", EML),
            ("letter.pdf", "application/pdf", PDF),
        ):
            document = Document(
                action_id=action.id,
                name=name,
                media_type=media_type,
                size=len(content),
                sha256=sha256(content).hexdigest(),
                content=content,
            )
            session.add(document)
            documents.append(document)
        session.flush()
        return number, {d.name: d.id for d in documents}


def test_the_customer_360_shows_items_stage_timeline_and_documents(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url, customer_names=(HOSTILE,))
    number, documents = chase(world, world.a, error="550 <b>no</b> mailbox")
    chase(world, world.b)
    [external_id] = world.a.customers
    with world.session() as session:
        author = find_user(session, world.a.users["collector"])
        assert author is not None
        written = datetime(2026, 3, 2, 8, 15, tzinfo=UTC)
        add_note(session, world.a.id, external_id, author.id, "rang twice", written)
    assert sign_in(client, world.a.users["collector"]).status_code == 303

    listing = client.get("/customers", params={"q": external_id[:4]})
    assert listing.status_code == 200
    assert f'href="/customers/{external_id}"' in listing.text
    assert HOSTILE not in listing.text
    assert "&lt;script&gt;" in listing.text
    for name in world.b.customers.values():
        assert name not in listing.text

    page = client.get(f"/customers/{external_id}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.text
    assert number in html
    assert "€1,234.56" in html
    assert 'class="stage"' in html
    assert "manual-stage" in html
    assert "message.eml" in html
    assert "letter.pdf" in html
    assert sha256(EML).hexdigest() in html
    assert f"/customers/{external_id}/documents/{documents['message.eml']}" in html
    assert HOSTILE not in html
    assert "<b>no</b>" not in html
    assert "550 &lt;b&gt;no&lt;/b&gt; mailbox" in html
    assert "<script>alert" not in html
    assert "2026-03-02 09:15 CET" in html  # the note, on the company's clock (Madrid)

    speak(client, "es")
    spanish = client.get(f"/customers/{external_id}")
    assert "1.234,56\xa0€" in spanish.text
    assert "Partidas abiertas" in spanish.text
    assert "Cronología" in spanish.text

    eml = client.get(f"/customers/{external_id}/documents/{documents['message.eml']}")
    assert eml.status_code == 200
    assert eml.headers["content-type"] == "text/plain; charset=utf-8"
    assert eml.content == EML
    pdf = client.get(f"/customers/{external_id}/documents/{documents['letter.pdf']}")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == 'attachment; filename="letter.pdf"'
    assert pdf.content == PDF

    invoice = client.get(f"/invoices/{number}", headers={"Accept-Language": "es"})
    assert invoice.status_code == 200
    assert "1.234,56\xa0€" in invoice.text
    assert "Etapas de reclamación" in invoice.text
    assert 'class="step"' in invoice.text  # the cycle's step


def test_another_companys_customer_document_and_invoice_are_404(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    chase(world, world.a)
    number_b, documents_b = chase(world, world.b)
    [external_b] = world.b.customers
    [external_a] = world.a.customers
    [secret] = world.b.customers.values()
    assert sign_in(client, world.a.users["viewer"]).status_code == 303
    for path in (
        f"/customers/{external_b}",
        f"/customers/{external_b}/documents/{documents_b['message.eml']}",
        f"/customers/{external_a}/documents/{documents_b['message.eml']}",
        f"/customers/{external_a}/documents/{documents_b['letter.pdf']}",
        f"/invoices/{number_b}",
    ):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert secret not in answer.text
        assert number_b not in answer.text or path.endswith(number_b)
        assert b"Por favor" not in answer.content
        assert b"%PDF" not in answer.content
    listing = client.get("/customers", params={"q": external_b})
    assert secret not in listing.text


def test_signed_out_is_sent_to_sign_in(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url)
    [external_id] = world.a.customers
    answer = client.get(f"/customers/{external_id}", follow_redirects=False)
    assert answer.status_code in (302, 303, 307)
    assert "/login" in answer.headers["location"]


def test_a_collector_opens_a_customer_and_previews_a_message(
    browser: Browser, live_server: str, web_database_url: str, artifacts: Path
) -> None:
    world = build_world(web_database_url)
    number, _ = chase(world, world.a)
    [external_id] = world.a.customers
    context, page = browser_sign_in(browser, live_server, world.a.users["collector"])
    page.click("nav.nav >> text=Customers")
    page.wait_for_url(f"{live_server}/customers")
    page.fill("#q", external_id)
    page.click("form[role=search] button[type=submit]")
    page.click(f"a.customer-link[href='/customers/{external_id}']")
    page.wait_for_url(f"{live_server}/customers/{external_id}")
    assert number in page.inner_text("#open-items")
    assert "message.eml" in page.inner_text("#timeline")
    page.screenshot(path=artifacts / "customer-360.png", full_page=True)
    page.click("#timeline a.preview >> text=message.eml")
    page.wait_for_url(f"{live_server}/customers/{external_id}/documents/*")
    assert "Por favor, pague F-1." in page.inner_text("body")
    page.screenshot(path=artifacts / "customer-message-preview.png", full_page=True)
    context.close()
