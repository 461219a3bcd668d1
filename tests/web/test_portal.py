"""The debtor portal over HTTP: one customer's items only, in their language, "I've paid" as
an expiring paid_claim hold with an audit event, and every bad link or form refused."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from cobro.audit.models import AuditEvent
from cobro.company.models import Company
from cobro.kit.dates import today_in, utcnow
from cobro.policy.models import Hold
from cobro.portal.links import portal_token
from cobro.web.security import CSRF_COOKIE
from tests.factories.ledger import make_customer, make_invoice, make_payment
from tests.web.access import World, build_world
from tests.web.conftest import SECRET, client_of


@dataclass
class Debtors:
    world: World
    company_id: int
    english: int  # customer ids
    spanish: int
    other: int  # another customer of the same company
    english_numbers: tuple[str, ...]
    spanish_numbers: tuple[str, ...]
    other_numbers: tuple[str, ...]
    foreign_numbers: tuple[str, ...]  # company B's

    def token(self, customer_id: int, days: int = 60, company_id: int | None = None) -> str:
        expires = utcnow() + timedelta(days=days)
        return portal_token(SECRET, company_id or self.company_id, customer_id, expires)


@pytest.fixture(scope="module")
def debtors(web_database_url: str) -> Debtors:
    world = build_world(web_database_url)
    tag = uuid.uuid4().hex[:6]
    with world.session() as session:
        company = session.get(Company, world.a.id)
        foreign = session.get(Company, world.b.id)
        assert company is not None
        assert foreign is not None
        company.iban = "ES9121000418450200051332"
        company.bic = "CAIXESBBXXX"
        english = make_customer(
            session,
            company,
            f"EN-{tag}",
            name='<script>alert(1)</script> & "Co" Ltd',
            language="en",
        )
        spanish = make_customer(
            session, company, f"ES-{tag}", name="Ferretería Núñez", language="es"
        )
        other = make_customer(session, company, f"OT-{tag}", name="Other Customer SL")
        intruder = make_customer(session, foreign, f"FX-{tag}", name="Foreign Customer")
        english_numbers = tuple(
            make_invoice(
                session, company, english, total, due_date=due, number=f"EN{tag}-{n}"
            ).number
            for n, (total, due) in enumerate(
                [(1_234_56, date(2026, 1, 31)), (500_00, date(2026, 2, 28))], start=1
            )
        )
        make_payment(session, company, english, 100_00)  # unapplied cash
        spanish_numbers = (
            make_invoice(session, company, spanish, 1_234_56, number=f"ES{tag}-1").number,
        )
        other_numbers = (make_invoice(session, company, other, 77_00, number=f"OT{tag}-1").number,)
        foreign_numbers = (
            make_invoice(session, foreign, intruder, 88_00, number=f"FX{tag}-1").number,
        )
        ids = (company.id, english.id, spanish.id, other.id)
    return Debtors(world, *ids, english_numbers, spanish_numbers, other_numbers, foreign_numbers)


def paid_form(client_cookies: str, **fields: object) -> dict[str, object]:
    form: dict[str, object] = {
        "csrf_token": client_cookies,
        "reference": "TRF-2026-0042",
        "paid_on": today_in("Europe/Madrid").isoformat(),
    }
    form.update(fields)
    return form


def claims(debtors: Debtors, customer_id: int) -> list[Hold]:
    with debtors.world.session() as session:
        holds = list(session.scalars(select(Hold).where(Hold.customer_id == customer_id)))
        session.expunge_all()
        return holds


def test_page_shows_that_customer_only(app: FastAPI, debtors: Debtors) -> None:
    with client_of(app) as client:
        page = client.get(f"/portal/{debtors.token(debtors.english)}")
    assert page.status_code == 200
    body = page.text
    for number in debtors.english_numbers:
        assert number in body
    for number in debtors.other_numbers + debtors.foreign_numbers + debtors.spanish_numbers:
        assert number not in body
    assert "€1,234.56" in body
    assert "€500.00" in body
    assert "€1,734.56" in body  # open total
    assert "€100.00" in body
    assert "€1,634.56" in body  # net of unapplied cash
    assert "ES9121000418450200051332" in body
    assert "CAIXESBBXXX" in body
    assert re.search(r"<code>RF\d\d", body)  # each invoice's RF reference
    assert "Days overdue" in body


def test_hostile_name_is_escaped(app: FastAPI, debtors: Debtors) -> None:
    with client_of(app) as client:
        body = client.get(f"/portal/{debtors.token(debtors.english)}").text
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Co&#34; Ltd" in body


def test_spanish_for_a_spanish_customer(app: FastAPI, debtors: Debtors) -> None:
    with client_of(app) as client:
        page = client.get(
            f"/portal/{debtors.token(debtors.spanish)}", headers={"Accept-Language": "en"}
        )
    assert page.status_code == 200
    assert page.headers["content-language"] == "es"
    assert '<html lang="es">' in page.text
    assert "Facturas pendientes" in page.text
    assert "Ya he pagado" in page.text
    assert "1.234,56\xa0€" in page.text


@pytest.mark.parametrize("kind", ["tampered", "expired", "malformed", "other company"])
def test_bad_links_are_refused(app: FastAPI, debtors: Debtors, kind: str) -> None:
    good = debtors.token(debtors.english)
    token = {
        "tampered": good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
        "expired": debtors.token(debtors.english, days=-1),
        "malformed": "not-a-token",
        # a validly signed link naming a customer under the wrong company
        "other company": debtors.token(debtors.english, company_id=debtors.world.b.id),
    }[kind]
    with client_of(app) as client:
        page = client.get(f"/portal/{token}")
        client.get(f"/portal/{good}")
        post = client.post(f"/portal/{token}/paid", data=paid_form(client.cookies[CSRF_COOKIE]))
    assert page.status_code == 403
    assert post.status_code == 403
    assert "Link not valid" in page.text
    assert debtors.english_numbers[0] not in page.text + post.text


def test_ive_paid_places_one_expiring_claim_and_audits_it(app: FastAPI, debtors: Debtors) -> None:
    token = debtors.token(debtors.other)
    with client_of(app) as client:
        client.get(f"/portal/{token}")
        answer = client.post(f"/portal/{token}/paid", data=paid_form(client.cookies[CSRF_COOKIE]))
    assert answer.status_code == 200
    assert "Gracias" in answer.text  # the customer (country ES) speaks Spanish
    assert "TRF-2026-0042" in answer.text
    holds = claims(debtors, debtors.other)
    assert len(holds) == 1
    hold = holds[0]
    assert hold.kind == "paid_claim"
    assert hold.invoice_id is None
    assert hold.reference == "TRF-2026-0042"
    assert "TRF-2026-0042" in hold.reason
    assert hold.ends_on is not None
    assert hold.ends_on == hold.starts_on + timedelta(days=10)
    assert hold.created_by == "portal"
    with debtors.world.session() as session:
        events = list(
            session.scalars(
                select(AuditEvent).where(
                    AuditEvent.entity_type == "hold", AuditEvent.entity_id == str(hold.id)
                )
            )
        )
        assert len(events) == 1
        assert events[0].source == "portal"
        assert events[0].company_id == debtors.company_id
        assert events[0].after is not None
        assert events[0].after["kind"] == "paid_claim"


def test_ive_paid_for_chosen_invoices(app: FastAPI, debtors: Debtors) -> None:
    token = debtors.token(debtors.spanish)
    with client_of(app) as client:
        client.get(f"/portal/{token}")
        form = paid_form(client.cookies[CSRF_COOKIE], invoices=[debtors.spanish_numbers[0]])
        answer = client.post(f"/portal/{token}/paid", data=form)
    assert answer.status_code == 200
    assert "Gracias" in answer.text
    holds = claims(debtors, debtors.spanish)
    assert len(holds) == 1
    assert holds[0].invoice_id is not None


def test_ive_paid_without_csrf_is_refused(app: FastAPI, debtors: Debtors) -> None:
    token = debtors.token(debtors.english)
    before = len(claims(debtors, debtors.english))
    with client_of(app) as client:
        client.get(f"/portal/{token}")
        answer = client.post(f"/portal/{token}/paid", data=paid_form(""))
    assert answer.status_code == 403
    assert len(claims(debtors, debtors.english)) == before


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"reference": "  "}, "reference", "Enter the reference of your payment."),
        ({"reference": "x" * 101}, "reference", "too long"),
        ({"paid_on": "31/02/2026"}, "paid_on", "Enter the day you paid"),
        ({"paid_on": ""}, "paid_on", "Enter the day you paid"),
        ({"paid_on": "2999-01-01"}, "paid_on", "cannot be in the future"),
        ({"invoices": ["NOT-HERS"]}, "invoices", "Choose among your open invoices."),
    ],
)
def test_invalid_claims_are_shown_next_to_the_field(
    app: FastAPI, debtors: Debtors, fields: dict[str, object], field: str, message: str
) -> None:
    token = debtors.token(debtors.english)
    before = len(claims(debtors, debtors.english))
    with client_of(app) as client:
        client.get(f"/portal/{token}")
        answer = client.post(
            f"/portal/{token}/paid", data=paid_form(client.cookies[CSRF_COOKIE], **fields)
        )
    assert answer.status_code == 422
    match = re.search(
        rf'<p class="problem" role="alert" id="{field}-error">([^<]*)</p>', answer.text
    )
    assert match is not None
    assert message in match.group(1)
    assert len(claims(debtors, debtors.english)) == before


def test_another_companys_invoice_cannot_be_claimed(app: FastAPI, debtors: Debtors) -> None:
    token = debtors.token(debtors.english)
    with client_of(app) as client:
        client.get(f"/portal/{token}")
        form = paid_form(client.cookies[CSRF_COOKIE], invoices=list(debtors.foreign_numbers))
        answer = client.post(f"/portal/{token}/paid", data=form)
    assert answer.status_code == 422
    assert debtors.foreign_numbers[0] not in answer.text


def test_debtor_says_paid_in_a_browser(
    browser: Browser, live_server: str, debtors: Debtors, artifacts: Path
) -> None:
    """The debtor's path: open the link from a message, see the SEPA QR code, download an
    invoice, look at the contact preferences, say "I've paid", see the thanks page."""
    context = browser.new_context(locale="es-ES", accept_downloads=True)
    page = context.new_page()
    number = debtors.spanish_numbers[0]
    try:
        home = f"{live_server}/portal/{debtors.token(debtors.spanish)}"
        page.goto(home)
        expect(page.locator("#customer-name")).to_have_text("Ferretería Núñez")
        expect(page.locator("#items")).to_contain_text(number)
        qr = page.locator(".qr img").first
        expect(qr).to_be_visible()
        assert qr.evaluate("image => image.complete && image.naturalWidth > 0")
        page.screenshot(path=str(artifacts / "portal-home.png"), full_page=True)

        with page.expect_download() as download_info:
            page.locator("#items a.download").first.click()
        download = download_info.value
        assert download.suggested_filename == f"invoice-{number}.pdf"
        saved = artifacts / "portal-invoice.pdf"
        download.save_as(saved)
        assert saved.read_bytes().startswith(b"%PDF")

        page.get_by_role("link", name="Elija su idioma y cómo contactarle").click()
        expect(page.locator("#preferences h1")).to_have_text("Preferencias de contacto")
        page.get_by_role("button", name="Guardar preferencias").click()
        expect(page.locator("#saved")).to_have_text("Sus preferencias se han guardado.")
        page.screenshot(path=str(artifacts / "portal-preferences.png"), full_page=True)
        page.get_by_role("link", name="Volver a su cuenta").click()

        page.fill("#reference", "")
        page.get_by_role("button", name="Ya he pagado").click()
        expect(page.locator("#reference-error")).to_be_visible()
        page.fill("#reference", "TRANSF-991")
        page.get_by_role("button", name="Ya he pagado").click()
        expect(page.locator("#thanks")).to_contain_text("TRANSF-991")
        page.screenshot(path=str(artifacts / "portal-paid.png"), full_page=True)
    finally:
        context.close()


def test_the_portal_fits_a_phone(
    browser: Browser, live_server: str, debtors: Debtors, artifacts: Path
) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/portal/{debtors.token(debtors.english)}")
        expect(page.locator("#items")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375
        page.screenshot(path=str(artifacts / "portal-phone.png"), full_page=True)
    finally:
        context.close()
