"""Every message carries the debtor's portal link when it has one: emails (text and HTML, in
the footer, built-in or a company's own template), letters (printed in full), SMS and
WhatsApp; without one, the message is as before."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cobro.notice.render import render
from tests.notice.samples import CHANNELS, LANGUAGES, notice

PORTAL = "https://cobro.example/portal/eyJhIjoxfQ.sig-nature"
INTRO = {
    "en": "See your account, download your invoices, tell us you have paid",
    "es": "Consulte su cuenta, descargue sus facturas, indíquenos que ya ha pagado",
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("channel", CHANNELS)
def test_the_link_is_in_every_message(channel: str, language: str) -> None:
    rendered = render(notice(channel=channel, language=language, portal_url=PORTAL))
    assert PORTAL in rendered.text
    if rendered.html is not None:
        assert PORTAL in rendered.html
    if channel not in ("sms", "whatsapp"):
        assert INTRO[language] in rendered.text


@pytest.mark.parametrize("channel", CHANNELS)
def test_without_a_link_nothing_is_said_about_it(channel: str) -> None:
    rendered = render(notice(channel=channel, language="en"))
    assert "/portal/" not in rendered.text
    assert INTRO["en"] not in rendered.text


def test_the_email_html_links_it() -> None:
    rendered = render(notice(channel="email", language="es", portal_url=PORTAL))
    assert rendered.html is not None
    assert f'<a href="{PORTAL}"' in rendered.html
    assert "Abrir su cuenta" in rendered.html


def test_a_company_email_template_without_opt_out_gets_the_footer_with_the_link() -> None:
    context = notice(channel="email", language="en", portal_url=PORTAL)
    custom = {(context.stage, "email", "en", "text"): "Hello {{ customer_name }}, please pay."}
    rendered = render(context, custom)
    assert rendered.text.startswith("Hello")
    assert PORTAL in rendered.text


def test_the_link_is_escaped_in_html() -> None:
    hostile = replace(notice(channel="email", language="en"), portal_url='https://x/"><b>')
    rendered = render(hostile)
    assert rendered.html is not None
    assert '"><b>' not in rendered.html
