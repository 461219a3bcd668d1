"""Notice use cases: save a company's own templates, load them for rendering, and build the
context of a notice from ledger rows. Services add and flush; the caller commits."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.channel.base import PostalAddress
from cobro.company.models import Company
from cobro.customer.models import Contact, Customer
from cobro.errors import Invalid
from cobro.invoice.models import Invoice
from cobro.invoice.rules import days_past_due
from cobro.kit.codes import COUNTRY_DEFAULTS, check_language
from cobro.kit.dates import utcnow
from cobro.notice.checks import check_opt_out, check_template, check_translations
from cobro.notice.context import Charge, NoticeContext, NoticeItem
from cobro.notice.environment import FALLBACK_LANGUAGE, builtin_languages
from cobro.notice.errors import NoticeError
from cobro.notice.models import Template
from cobro.notice.render import TemplateKey
from cobro.payment.repository import unapplied_cash as by_customer

_STAGE_LENGTH = 40  # Template.stage


def save_templates(
    session: Session,
    company: Company,
    stage: str,
    channel: str,
    sources: Mapping[tuple[str, str], str],
    languages_needed: Iterable[str],
) -> list[Template]:
    """Create or replace the company's templates for one stage and channel.

    `sources` maps (language, part) to the template's text. Every template is checked, and the
    stage and channel must be translated into each of `languages_needed` once saved, before
    anything is written: one refusal and nothing changes.
    """
    stage = stage.strip()
    if not stage or len(stage) > _STAGE_LENGTH:
        raise NoticeError(f"stage code {stage!r}: 1 to {_STAGE_LENGTH} characters", field="stage")
    clean: dict[tuple[str, str], str] = {}
    for (language, part), source in sources.items():
        clean[(_language(language), part)] = source
    for (language, part), source in sorted(clean.items()):
        try:
            check_template(source, part, channel)
            check_opt_out(source, part, channel, language)
        except NoticeError as exc:
            raise NoticeError(f"{stage}/{language}: {exc.message}", field=exc.field) from None
    existing = {
        (row.language, row.part): row
        for row in session.scalars(
            select(Template).where(
                Template.company_id == company.id,
                Template.stage == stage,
                Template.channel == channel,
            )
        )
    }
    needed = [_language(tag) for tag in languages_needed]
    check_translations(stage, channel, set(existing) | set(clean), needed)
    saved = []
    for (language, part), source in sorted(clean.items()):
        row = existing.get((language, part))
        if row is None:
            row = Template(
                company_id=company.id, stage=stage, channel=channel, language=language, part=part
            )
            session.add(row)
        if row.source != source:
            row.source = source
            row.updated_at = utcnow()
        saved.append(row)
    session.flush()
    return saved


def custom_templates(session: Session, company_id: int) -> dict[TemplateKey, str]:
    """The company's own templates, keyed (stage, channel, language, part), for `render`."""
    rows = session.execute(
        select(
            Template.stage, Template.channel, Template.language, Template.part, Template.source
        ).where(Template.company_id == company_id)
    )
    return {(stage, channel, lang, part): source for stage, channel, lang, part, source in rows}


def company_language(company: Company) -> str:
    """The company's own language, else its country's, else English."""
    fallback = COUNTRY_DEFAULTS.get(company.country, (FALLBACK_LANGUAGE,))[0]
    return company.language or fallback


def languages_needed(session: Session, company: Company) -> frozenset[str]:
    """The languages a company's templates must be written in: its own, and every language of
    its customers that Cobro has built-in wording for (those customers would otherwise get the
    built-in words instead of the company's). Other customers get the company's language."""
    tags = session.scalars(
        select(Customer.language).where(Customer.company_id == company.id).distinct()
    )
    primaries = {tag.replace("-", "_").split("_")[0].lower() for tag in tags if tag}
    return frozenset({_language(company_language(company))} | (primaries & builtin_languages()))


def context_for(
    session: Session,
    company: Company,
    customer: Customer,
    items: Sequence[tuple[Invoice, str]],
    stage: str,
    tone: str,
    channel: str,
    on: date,
    unapplied: Mapping[str, int] | None = None,
    payment_link: str | None = None,
    unsubscribe_url: str | None = None,
    charges: Sequence[Charge] = (),
    portal_url: str | None = None,
    held: Mapping[int, int] | None = None,
) -> NoticeContext:
    """What a notice to `customer` about `items` (each invoice with the stage it is at) says.

    `unapplied` is the customer's cash not yet applied, per currency; None reads it from the
    customer's payments received by `on`, and an empty mapping leaves it out. `held`: the part
    of an invoice in dispute, by invoice id, which the notice shows but does not ask for.
    """
    held = held or {}
    contact = _billing_contact(customer)
    return NoticeContext(
        company_name=company.name,
        company_country=company.country,
        company_language=company_language(company),
        customer_name=customer.name,
        customer_ref=customer.external_id,
        customer_kind=customer.kind,
        language=customer.language,
        stage=stage,
        tone=str(tone),
        channel=str(channel),
        on=on,
        items=tuple(
            _item(invoice, item_stage, on, held.get(invoice.id, 0)) for invoice, item_stage in items
        ),
        contact_name=contact.name if contact is not None else None,
        address=postal_address(customer),
        company_email=company.email,
        company_phone=company.phone,
        company_iban=company.iban,
        company_bic=company.bic,
        collector=customer.collector,
        unapplied=dict(
            unapplied_cash(session, customer.id, on) if unapplied is None else unapplied
        ),
        charges=tuple(charges),
        payment_link=payment_link,
        unsubscribe_url=unsubscribe_url,
        portal_url=portal_url,
    )


def unapplied_cash(session: Session, customer_id: int, on: date) -> dict[str, int]:
    """Cash received from the customer by `on` and not applied to any invoice, per currency."""
    return by_customer(session, on, customer_ids=[customer_id]).get(customer_id, {})


def _item(invoice: Invoice, stage: str, on: date, held: int = 0) -> NoticeItem:
    disputed = min(held, invoice.open_amount)
    return NoticeItem(
        number=invoice.number,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        days_late=days_past_due(invoice.due_date, on),
        total=invoice.total,
        open_amount=invoice.open_amount - disputed,
        currency=invoice.currency,
        stage=stage,
        payment_reference=invoice.payment_reference,
        reference=invoice.purchase_order or invoice.reference,
        disputed=disputed,
    )


def contacts_in_order(customer: Customer) -> list[Contact]:
    """Billing contacts first, then the others, each in the order they were added."""
    return sorted(customer.contacts, key=lambda c: (c.role != "billing", c.id))


def _billing_contact(customer: Customer) -> Contact | None:
    contacts = contacts_in_order(customer)
    return contacts[0] if contacts else None


def postal_address(customer: Customer) -> PostalAddress | None:
    """Where a letter goes: the first contact (billing first) with a street and a city, since a
    letter needs both; None when nobody has one."""
    contact = next((c for c in contacts_in_order(customer) if c.street and c.city), None)
    if contact is None:
        return None
    return PostalAddress(
        name=customer.name,
        street=contact.street,
        building_number=contact.building_number,
        postal_code=contact.postal_code,
        city=contact.city,
        region=contact.region,
        country=contact.country or customer.country,
    )


def _language(tag: str) -> str:
    try:
        return check_language(tag)
    except Invalid as exc:
        raise NoticeError(exc.message, field="language") from None


def list_templates(session: Session, company: Company) -> list[Template]:
    """The company's own templates, by stage, channel, language and part."""
    return list(
        session.scalars(
            select(Template)
            .where(Template.company_id == company.id)
            .order_by(Template.stage, Template.channel, Template.language, Template.part)
        )
    )


def remove_templates(session: Session, company: Company, stage: str, channel: str) -> int:
    """Delete the company's templates of one stage and channel, in every language (one language
    alone cannot go: the others would lack its translation); the built-in wording is used again.
    Returns how many were removed (0: there were none)."""
    rows = session.scalars(
        select(Template).where(
            Template.company_id == company.id,
            Template.stage == stage.strip(),
            Template.channel == channel.strip(),
        )
    ).all()
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)
