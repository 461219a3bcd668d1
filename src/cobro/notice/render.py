"""Render a notice: pick the language and the template, fill it from a `NoticeContext`.

Lookup, for a stage, channel and part:

1. language: the debtor's ("en_GB", then "en"), then the company's, then English — the first for
   which the company has custom templates for this stage and channel, or Cobro has built-ins;
2. in that language: the company's custom template for (stage, channel, language, part), else
   the built-in wording of the stage, else that of the stage's tone, else the default wording.

A custom plain text without a custom HTML part gives the HTML version too, so both say the same.
Every failure is a `NoticeError` naming stage, channel, language and the template's problem.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError, TemplateSyntaxError

from cobro.errors import CobroError
from cobro.notice.context import NoticeContext
from cobro.notice.environment import (
    BUILTIN,
    LAYOUT,
    builtin_language,
    builtin_languages,
    builtin_words,
    compile_custom,
    language_candidates,
    normalise_language,
)
from cobro.notice.errors import NoticeError
from cobro.notice.variables import namespace

# (stage, channel, language, part) → the template's source
TemplateKey = tuple[str, str, str, str]

# what each channel renders, and which of those parts a company may write itself
CHANNEL_PARTS: dict[str, tuple[str, ...]] = {
    "email": ("subject", "text", "html"),
    "sms": ("subject", "text"),
    "whatsapp": ("subject", "text"),
    "letter": ("subject", "text", "html"),
    "registered_letter": ("subject", "text", "html"),
}
EDITABLE_PARTS: dict[str, tuple[str, ...]] = {
    **CHANNEL_PARTS,
    "sms": ("text",),  # an SMS has no subject and no HTML
    "whatsapp": ("text",),
}
# the layout (language-neutral structure) of each channel's parts; the words come from
# templates/<language>/<stage or tone>.j2 and the labels from templates/<language>/base.j2
_LAYOUTS = {
    ("email", "text"): "email.text.j2",
    ("email", "html"): "email.html.j2",
    ("sms", "text"): "short.text.j2",
    ("whatsapp", "text"): "short.text.j2",
    ("letter", "text"): "letter.text.j2",
    ("letter", "html"): "letter.html.j2",
    ("registered_letter", "text"): "letter.text.j2",
    ("registered_letter", "html"): "letter.html.j2",
}
OPT_OUT_NEEDED = (
    "an email in a language Cobro has no wording for must end with its own opt-out line "
    "using {{ unsubscribe_url }}"
)
SHORT_CHANNELS = frozenset({"sms", "whatsapp"})
_PLAIN_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})
_MANY_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"(?<!\n--)[ \t]+\n")  # keeps the "-- " signature mark


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str | None
    language: str  # the language of the template actually used
    origin: str = ""  # where the wording came from: "custom" or "built-in es/formal.j2"


def render(context: NoticeContext, custom: Mapping[TemplateKey, str] | None = None) -> Rendered:
    """Subject, text and (for email and letters) HTML of a notice, in the language found first.

    `custom` holds the company's own templates (see `service.custom_templates`).
    """
    custom = {
        (stage, channel, normalise_language(language), part): source
        for (stage, channel, language, part), source in (custom or {}).items()
    }
    stage, channel = context.stage, context.channel
    parts = CHANNEL_PARTS.get(channel)
    if parts is None:
        known = ", ".join(CHANNEL_PARTS)
        raise NoticeError(
            f"notice {stage}/{channel}: no templates for channel {channel!r} ({known})"
        )
    if not context.items:
        raise NoticeError(f"notice {stage}/{channel}: a notice needs at least one item")
    language = pick_language(context, custom)
    builtin = builtin_language(language)  # "en" for a company's own "en_GB" templates
    has_builtin = builtin is not None
    data = namespace(context, language)
    words = builtin_words(builtin, stage, context.tone) if builtin else None
    data.update(_words=words, _labels=f"{builtin}/base.j2")
    where = f"notice {stage}/{channel}/{language}"
    out: dict[str, str] = {}
    custom_text = None
    for part in parts:
        source = custom.get((stage, channel, language, part))
        if source is not None:
            out[part] = _custom_part(source, part, channel, data, f"{where} (custom {part})")
            if (
                part == "text"
                and "html" in parts
                and (stage, channel, language, "html") not in custom
            ):
                custom_text = _custom_body(source, data, f"{where} (custom text)")
        elif part == "html" and custom_text is not None and has_builtin:
            # the company's own words in the built-in frame, so text and HTML say the same
            out[part] = _builtin_part(_LAYOUTS[(channel, part)], dict(data, _body=custom_text))
        elif has_builtin:
            layout = "subject.j2" if part == "subject" else _LAYOUTS[(channel, part)]
            out[part] = _builtin_part(layout, data)
        elif part == "subject" and channel in SHORT_CHANNELS:
            out[part] = ""  # an SMS shows no subject, and a custom-only language has none
        else:
            raise NoticeError(f"{where}: no {part} template in {language!r}, custom or built-in")
    if channel in SHORT_CHANNELS:
        # one line, and plain spaces: a no-break space alone makes a gateway send UCS-2 (70
        # characters a part instead of 160)
        out["text"] = " ".join(out["text"].translate(_PLAIN_SPACES).split())
    customised = any(key[:3] == (stage, channel, language) for key in custom)
    return Rendered(
        subject=out["subject"],
        text=out["text"],
        html=out.get("html"),
        language=language,
        origin="custom" if customised else f"built-in {words}",
    )


def render_layout(context: NoticeContext, layout: str) -> tuple[str, str]:
    """A built-in HTML layout that needs no stage words (the statement of account), filled in
    the first language Cobro has built-in templates for; returns (html, language)."""
    language = pick_language(context, {})
    data = dict(namespace(context, language), _words=None, _labels=f"{language}/base.j2")
    where = f"{layout.removesuffix('.html.j2')} {context.customer_ref}/{language}"
    html_page = _guarded(lambda: BUILTIN.get_template(f"{LAYOUT}/{layout}").render(data), where)
    return html_page, language


def pick_language(context: NoticeContext, custom: Mapping[TemplateKey, str]) -> str:
    """The first of the debtor's, the company's and English with templates for this notice."""
    own = {
        normalise_language(key[2]) for key in custom if key[:2] == (context.stage, context.channel)
    }
    available = builtin_languages() | own
    candidates = language_candidates(context.language, context.company_language)
    return next(tag for tag in candidates if tag in available)


def _builtin_part(layout: str, data: Mapping[str, Any]) -> str:
    """A built-in layout filled with the built-in words of `data["_words"]`."""
    where = f"notice {data['stage']}/{data['channel']}/{data['lang']} (built-in {data['_words']})"
    output = _guarded(lambda: BUILTIN.get_template(f"{LAYOUT}/{layout}").render(data), where)
    if layout.endswith(".html.j2"):
        return output
    return _tidy(html.unescape(output), "subject" if layout == "subject.j2" else "text")


def _custom_part(source: str, part: str, channel: str, data: Mapping[str, Any], where: str) -> str:
    output = _guarded(lambda: compile_custom(source, part == "html").render(data), where)
    if part != "html":
        output = _tidy(output, part)
    if channel == "email" and part != "subject" and "unsubscribe_url" not in source:
        # the opt-out footer is not optional: a template without one gets the built-in one
        if data["_words"] is None:
            raise NoticeError(f"{where}: {OPT_OUT_NEEDED}")
        footer = _guarded(
            lambda: BUILTIN.get_template(f"{LAYOUT}/footer.{part}.j2").render(data),
            f"{where} (opt-out footer)",
        )
        output = _with_footer(output, footer, part)
    return output


def _custom_body(source: str, data: Mapping[str, Any], where: str) -> str:
    return _tidy(_guarded(lambda: compile_custom(source, False).render(data), where), "text")


def _with_footer(output: str, footer: str, part: str) -> str:
    if part == "text":
        return f"{output}\n-- \n{_tidy(html.unescape(footer), 'text')}"
    closing = output.lower().rfind("</body>")
    return output + footer if closing < 0 else output[:closing] + footer + output[closing:]


def _guarded(run: Callable[[], str], where: str) -> str:
    """Run a render, turning whatever the template did wrong into one `NoticeError`."""
    try:
        return run()
    except TemplateSyntaxError as exc:
        raise NoticeError(f"{where}: line {exc.lineno}: {exc.message}") from None
    except TemplateError as exc:
        raise NoticeError(f"{where}: {exc.message or type(exc).__name__}") from None
    except CobroError as exc:
        raise NoticeError(f"{where}: {exc.message}") from None
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
        # what a filter or an operator raises when a template hands it the wrong value
        raise NoticeError(f"{where}: {exc}") from None


def _tidy(text: str, part: str) -> str:
    if part == "subject":
        return " ".join(text.split())
    text = _TRAILING_SPACE.sub("\n", text.replace("\r\n", "\n"))
    return _MANY_BLANK_LINES.sub("\n\n", text).strip() + "\n"
