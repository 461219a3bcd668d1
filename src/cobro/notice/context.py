"""Everything a notice template may use. Built by the outbox worker from the ledger, rendered by
`cobro.notice.render`; plain data so templates can be previewed and tested without a database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from cobro.channel.base import PostalAddress


@dataclass(frozen=True)
class NoticeItem:
    """One open item listed in a notice, at the stage it has reached."""

    number: str
    issue_date: date
    due_date: date
    days_late: int  # negative before the due date
    total: int  # minor units, tax included
    open_amount: int  # minor units still owed and asked for (any part in dispute left out)
    currency: str
    stage: str
    payment_reference: str  # ISO 11649 RF reference
    reference: str | None = None  # the customer's own reference / purchase order
    disputed: int = 0  # minor units of the open amount in dispute: shown, not asked for


@dataclass(frozen=True)
class Stretch:
    """Days of late-payment interest at one rate on one base, as the letter shows them."""

    first: date
    last: date
    days: int
    rate: str  # % a year, e.g. "12.50"
    base: int  # minor units the rate applied to


@dataclass(frozen=True)
class Charge:
    """A fee, statutory interest or fixed compensation claimed with the notice
    (`cobro.charge`). With a `kind` the template words the line in the debtor's language
    ("interest", "compensation", "fee" with the invoice number); without, it shows `label`."""

    label: str
    amount: int  # minor units
    currency: str
    detail: str = ""  # how it was computed, in words (a fee's rule)
    kind: str = ""
    invoice: str | None = None  # the invoice it is on; None: a fee for the whole notice
    stretches: tuple[Stretch, ...] = ()  # the interest's computation


@dataclass(frozen=True)
class NoticeContext:
    company_name: str
    company_country: str
    company_language: str  # the fallback language
    customer_name: str
    customer_ref: str  # the customer's external id
    customer_kind: str  # "business" or "consumer"
    language: str  # the debtor's language (BCP 47, e.g. "es", "en-GB")
    stage: str  # the most advanced stage among the items: it sets subject and tone
    tone: str  # "friendly", "firm", "formal", "final"
    channel: str
    on: date
    items: tuple[NoticeItem, ...]
    contact_name: str | None = None
    address: PostalAddress | None = None
    company_email: str | None = None
    company_phone: str | None = None
    company_iban: str | None = None
    company_bic: str | None = None
    collector: str | None = None
    # cash received but not yet applied, per currency, deducted from what is asked
    unapplied: Mapping[str, int] = field(default_factory=dict, hash=False)
    charges: tuple[Charge, ...] = ()
    payment_link: str | None = None
    unsubscribe_url: str | None = None
    portal_url: str | None = None  # the debtor's own signed, expiring portal page
