"""What the built-in notices say: language, tone, amounts, references, footers. No database."""

from __future__ import annotations

import pytest

from cobro.notice.render import render
from tests.notice.samples import COMPENSATION, INTEREST, item, notice, several

NBSP = "\u00a0"


def test_the_spanish_friendly_reminder_is_in_spanish_with_amount_reference_and_iban() -> None:
    rendered = render(notice("reminder-1", "friendly", language="es"))
    assert rendered.language == "es"
    assert rendered.subject == "Recordatorio de pago: factura F-2026-0001"
    text = rendered.text
    assert text.startswith("Hola, Ana Pérez:")
    assert "aún no hemos recibido su pago" in text
    assert f"1.234,56{NBSP}€" in text  # Babel's Spanish format, from integer minor units
    assert "venció el 31 de enero de 2026" in text
    assert "RF18F20260001" in text
    assert "IBAN ES91 2100 0418 4502 0005 1332 (BIC CAIXESBBXXX)" in text
    assert "Un cordial saludo," in text
    assert "Departamento de Cobros\nAcme Test S.L." in text


def test_the_english_friendly_reminder_is_in_english() -> None:
    rendered = render(notice("reminder-1", "friendly", language="en"))
    assert rendered.subject == "Payment reminder: invoice F-2026-0001"
    assert rendered.text.startswith("Hello Ana Pérez,")
    assert "€1,234.56" in rendered.text
    assert "Kind regards," in rendered.text


@pytest.mark.parametrize(
    ("stage", "tone", "english", "spanish"),
    [
        ("preventive", "friendly", "Upcoming payment", "Próximo vencimiento"),
        ("due", "friendly", "Payment due today", "Vence hoy"),
        ("reminder-1", "friendly", "Payment reminder", "Recordatorio de pago"),
        ("reminder-2", "friendly", "Second reminder", "Segundo recordatorio"),
        ("firm", "firm", "please pay by March 12, 2026", "plazo de pago hasta el 12 de marzo"),
        ("demand", "formal", "Formal demand for payment", "Requerimiento formal de pago"),
        ("final", "final", "Final notice before legal action", "Último aviso antes de acciones"),
        ("escalation", "final", "referral for legal action", "departamento jurídico"),
    ],
)
def test_each_stage_has_its_own_subject(stage: str, tone: str, english: str, spanish: str) -> None:
    assert english in render(notice(stage, tone, language="en")).subject
    assert spanish in render(notice(stage, tone, language="es")).subject


def test_a_stage_without_words_of_its_own_speaks_in_its_tone() -> None:
    assert render(notice("nudge-3", "friendly")).origin == "built-in es/friendly.j2"
    assert render(notice("lawyer-letter", "formal")).subject.startswith("Requerimiento formal")


def test_a_stage_and_tone_without_words_get_the_default_wording() -> None:
    rendered = render(notice("custom-step", "gentle", language="en"))
    assert rendered.origin == "built-in en/default.j2"
    assert rendered.subject == "Your account with Acme Test S.L.: €1,234.56 outstanding"


def test_early_stages_are_personal_and_later_ones_formal() -> None:
    assert render(notice("due", "friendly", language="en")).text.startswith("Hello Ana Pérez,")
    assert render(notice("firm", "firm", language="en")).text.startswith("Dear Ana Pérez,")
    formal = render(notice("demand", "formal", language="es", contact_name=None)).text
    assert formal.startswith("Muy señores nuestros:")
    assert "Atentamente," in formal


def test_the_demand_to_a_business_cites_statutory_interest_and_the_fixed_compensation() -> None:
    text = render(notice("demand", "formal", "letter", "es")).text
    assert "Por medio de la presente le requerimos formalmente" in text
    assert "Ley 3/2004, de 29 de diciembre" in text
    assert "interés de demora" in text
    assert "40 euros por factura en concepto de costes de cobro" in text
    english = render(notice("demand", "formal", "letter", "en")).text
    assert "statutory interest for late payment" in english
    assert "fixed compensation for recovery costs of €40" in english


def test_the_demand_to_a_consumer_speaks_of_interest_but_not_of_the_business_compensation() -> None:
    text = render(notice("demand", "formal", "letter", "es", kind="consumer")).text
    assert "\nEstimado/a Lucía Martín:\n" in text
    assert "intereses de demora conforme a la ley y a su contrato" in text
    assert "Ley 3/2004" not in text
    assert "40 euros" not in text


def test_the_demand_lists_the_charges_claimed_and_adds_them_to_the_total() -> None:
    context = notice("demand", "formal", "letter", "en", charges=(INTEREST, COMPENSATION))
    rendered = render(context)
    assert "The interest and fees claimed to date are set out below" in rendered.text
    assert "- Statutory interest (8.15% a year from each due date): €12.34" in rendered.text
    assert "- Fixed compensation for recovery costs: €40.00" in rendered.text
    assert "Amount due: €1,286.90" in rendered.text
    assert rendered.html is not None
    assert "Fixed compensation for recovery costs" in rendered.html


def test_the_final_notice_is_the_last_chance_before_legal_action() -> None:
    text = render(notice("final", "final", "registered_letter", "en")).text
    assert "This is our final notice" in text
    assert "by March 12, 2026" in text
    assert "refer the matter to our lawyers" in text
    assert "Registered letter with acknowledgement of receipt" in text
    spanish = render(notice("final", "final", "registered_letter", "es"))
    assert "Este es nuestro último aviso" in spanish.text
    assert spanish.html is not None
    assert "Carta certificada con acuse de recibo" in spanish.html


def test_the_escalation_says_the_matter_is_with_the_legal_department() -> None:
    text = render(notice("escalation", "final", "letter", "es")).text
    assert "hemos trasladado el asunto a nuestro departamento jurídico" in text
    assert "agencia de recobro" in text
    english = render(notice("escalation", "final", "letter", "en")).text
    assert "referred the matter to our legal department" in english


def test_several_items_in_two_currencies_are_listed_with_one_total_each() -> None:
    text = render(notice(items=several(), language="en", unapplied={"EUR": 50_00})).text
    assert (
        "Payment reminder: 3 overdue invoices"
        in render(notice(items=several(), language="en")).subject
    )
    assert "€1,000.00 outstanding of €1,500.00" in text
    assert "(your ref. PO-77)" in text
    assert "Amount due (EUR): €1,184.56" in text
    assert "Amount due (USD): $300.00" in text
    assert "Payments received, not yet applied: -€50.00" in text
    assert "We have deducted €50.00 that you have paid" in text
    assert "quoting the payment reference of each invoice" in text
    assert "€1,184.56 and $300.00" in text  # the amount due in words


def test_the_email_ends_with_an_opt_out_footer_in_the_debtors_language() -> None:
    url = "https://portal.acme.example/unsubscribe/abc"
    rendered = render(notice(language="es", unsubscribe_url=url))
    assert rendered.text.rstrip().endswith("podremos seguir escribiéndole por correo postal.")
    assert f"Darse de baja de los recordatorios por correo electrónico: {url}" in rendered.text
    assert "\n-- \n" in rendered.text  # the signature separator keeps its space
    assert rendered.html is not None
    assert f'<a href="{url}"' in rendered.html
    english = render(notice(language="en")).text
    assert "If you would rather not receive reminders by email, reply" in english


def test_letters_have_no_email_footer_and_put_the_address_in_the_window() -> None:
    rendered = render(notice("demand", "formal", "letter", "es"))
    assert "Darse de baja" not in rendered.text
    assert rendered.html is not None
    assert 'class="window"' in rendered.html
    assert "Calle Mayor, 5<br>" in rendered.html
    assert "28013 Madrid<br>" in rendered.html
    assert "A/A Ana Pérez" in rendered.html
    assert "5 de marzo de 2026" in rendered.html
    assert "size: A4" in rendered.html


def test_a_payment_link_is_a_button_in_the_email() -> None:
    link = "https://pay.acme.example/p/abc"
    rendered = render(notice(language="en", payment_link=link))
    assert f"You can also pay securely online: {link}" in rendered.text
    assert rendered.html is not None
    assert f'<a href="{link}"' in rendered.html
    assert "Pay now" in rendered.html


def test_a_partly_paid_item_shows_what_is_left() -> None:
    context = notice(items=(item(open_amount=200_00, total=1_200_00),))
    assert f"200,00{NBSP}€ pendientes de 1.200,00{NBSP}€" in render(context).text


def test_a_customer_in_a_language_without_templates_gets_the_company_language() -> None:
    rendered = render(notice(language="fr", company_language="es"))
    assert rendered.language == "es"
    assert rendered.subject.startswith("Recordatorio de pago")
    company_in_english = render(notice(language="de", company_language="en"))
    assert company_in_english.language == "en"


def test_a_regional_language_falls_back_to_its_primary_language_and_keeps_its_formats() -> None:
    rendered = render(notice(language="en-GB"))
    assert rendered.language == "en"
    assert "due on 31 January 2026" in rendered.text  # British date order
    mexican = render(notice(language="es_MX", items=(item(currency="MXN"),)))
    assert mexican.language == "es"
    assert "$1,234.56" in mexican.text  # Mexican Spanish writes pesos its own way


def test_english_is_the_last_resort() -> None:
    assert render(notice(language="fr", company_language="de")).language == "en"
