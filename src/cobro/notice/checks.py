"""What a company's own template must be before it is saved: valid Jinja, only known variables,
self-contained, renderable, and translated into every language the company writes in.

Refusals are `NoticeError`s that say what to fix: the line of a syntax error, the unknown
variable (with the nearest known one), the missing language.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from difflib import get_close_matches

from jinja2 import TemplateSyntaxError, meta

from cobro.channel.base import PostalAddress
from cobro.notice.context import Charge, NoticeContext, NoticeItem
from cobro.notice.environment import CUSTOM, builtin_language, compile_custom, normalise_language
from cobro.notice.errors import NoticeError
from cobro.notice.render import EDITABLE_PARTS, OPT_OUT_NEEDED, Rendered, render
from cobro.notice.variables import KNOWN_VARIABLES


def check_template(source: str, part: str, channel: str) -> None:
    """Refuse a template that cannot be saved for this channel and part; say why."""
    where = f"{channel} {part} template"
    parts = EDITABLE_PARTS.get(channel)
    if parts is None:
        raise NoticeError(
            f"unknown channel {channel!r} (expected one of {', '.join(EDITABLE_PARTS)})",
            field="channel",
        )
    if part not in parts:
        raise NoticeError(
            f"a {channel} template has no {part!r} part (it has: {', '.join(parts)})",
            field="part",
        )
    if not source.strip():
        raise NoticeError(f"{where} is empty", field="source")
    try:
        tree = CUSTOM.parse(source)
        compile_custom(source, part == "html")  # unknown filters and tests show up here
    except TemplateSyntaxError as exc:
        raise NoticeError(f"{where}, line {exc.lineno}: {exc.message}", field="source") from None
    if any(True for _ in meta.find_referenced_templates(tree)):
        raise NoticeError(
            f"{where}: include, import and extends are not available in a company's templates",
            field="source",
        )
    unknown = sorted(meta.find_undeclared_variables(tree) - known_names())
    if unknown:
        raise NoticeError(f"{where}: {_describe_unknown(unknown)}", field="source")
    for sample in sample_contexts(channel):
        try:
            _trial(source, part, sample)
        except NoticeError as exc:
            detail = exc.message.split(": ", 1)[-1]
            raise NoticeError(
                f"{where} fails on sample data ({sample.customer_kind}, "
                f"{len(sample.items)} item(s)): {detail}",
                field="source",
            ) from None


def check_translations(
    stage: str, channel: str, parts: Iterable[tuple[str, str]], languages_needed: Iterable[str]
) -> None:
    """The (language, part) pairs a stage and channel would have after saving must cover every
    language the company needs, each with the same parts; a language Cobro has no built-in
    wording for needs every part of the channel, as nothing could stand in for a missing one."""
    by_language: dict[str, set[str]] = {}
    for language, part in parts:
        by_language.setdefault(normalise_language(language), set()).add(part)
    if not by_language:
        return
    where = f"templates for {stage}/{channel}"
    missing = sorted({normalise_language(tag) for tag in languages_needed} - set(by_language))
    if missing:
        raise NoticeError(
            f"{where}: missing translation into {_words(missing)} (the company writes to "
            "customers in every language it needs; add the same parts in each)",
            field="language",
        )
    every = set().union(*by_language.values())
    for language, present in sorted(by_language.items()):
        wanted = every if builtin_language(language) else set(EDITABLE_PARTS[channel])
        lacking = sorted(wanted - present)
        if lacking:
            raise NoticeError(
                f"{where}: missing translation of the {_words(lacking)} into {language}",
                field="language",
            )


def check_opt_out(source: str, part: str, channel: str, language: str) -> None:
    """An email in a language without built-in wording cannot borrow Cobro's opt-out footer, so
    it must write its own around `unsubscribe_url`."""
    needs_own = channel == "email" and part in ("text", "html") and not builtin_language(language)
    if needs_own and "unsubscribe_url" not in source:
        raise NoticeError(f"email {part} template in {language}: {OPT_OUT_NEEDED}", field="source")


def known_names() -> frozenset[str]:
    """Every variable a company's template may use: the context, the helpers, Jinja's globals."""
    return KNOWN_VARIABLES | frozenset(CUSTOM.globals)


def sample_contexts(channel: str) -> tuple[NoticeContext, ...]:
    """A business with one item and every optional field, a consumer with two currencies."""
    on = date(2026, 3, 5)
    item = NoticeItem(
        "F-2026-0001", date(2026, 1, 15), date(2026, 2, 14), 19, 1_234_56, 1_234_56, "EUR",
        "sample", "RF18F20260001", "PO-77",
    )  # fmt: skip
    other = NoticeItem(
        "F-2026-0002", date(2026, 1, 20), date(2026, 2, 19), 14, 500_00, 200_00, "USD",
        "sample", "RF71F20260002",
    )  # fmt: skip
    business = NoticeContext(
        company_name="Example Company S.L.",
        company_country="ES",
        company_language="en",
        customer_name="Sample Customer Ltd",
        customer_ref="C-0001",
        customer_kind="business",
        language="en",
        stage="sample",
        tone="friendly",
        channel=channel,
        on=on,
        items=(item,),
        contact_name="Alex Sample",
        address=PostalAddress("Sample Customer Ltd", "High Street", "1", "AB1 2CD", "London"),
        company_email="accounts@example.com",
        company_phone="+34 910 000 000",
        company_iban="ES9121000418450200051332",
        company_bic="CAIXESBBXXX",
        collector="Sam Collector",
        unapplied={"EUR": 100_00},
        charges=(Charge("Statutory interest", 12_34, "EUR", "8.15% a year"),),
        payment_link="https://pay.example.com/p/abc",
        unsubscribe_url="https://example.com/unsubscribe/abc",
        portal_url="https://example.com/portal/abc",
    )
    consumer = NoticeContext(
        company_name="Example Company S.L.",
        company_country="ES",
        company_language="en",
        customer_name="Alex Sample",
        customer_ref="C-0002",
        customer_kind="consumer",
        language="en",
        stage="sample",
        tone="formal",
        channel=channel,
        on=on,
        items=(item, other),
    )
    return business, consumer


def _trial(source: str, part: str, sample: NoticeContext) -> Rendered:
    return render(sample, {(sample.stage, sample.channel, "en", part): source})


def _describe_unknown(names: list[str]) -> str:
    described = []
    for name in names:
        near = get_close_matches(name, sorted(known_names()), n=1)
        described.append(f"{name!r} (did you mean {near[0]!r}?)" if near else repr(name))
    noun = "variable" if len(names) == 1 else "variables"
    return f"unknown {noun} {', '.join(described)}"


def _words(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
