"""The interface in English and Spanish. A signed-in user reads their own language
(`User.language`, see `cobro.web.templates.language_of`); anyone else, the browser's
Accept-Language, among the languages offered (Babel's negotiation).

The translations are gettext catalogs read with Babel: `locale/<language>/*.po`, one file per
area of the app, merged. The English text is the message id and the fallback, so a missing
translation shows English, never a blank; tests/web/test_i18n.py checks that every text of
every template has its Spanish."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel.core import negotiate_locale
from babel.messages.pofile import read_po

DEFAULT_LANGUAGE = "en"
LANGUAGES = ("en", "es")

Gettext = Callable[[str], str]

LOCALE = Path(__file__).parent / "locale"


class CatalogConflict(ValueError):
    """Two .po files of one language translate the same text differently."""


def read_catalog(language: str) -> dict[str, str]:
    """Every translated message of `locale/<language>/*.po`; untranslated and fuzzy ones are
    left out (they fall back to English)."""
    messages: dict[str, str] = {}
    for path in sorted((LOCALE / language).glob("*.po")):
        with path.open("rb") as file:
            catalog = read_po(file, locale=language)
        for message in catalog:
            if not message.id or not message.string or message.fuzzy:
                continue
            key, text = str(message.id), str(message.string)
            if messages.get(key, text) != text:
                raise CatalogConflict(f"{path.name}: {key!r} is translated differently elsewhere")
            messages[key] = text
    return messages


@cache
def catalog(language: str) -> dict[str, str]:
    return {} if language == DEFAULT_LANGUAGE else read_catalog(language)


def negotiate(accept_language: str | None) -> str:
    """The best of LANGUAGES for an Accept-Language header ("es-ES,es;q=0.9,en;q=0.8" → "es")."""
    return negotiate_locale(preferred(accept_language), LANGUAGES, sep="-") or DEFAULT_LANGUAGE


def preferred(accept_language: str | None) -> list[str]:
    """The languages of an Accept-Language header, most wanted first; each also as its bare
    language ("es-MX" then "es"), since Babel matches whole tags only."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag.lower()))
    tags: list[str] = []
    for _, _, tag in sorted(weighted):
        for candidate in (tag, tag.split("-")[0]):
            if candidate not in tags:
                tags.append(candidate)
    return tags


def translator(language: str) -> Gettext:
    messages = catalog(language)

    def gettext(text: str) -> str:
        return messages.get(text, text)

    return gettext
