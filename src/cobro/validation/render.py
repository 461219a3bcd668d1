"""The validation notice as a document: HTML (the letter, printable to PDF where WeasyPrint and
Pango are installed) and plain text (for the record, the terminal and previews), in English or
Spanish, following the fields of the CFPB's Model Form B-1.

The layout (`layout/notice.*.j2`) is shared; the words are in `<language>/words.j2`. HTML is
rendered with autoescaping, so a customer's name can never become markup; the text version is
rendered by a second environment without it. Amounts and dates use the notice filters (Babel).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from cobro.channel.base import PostalAddress
from cobro.notice.environment import FILTERS, normalise_language
from cobro.validation.rules import Itemization

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGES = ("en", "es")
# where the CFPB explains a consumer's rights in debt collection (printed on Model Form B-1)
CFPB_URL = "www.cfpb.gov/debt-collection"


@dataclass(frozen=True)
class NoticeFacts:
    """Everything the notice prints, already decided by the service."""

    reference: str  # quoted on the response form, so a reply finds its notice
    collector: str  # who sends the notice (the company)
    creditor: str  # to whom the debt is owed
    account: str  # the account number the consumer knows
    consumer: str
    address: tuple[str, ...]  # the postal address under the name, line by line (may be empty)
    collector_email: str | None
    collector_phone: str | None
    sent_on: date
    ends_on: date
    itemization: Itemization
    currency: str
    language: str  # the consumer's language tag


@dataclass(frozen=True)
class NoticeDocument:
    html: str
    text: str
    language: str  # the language the notice was written in


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(FILTERS)
    return env


_HTML = _environment(autoescape=True)
_TEXT = _environment(autoescape=False)


def notice_language(tag: str) -> str:
    """Spanish for a Spanish speaker, English for everyone else (the form's own languages)."""
    primary = normalise_language(tag or "en").split("_")[0]
    return primary if primary in LANGUAGES else "en"


def address_block(address: PostalAddress | None) -> tuple[str, ...]:
    """The lines under the consumer's name, as US mail writes them: "123 Main St",
    "Springfield, IL 62701", and the country only when it is not the United States."""
    if address is None:
        return ()
    street = " ".join(part for part in (address.building_number, address.street) if part)
    town = ", ".join(part for part in (address.city, address.region) if part)
    town = " ".join(part for part in (town, address.postal_code) if part)
    country = address.country if address.country and address.country.upper() != "US" else None
    return tuple(line for line in (street, town, country) if line)


def render_notice(facts: NoticeFacts) -> NoticeDocument:
    language = notice_language(facts.language)
    data = {
        "n": facts,
        "item": facts.itemization,
        "locale": f"{language}_US",  # US dollars and US dates, in the notice's language
        "cfpb_url": CFPB_URL,
        "_words": f"{language}/words.j2",
    }
    html = _HTML.get_template("layout/notice.html.j2").render(data)
    text = _TEXT.get_template("layout/notice.text.j2").render(data)
    return NoticeDocument(html=html, text=text.strip() + "\n", language=language)
