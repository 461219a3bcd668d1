"""Every built-in stage, channel and language renders, for businesses and consumers. No database."""

from __future__ import annotations

import pytest

from cobro.notice.errors import NoticeError
from cobro.notice.render import render
from cobro.notice.variables import totals
from tests.notice.samples import (
    CHANNELS,
    COMPENSATION,
    IBAN,
    INTEREST,
    LANGUAGES,
    STAGES,
    notice,
    several,
)

SHORT = ("sms", "whatsapp")
WITH_HTML = ("email", "letter", "registered_letter")


@pytest.mark.parametrize("kind", ["business", "consumer"])
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(("stage", "tone"), STAGES)
def test_every_built_in_stage_renders_on_every_channel_in_every_language(
    stage: str, tone: str, channel: str, language: str, kind: str
) -> None:
    for items, extra in (
        (None, {}),
        (several(), {"unapplied": {"EUR": 50_00}, "charges": (INTEREST, COMPENSATION)}),
    ):
        context = notice(stage, tone, channel, language, kind, items, **extra)
        rendered = render(context)
        assert rendered.language == language
        assert rendered.subject
        assert "\n" not in rendered.subject
        assert "{{" not in rendered.text
        assert "{%" not in rendered.text
        assert "&amp;" not in rendered.text
        assert "&#" not in rendered.text
        if channel in SHORT:
            assert rendered.html is None
            assert len(rendered.text) <= 320, rendered.text
            assert "\n" not in rendered.text
        else:
            assert rendered.html is not None
            assert "<table" in rendered.html
            for listed in context.items:
                assert listed.number in rendered.text
                assert listed.number in rendered.html
                assert listed.payment_reference in rendered.text
            assert "ES91 2100 0418 4502 0005 1332" in rendered.text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("stage", "tone"), STAGES)
def test_an_sms_with_a_payment_link_fits_in_two_parts(stage: str, tone: str, language: str) -> None:
    link = "https://pay.acme.example/p/7f3a9c2e"
    rendered = render(notice(stage, tone, "sms", language, payment_link=link))
    assert len(rendered.text) <= 320
    assert rendered.text.endswith(link)  # never followed by punctuation a phone would link
    assert "\u00a0" not in rendered.text  # one no-break space would force UCS-2


def test_totals_are_open_amounts_less_unapplied_cash_plus_charges_per_currency() -> None:
    context = notice(items=several(), unapplied={"EUR": 50_00}, charges=(INTEREST, COMPENSATION))
    (eur, usd) = totals(context)
    assert (eur.currency, eur.open, eur.unapplied, eur.charges) == ("EUR", 1_234_56, 50_00, 52_34)
    assert eur.due == 1_234_56 - 50_00 + 52_34
    assert (usd.currency, usd.due) == ("USD", 300_00)


def test_unapplied_cash_never_takes_a_total_below_zero() -> None:
    (eur,) = totals(notice(unapplied={"EUR": 5_000_00, "GBP": 10_00}))
    assert (eur.unapplied, eur.due) == (1_234_56, 0)


def test_a_charge_in_a_currency_without_items_still_gets_a_total() -> None:
    fee = INTEREST.__class__("Fee", 10_00, "USD")
    assert [t.currency for t in totals(notice(charges=(fee,)))] == ["EUR", "USD"]


def test_items_are_listed_by_due_date() -> None:
    text = render(notice(items=several())).text
    positions = [text.index(number) for number in ("F-2026-0001", "F-2026-0002", "F-2026-0003")]
    assert positions == sorted(positions)


def test_the_html_escapes_what_the_ledger_says() -> None:
    context = notice(customer_name="<b>Smith & Sons</b>", contact_name=None, language="en")
    rendered = render(context)
    assert rendered.html is not None
    assert "&lt;b&gt;Smith &amp; Sons&lt;/b&gt;" in rendered.html
    assert "<b>Smith" not in rendered.html
    assert "<b>Smith & Sons</b>" in rendered.text  # the text part says it as it is


def test_a_notice_without_items_is_refused() -> None:
    with pytest.raises(NoticeError, match="at least one item"):
        render(notice(items=()))


def test_the_iban_is_printed_in_groups_of_four() -> None:
    text = render(notice()).text
    assert IBAN not in text
    assert "ES91 2100 0418 4502 0005 1332" in text
