"""The Jinja2 environment notices are rendered in, and the filters templates may use.

Strict (a missing variable is an error, never an empty string). Custom templates, written by
users of every tenant, are compiled in a sandbox; the built-in ones ship with Cobro and are
trusted, so they run in a plain environment (the sandbox's checks on every attribute and call
cost more than the rest of the render). Every built-in template is compiled with autoescaping on,
the plain-text ones included: Jinja marks a macro's output safe when an escaping template calls
it, so only a module that escapes its own variables is safe to share between the HTML and the
text layouts. Text output is unescaped once at the end (`html.unescape` undoes exactly what
escaping did). Custom templates come from strings: a text one is compiled without escaping, an
HTML one with it.

Amounts are integer minor units and are formatted with Babel in the notice's locale; a float is
refused, never rounded.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from cobro.kit.money import money_text

TEMPLATES = Path(__file__).parent / "templates"
LAYOUT = "layout"
FALLBACK_LANGUAGE = "en"
_BLANK_LINES = re.compile(r"\n\s*\n")
_STAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def _locale(context: Context) -> str:
    return str(context.get("locale") or FALLBACK_LANGUAGE)


def format_money(amount: object, currency: str, locale: str) -> str:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"money: {amount!r} is not an amount in minor units (an integer)")
    return money_text(amount, currency, locale)


def format_words(words: object, locale: str) -> str:
    if isinstance(words, str) or not hasattr(words, "__iter__"):
        raise TypeError(f"join_words: {words!r} is not a list")
    return str(format_list([str(word) for word in words], locale=locale))


@pass_context
def money(context: Context, amount: object, currency: str) -> str:
    """`{{ item.open_amount | money(item.currency) }}` → "1.234,56 €" (es) or "€1,234.56" (en)."""
    return format_money(amount, currency, _locale(context))


@pass_context
def format_day(context: Context, day: object, style: str = "medium") -> str:
    """`{{ item.due_date | date }}` → "5 mar 2026"; `date("long")` → "5 de marzo de 2026"."""
    if not isinstance(day, date):
        raise TypeError(f"date: {day!r} is not a date")
    return str(format_date(day, format=style, locale=_locale(context)))


@pass_context
def rate(context: Context, value: object) -> str:
    """`{{ "12.5" | rate }}` → "12.50" (en) or "12,50" (es): a yearly rate, two decimals."""
    return str(format_decimal(Decimal(str(value)), format="0.00##", locale=_locale(context)))


@pass_context
def join_words(context: Context, words: object) -> str:
    """`{{ ["a", "b", "c"] | join_words }}` → "a, b and c" (en) or "a, b y c" (es)."""
    return format_words(words, _locale(context))


@pass_context
def country_name(context: Context, code: object) -> str:
    """`{{ address.country | country }}` → "Spain" / "España"."""
    territories = Locale.parse(_locale(context)).territories
    return str(territories.get(str(code).upper(), code))


def iban(value: object) -> str:
    """Groups of four, as printed on invoices: "ES91 2100 0418 4502 0005 1332"."""
    compact = re.sub(r"\s+", "", str(value)).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def paragraphs(text: object) -> Markup:
    """Plain text → HTML paragraphs: blank lines part paragraphs, single newlines become <br>.

    Text already marked safe (the output of an escaping template) is kept; any other is escaped.
    """
    blocks = [block.strip() for block in _BLANK_LINES.split(str(escape(text)).strip())]
    return Markup("\n").join(
        Markup("<p>{}</p>").format(Markup(block.replace("\n", "<br>\n")))
        for block in blocks
        if block
    )


FILTERS = {
    "money": money,
    "date": format_day,
    "join_words": join_words,
    "rate": rate,
    "country": country_name,
    "iban": iban,
    "paragraphs": paragraphs,
}


def _environment(autoescape: bool, *, sandboxed: bool) -> Environment:
    kind = ImmutableSandboxedEnvironment if sandboxed else Environment
    env = kind(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        # built-in files always escape (see the module docstring); strings follow the flag
        autoescape=select_autoescape(
            enabled_extensions=(), default=True, default_for_string=autoescape
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        cache_size=-1,  # every built-in file stays compiled
    )
    env.filters.update(FILTERS)
    return env


BUILTIN = _environment(autoescape=False, sandboxed=False)  # Cobro's own files only
CUSTOM = _environment(autoescape=False, sandboxed=True)
_CUSTOM_HTML = _environment(autoescape=True, sandboxed=True)


@lru_cache(maxsize=512)
def compile_custom(source: str, html: bool) -> Template:
    """A custom template, compiled once per distinct source (the daily run renders it often)."""
    return (_CUSTOM_HTML if html else CUSTOM).from_string(source)


@cache
def builtin_languages() -> frozenset[str]:
    return frozenset(
        path.name for path in TEMPLATES.iterdir() if path.is_dir() and path.name != LAYOUT
    )


def builtin_language(tag: str) -> str | None:
    """The built-in templates a language tag can use: its own, its primary language's, or none."""
    full = normalise_language(tag)
    for candidate in (full, full.split("_")[0]):
        if candidate in builtin_languages():
            return candidate
    return None


def builtin_words(language: str, stage: str, tone: str) -> str:
    """The built-in wording for a stage: the stage's own file, else its tone's, else default."""
    for name in (stage, tone):
        if _STAGE_NAME.match(name) and (TEMPLATES / language / f"{name}.j2").is_file():
            return f"{language}/{name}.j2"
    return f"{language}/default.j2"


def normalise_language(tag: str) -> str:
    """ "en-gb" → "en_GB", "ES" → "es": the form Babel and the customer table use."""
    primary, *rest = tag.strip().replace("-", "_").split("_")
    subtags = [part.upper() if len(part) == 2 else part.title() for part in rest if part]
    return "_".join([primary.lower(), *subtags])


def language_candidates(*tags: str | None) -> list[str]:
    """Each tag, then its primary subtag, in order, without repeats; English last of all."""
    seen: list[str] = []
    for tag in (*tags, FALLBACK_LANGUAGE):
        if not tag or not tag.strip():
            continue
        full = normalise_language(tag)
        for candidate in (full, full.split("_")[0]):
            if candidate not in seen:
                seen.append(candidate)
    return seen


def formatting_locale(debtor_language: str, template_language: str) -> str:
    """Amounts and dates follow the debtor's own variant of the language the notice is in
    ("en_GB" writes 5 March 2026), and the notice's language when the debtor's is another."""
    debtor = normalise_language(debtor_language)
    if debtor.split("_")[0] == template_language.split("_", maxsplit=1)[0]:
        try:
            return str(Locale.parse(debtor))
        except (ValueError, UnknownLocaleError):
            pass
    return template_language
