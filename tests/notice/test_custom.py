"""A company's own templates at render time, and failures as typed errors. No database."""

from __future__ import annotations

import pytest

from cobro.notice.errors import NoticeError
from cobro.notice.render import TemplateKey, render
from tests.notice.samples import notice

SUBJECT = "Recordatorio de {{ company_name }}"
TEXT = "Hola {{ recipient }}, le debemos recordar {{ amount_due }}."


def custom(language: str = "es", **parts: str) -> dict[TemplateKey, str]:
    return {("reminder-1", "email", language, part): source for part, source in parts.items()}


def test_a_custom_template_replaces_the_built_in_part_it_covers() -> None:
    rendered = render(notice(), custom(subject=SUBJECT))
    assert rendered.subject == "Recordatorio de Acme Test S.L."
    assert rendered.text.startswith("Hola, Ana Pérez:")  # the built-in text is kept
    assert rendered.origin == "custom"


def test_a_custom_text_gives_the_html_too_and_keeps_the_opt_out_footer() -> None:
    rendered = render(notice(unsubscribe_url="https://x.example/u"), custom(text=TEXT))
    assert rendered.text.startswith("Hola Ana Pérez, le debemos recordar 1.234,56\u00a0€.")
    assert "Darse de baja de los recordatorios por correo electrónico: https://x.example/u" in (
        rendered.text
    )
    assert rendered.html is not None
    assert "<p>Hola Ana Pérez, le debemos recordar" in rendered.html
    assert 'href="https://x.example/u"' in rendered.html


def test_a_custom_html_is_escaped_and_gets_the_footer_before_its_end() -> None:
    source = "<html><body><p>{{ customer_name }}</p></body></html>"
    rendered = render(notice(customer_name="A & B <x>"), custom(html=source))
    assert rendered.html is not None
    assert "<p>A &amp; B &lt;x&gt;</p>" in rendered.html
    assert rendered.html.index("Darse de baja") < rendered.html.index("</body>")


def test_a_custom_template_that_links_the_opt_out_itself_gets_no_second_footer() -> None:
    source = TEXT + "\nBaja: {{ unsubscribe_url }}"
    rendered = render(notice(unsubscribe_url="https://x.example/u"), custom(text=source))
    assert rendered.text.count("https://x.example/u") == 1


def test_custom_templates_in_another_language_are_not_used_for_this_debtor() -> None:
    rendered = render(notice(language="en"), custom(subject=SUBJECT))
    assert rendered.subject == "Payment reminder: invoice F-2026-0001"


def test_a_language_only_the_company_writes_in_is_used_for_its_debtors() -> None:
    text = "Bonjour {{ recipient }}, {{ amount_due }}. Désinscription : {{ unsubscribe_url }}"
    html = "<p>Bonjour</p><a href='{{ unsubscribe_url }}'>Désinscription</a>"
    french = custom("fr", subject="Rappel", text=text, html=html)
    rendered = render(notice(language="fr-BE", unsubscribe_url="https://x.example/u"), french)
    assert (rendered.language, rendered.subject) == ("fr", "Rappel")
    assert rendered.text.startswith("Bonjour Ana Pérez, 1\u202f234,56\u00a0€.")  # French format


def test_an_email_in_a_language_cobro_cannot_write_needs_its_own_opt_out() -> None:
    with pytest.raises(NoticeError, match="must end with its own opt-out line"):
        render(notice(language="fr"), custom("fr", subject="R", text="Bonjour", html="<p>B</p>"))


def test_regional_custom_templates_borrow_the_built_in_parts_of_their_language() -> None:
    rendered = render(notice(language="en-GB"), custom("en-GB", subject="Cheerio {{ lang }}"))
    assert rendered.subject == "Cheerio en_GB"
    assert rendered.text.startswith("Hello Ana Pérez,")  # the built-in English text


def test_a_custom_language_with_a_part_missing_is_a_typed_error() -> None:
    with pytest.raises(NoticeError, match=r"reminder-1/email/fr: no html template in 'fr'"):
        render(notice(language="fr"), custom("fr", subject="Rappel", text="{{ unsubscribe_url }}"))


def test_a_template_error_is_a_notice_error_naming_stage_channel_and_language() -> None:
    with pytest.raises(NoticeError) as failed:
        render(notice(), custom(text="{{ items[0].nmber }}"))
    message = failed.value.message
    assert message.startswith("notice reminder-1/email/es (custom text):")
    assert "nmber" in message
    assert failed.value.status == 422


@pytest.mark.parametrize(
    "source",
    [
        "{% if %}",  # syntax
        "{{ nothing_here }}",  # undefined
        "{{ 1.5 | money('EUR') }}",  # a float for money
        "{{ 100 | money('EURO') }}",  # not a currency
        "{{ 1 // 0 }}",  # arithmetic
        "{{ items.__class__ }}",  # the sandbox
        "{{ 'x' | date }}",  # not a date
    ],
)
def test_no_template_mistake_escapes_as_anything_but_a_notice_error(source: str) -> None:
    with pytest.raises(NoticeError, match="notice reminder-1/email/es"):
        render(notice(), custom(text=source))


def test_an_unknown_channel_is_a_notice_error() -> None:
    with pytest.raises(NoticeError, match="no templates for channel 'fax'"):
        render(notice(channel="fax"))
