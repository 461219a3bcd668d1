"""The validation notice document: the fields of Model Form B-1, in the consumer's language,
with nothing a customer typed turned into markup."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from cobro.channel.base import PostalAddress
from cobro.validation.render import NoticeFacts, address_block, render_notice
from cobro.validation.rules import Itemization

FACTS = NoticeFacts(
    reference="VN-7",
    collector="Acme Collections",
    creditor="Big Bank",
    account="A-123",
    consumer="Jane Doe",
    address=("123 Main St", "Springfield, IL 62701"),
    collector_email="help@acme.test",
    collector_phone=None,
    sent_on=date(2025, 11, 3),
    ends_on=date(2025, 12, 10),
    itemization=Itemization.of("charge_off", date(2025, 6, 30), 2234_56, 75_00, 25_00, 50_00),
    currency="USD",
    language="en_US",
)


def test_the_english_notice_has_every_field_of_the_form() -> None:
    text = render_notice(FACTS).text
    for expected in (
        "Acme Collections is a debt collector. We are trying to collect a debt that you owe to "
        "Big Bank.",
        "Our information shows:",
        "account number A-123",
        "As of June 30, 2025, you owed: $2,234.56",
        "Between June 30, 2025 and today:",
        "You were charged this amount in interest: + $75.00",
        "You were charged this amount in fees: + $25.00",
        "You paid or were credited this amount toward the debt: – $50.00",
        "Total amount of the debt now: $2,284.56",
        "How can you dispute the debt?",
        "Call or write to us by December 10, 2025 to dispute all or part of the debt.",
        "What else can you do?",
        "www.cfpb.gov/debt-collection",
        "How do you want to respond?",
        "[ ] This is not my debt.",
        "[ ] I want you to send me the name and address of the original creditor.",
        "Make your check payable to Acme Collections",
    ):
        assert expected in text, expected


def test_a_spanish_speaker_gets_the_notice_in_spanish() -> None:
    document = render_notice(replace(FACTS, language="es_US"))
    assert document.language == "es"
    assert "¿Cómo puede disputar la deuda?" in document.text
    assert "a más tardar el 10 de diciembre de 2025" in document.text
    assert 'lang="es-US"' in document.html


def test_other_languages_get_english() -> None:
    assert render_notice(replace(FACTS, language="de")).language == "en"


def test_names_are_escaped_in_html_and_kept_in_text() -> None:
    document = render_notice(replace(FACTS, consumer="<b>Jane</b> & Co"))
    assert "&lt;b&gt;Jane&lt;/b&gt; &amp; Co" in document.html
    assert "<b>Jane</b>" not in document.html
    assert "<b>Jane</b> & Co" in document.text


def test_a_us_address_is_written_as_us_mail_wants_it() -> None:
    address = PostalAddress(
        name="Jane Doe", street="Main St", building_number="123", postal_code="62701",
        city="Springfield", region="IL", country="US",
    )  # fmt: skip
    assert address_block(address) == ("123 Main St", "Springfield, IL 62701")
    assert address_block(replace(address, country="PR")) == (
        "123 Main St",
        "Springfield, IL 62701",
        "PR",
    )
    assert address_block(None) == ()
