"""The plain emails a running plan sends: a reminder a few days before an installment is due,
and a notice the day after one is late. English and Spanish; another language falls back to
the company's, then English."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from cobro.kit.money import money_text

LANGUAGES = ("en", "es")

TEXTS = {
    "en": {
        "reminder_subject": (
            "{company}: installment {sequence} of your payment plan is due on {day}"
        ),
        "reminder": (
            "Hello {customer},\n\n"
            "this is a reminder that installment {sequence} of your payment plan with "
            "{company}, {amount}, is due on {day}.\n\n"
            "If you have paid it already, thank you: please ignore this message.\n\n{company}"
        ),
        "late_subject": "{company}: installment {sequence} of your payment plan is late",
        "late": (
            "Hello {customer},\n\n"
            "we have not yet received installment {sequence} of your payment plan with "
            "{company}, {left} of {amount}, due on {day}.\n\n"
            "Please pay it by {last_day}. If it is not paid by then the plan ends and the "
            "invoices it covers fall due again in full.\n\n{company}"
        ),
    },
    "es": {
        "reminder_subject": "{company}: el plazo {sequence} de su plan de pagos vence el {day}",
        "reminder": (
            "Estimado/a {customer}:\n\n"
            "le recordamos que el plazo {sequence} de su plan de pagos con {company}, "
            "{amount}, vence el {day}.\n\n"
            "Si ya lo ha pagado, gracias: ignore este mensaje.\n\n{company}"
        ),
        "late_subject": "{company}: el plazo {sequence} de su plan de pagos está pendiente",
        "late": (
            "Estimado/a {customer}:\n\n"
            "aún no hemos recibido el plazo {sequence} de su plan de pagos con {company}, "
            "{left} de {amount}, que vencía el {day}.\n\n"
            "Le rogamos que lo pague antes del {last_day}. Si no, el plan termina y las "
            "facturas que cubre vuelven a ser exigibles en su totalidad.\n\n{company}"
        ),
    },
}


def language(customer_language: str | None, company_language: str | None) -> str:
    for chosen in (customer_language, company_language):
        code = (chosen or "").split("_")[0].split("-")[0].lower()
        if code in LANGUAGES:
            return code
    return "en"


def compose(
    kind: str,
    lang: str,
    *,
    company: str,
    customer: str,
    sequence: int,
    amount: int,
    left: int,
    currency: str,
    day: date,
    last_day: date,
) -> tuple[str, str]:
    """(subject, text) of a "reminder" or a "late" notice in `lang`."""
    texts = TEXTS[lang]
    values = {
        "company": company,
        "customer": customer,
        "sequence": sequence,
        "amount": money_text(amount, currency, lang),
        "left": money_text(left, currency, lang),
        "day": format_date(day, "long", locale=lang),
        "last_day": format_date(last_day, "long", locale=lang),
    }
    return texts[f"{kind}_subject"].format(**values), texts[kind].format(**values)
