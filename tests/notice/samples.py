"""Notice contexts for tests: a Spanish company writing to a business or a consumer."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from cobro.channel.base import PostalAddress
from cobro.notice.context import Charge, NoticeContext, NoticeItem
from cobro.policy.defaults import default_policy

ON = date(2026, 3, 5)
IBAN = "ES9121000418450200051332"
STAGES = tuple((stage.code, stage.tone.value) for stage in default_policy().stages)
CHANNELS = ("email", "sms", "whatsapp", "letter", "registered_letter")
LANGUAGES = ("en", "es")
INTEREST = Charge("Statutory interest", 12_34, "EUR", "8.15% a year from each due date")
COMPENSATION = Charge("Fixed compensation for recovery costs", 40_00, "EUR")


def item(
    number: str = "F-2026-0001",
    due: date = date(2026, 1, 31),
    open_amount: int = 1_234_56,
    total: int | None = None,
    currency: str = "EUR",
    reference: str | None = None,
) -> NoticeItem:
    return NoticeItem(
        number=number,
        issue_date=date(2026, 1, 1),
        due_date=due,
        days_late=(ON - due).days,
        total=total or open_amount,
        open_amount=open_amount,
        currency=currency,
        stage="reminder-1",
        payment_reference="RF" + "18" + number.replace("-", ""),
        reference=reference,
    )


def notice(
    stage: str = "reminder-1",
    tone: str = "friendly",
    channel: str = "email",
    language: str = "es",
    kind: str = "business",
    items: tuple[NoticeItem, ...] | None = None,
    **fields: object,
) -> NoticeContext:
    context = NoticeContext(
        company_name="Acme Test S.L.",
        company_country="ES",
        company_language="es",
        customer_name="Ferretería López S.L." if kind == "business" else "Lucía Martín",
        customer_ref="C-1",
        customer_kind=kind,
        language=language,
        stage=stage,
        tone=tone,
        channel=channel,
        on=ON,
        items=(item(),) if items is None else items,
        contact_name="Ana Pérez" if kind == "business" else None,
        address=PostalAddress(
            "Ferretería López S.L.", "Calle Mayor", "5", "28013", "Madrid", country="ES"
        ),
        company_email="cobros@acme.example",
        company_phone="+34 910 000 000",
        company_iban=IBAN,
        company_bic="CAIXESBBXXX",
    )
    return replace(context, **fields)  # type: ignore[arg-type]


def several() -> tuple[NoticeItem, ...]:
    """Three items in two currencies, listed out of due-date order, one partly paid."""
    return (
        item("F-2026-0003", date(2026, 2, 10), 300_00, currency="USD"),
        item("F-2026-0001", date(2026, 1, 15), 1_000_00, total=1_500_00, reference="PO-77"),
        item("F-2026-0002", date(2026, 1, 31), 234_56),
    )
