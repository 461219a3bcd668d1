"""Saving templates and building a notice's context, against the real migrated database."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.channel.base import PostalAddress
from cobro.customer.rules import ContactIn
from cobro.notice.errors import NoticeError
from cobro.notice.models import Template
from cobro.notice.render import render
from cobro.notice.service import (
    context_for,
    custom_templates,
    languages_needed,
    save_templates,
)
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment

BOTH = ("en", "es")
SOURCES = {
    ("en", "subject"): "Reminder from {{ company_name }}",
    ("en", "text"): "Hello {{ recipient }}, {{ amount_due }} please.",
    ("es", "subject"): "Recordatorio de {{ company_name }}",
    ("es", "text"): "Hola {{ recipient }}, {{ amount_due }}, por favor.",
}


def rows(session: Session) -> int:
    return session.scalar(select(func.count(Template.id))) or 0


def test_saved_templates_are_what_render_uses(session: Session) -> None:
    company = make_company(session)
    saved = save_templates(session, company, "reminder-1", "email", SOURCES, BOTH)
    assert {(t.language, t.part) for t in saved} == set(SOURCES)
    custom = custom_templates(session, company.id)
    assert custom[("reminder-1", "email", "es", "text")] == SOURCES[("es", "text")]
    customer = make_customer(session, company, "C-1", name="Ferretería López S.L.")
    invoice = make_invoice(session, company, customer, 1_234_56)
    context = context_for(
        session, company, customer, [(invoice, "reminder-1")], "reminder-1", "friendly",
        "email", date(2026, 3, 5),
    )  # fmt: skip
    rendered = render(context, custom)
    assert rendered.subject == "Recordatorio de Acme Test S.L."
    assert rendered.text.startswith("Hola Ferretería López S.L., 1.234,56\u00a0€, por favor.")


def test_one_bad_template_and_nothing_is_saved(session: Session) -> None:
    company = make_company(session)
    broken = {**SOURCES, ("es", "text"): "Hola {{ custmer_name }}"}
    with pytest.raises(NoticeError, match=r"reminder-1/es: .*unknown variable 'custmer_name'"):
        save_templates(session, company, "reminder-1", "email", broken, BOTH)
    assert rows(session) == 0


def test_a_missing_translation_and_nothing_is_saved(session: Session) -> None:
    company = make_company(session)
    english = {key: source for key, source in SOURCES.items() if key[0] == "en"}
    with pytest.raises(NoticeError, match="missing translation into es"):
        save_templates(session, company, "reminder-1", "email", english, BOTH)
    assert rows(session) == 0


def test_saving_again_replaces_the_source_in_place(session: Session) -> None:
    company = make_company(session)
    first = save_templates(session, company, "reminder-1", "email", SOURCES, BOTH)
    ids = {(t.language, t.part): t.id for t in first}
    # one language alone is enough now that the other is saved
    again = save_templates(
        session, company, "reminder-1", "email", {("es", "text"): "Hola de nuevo"}, BOTH
    )
    assert [(t.id, t.source) for t in again] == [(ids[("es", "text")], "Hola de nuevo")]
    assert rows(session) == 4
    assert (
        custom_templates(session, company.id)[("reminder-1", "email", "en", "text")]
        == (SOURCES[("en", "text")])
    )


def test_a_new_part_must_come_in_every_language(session: Session) -> None:
    company = make_company(session)
    save_templates(session, company, "reminder-1", "email", SOURCES, BOTH)
    with pytest.raises(NoticeError, match="missing translation of the html into es"):
        save_templates(session, company, "reminder-1", "email", {("en", "html"): "<p>Hi</p>"}, BOTH)
    assert rows(session) == 4


def test_languages_are_stored_as_babel_writes_them(session: Session) -> None:
    company = make_company(session)
    saved = save_templates(
        session, company, "firm", "sms", {("en-gb", "text"): "Pay {{ amount_due }}"}, ["en-GB"]
    )
    assert saved[0].language == "en_GB"
    with pytest.raises(NoticeError, match="unknown language 'xx-zz'"):
        save_templates(session, company, "firm", "sms", {("xx-zz", "text"): "Hi"}, ["en"])


def test_templates_belong_to_their_company(session: Session) -> None:
    mine, theirs = make_company(session), make_company(session)
    save_templates(session, mine, "due", "sms", {("es", "text"): "Hoy vence"}, ["es"])
    assert custom_templates(session, theirs.id) == {}


def test_the_context_comes_from_the_ledger(session: Session) -> None:
    company = make_company(session)
    company.language, company.email, company.phone = "es", "cobros@acme.example", "+34 910 000 000"
    company.iban, company.bic = "ES9121000418450200051332", "CAIXESBBXXX"
    contact = ContactIn(
        name="Ana Pérez", email="ana@lopez.example", street="Calle Mayor", building_number="5",
        postal_code="28013", city="Madrid",
    )  # fmt: skip
    customer = make_customer(
        session, company, "C-7", name="Ferretería López S.L.", contact=contact, collector="Laura"
    )
    late = make_invoice(session, company, customer, 500_00, due_date=date(2026, 1, 31))
    late.purchase_order = "PO-77"
    soon = make_invoice(session, company, customer, 200_00, date(2026, 2, 1), date(2026, 3, 10))
    make_payment(session, company, customer, 80_00, received_on=date(2026, 3, 1))
    make_payment(session, company, customer, 1_00, received_on=date(2026, 3, 9))  # not yet
    context = context_for(
        session, company, customer, [(late, "firm"), (soon, "preventive")], "firm", "firm",
        "letter", date(2026, 3, 5), payment_link="https://pay.example/x",
    )  # fmt: skip
    assert (context.company_name, context.company_language) == ("Acme Test S.L.", "es")
    assert (context.company_iban, context.company_bic) == (company.iban, "CAIXESBBXXX")
    assert (context.customer_name, context.customer_ref, context.customer_kind) == (
        "Ferretería López S.L.", "C-7", "business",
    )  # fmt: skip
    assert (context.language, context.contact_name, context.collector) == (
        "es",
        "Ana Pérez",
        "Laura",
    )
    assert context.address == PostalAddress(
        "Ferretería López S.L.", "Calle Mayor", "5", "28013", "Madrid", country="ES"
    )
    first, second = context.items
    assert (first.number, first.days_late, first.stage, first.reference) == (
        late.number, 33, "firm", "PO-77",
    )  # fmt: skip
    assert first.payment_reference == late.payment_reference
    assert (second.days_late, second.open_amount, second.currency) == (-5, 200_00, "EUR")
    assert context.unapplied == {"EUR": 80_00}
    assert context.payment_link == "https://pay.example/x"
    rendered = render(context)
    assert "Calle Mayor, 5" in (rendered.html or "")
    assert "Importe a pagar: 620,00\u00a0€" in rendered.text


def test_the_company_language_falls_back_to_its_country(session: Session) -> None:
    spanish, american = make_company(session), make_company(session, country="US", currency="USD")
    for company, expected in ((spanish, "es"), (american, "en")):
        customer = make_customer(session, company)
        invoice = make_invoice(session, company, customer)
        context = context_for(
            session, company, customer, [(invoice, "due")], "due", "friendly", "email",
            date(2026, 1, 31), unapplied={},
        )  # fmt: skip
        assert context.company_language == expected
        assert context.address is None  # no postal address on file


def test_languages_needed_are_the_company_s_and_its_customers_with_built_in_wording(
    session: Session,
) -> None:
    company = make_company(session)
    make_customer(session, company, country="GB")
    make_customer(session, company, language="en-US", country="US")
    make_customer(session, company, country="FR")  # gets the company's Spanish
    assert languages_needed(session, company) == {"es", "en"}


def test_a_part_in_dispute_is_shown_and_not_asked_for(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company, language="en")
    invoice = make_invoice(session, company, customer, 500_00, due_date=date(2026, 1, 31))
    other = make_invoice(session, company, customer, 100_00, due_date=date(2026, 1, 31))
    context = context_for(
        session, company, customer, [(invoice, "firm"), (other, "firm")], "firm", "firm",
        "email", date(2026, 3, 5), unapplied={}, held={invoice.id: 120_00},
    )  # fmt: skip
    first, second = context.items
    assert (first.open_amount, first.disputed, first.total) == (380_00, 120_00, 500_00)
    assert (second.open_amount, second.disputed) == (100_00, 0)
    rendered = render(context)
    assert "€120.00 in dispute, not claimed" in rendered.text
    assert "Amount due: €480.00" in rendered.text
    assert "in dispute, not claimed" in (rendered.html or "")
