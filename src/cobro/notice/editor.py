"""The template editor's use cases. A template is named `<stage>.<channel>` ("reminder-1.email"):
the wording of one stage on one channel, in every language the company writes in.

The editor writes the subject and the text of each language (an SMS or WhatsApp message: the
text only); the HTML version of an email or letter is the text in Cobro's frame. Every field is
checked on its own (`checks.check_template`), so each error is shown next to its field; a part
written in one language and left empty in another is a missing translation. A part left empty
in every language is not customised: the built-in wording is used for it. One error and nothing
is saved. Services add and flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.company.models import Company
from cobro.errors import NotFound
from cobro.notice.checks import check_opt_out, check_template
from cobro.notice.environment import normalise_language
from cobro.notice.errors import NoticeError
from cobro.notice.models import Template
from cobro.notice.preview import Preview, Sample, pick_sample, policy_stages, preview
from cobro.notice.render import CHANNEL_PARTS, EDITABLE_PARTS
from cobro.notice.service import (
    custom_templates,
    languages_needed,
    list_templates,
    remove_templates,
    save_templates,
)
from cobro.policy.service import ensure_default_policy, list_policies

SHOWN = ("en", "es")  # side by side in the editor, whatever the company needs besides

# (language, part) → source
Sources = dict[tuple[str, str], str]


class TemplateErrors(NoticeError):
    """Fields of a draft that cannot be saved: {"es.text": "why"}; the first is `field`."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        first = next(iter(errors))
        super().__init__(f"{first}: {errors[first]}", field=first)
        self.errors = dict(errors)


@dataclass(frozen=True)
class TemplateSummary:
    name: str
    stage: str
    channel: str
    policies: list[str]  # codes of the policies whose stage sends on this channel
    custom: bool  # the company has its own wording (else Cobro's built-in)
    languages: list[str]
    updated_at: datetime | None


@dataclass(frozen=True)
class TemplateView:
    summary: TemplateSummary
    languages: list[str]  # the editor's columns
    parts: list[str]  # the parts edited
    sources: Sources  # the company's saved wording of those parts
    own_html: bool  # a saved HTML part (from `cobro templates save`), kept as it is


def template_name(stage: str, channel: str) -> str:
    return f"{stage}.{channel}"


def split_name(name: str) -> tuple[str, str]:
    stage, dot, channel = name.rpartition(".")
    if not dot or not stage or channel not in CHANNEL_PARTS:
        raise NotFound(
            f"no template {name!r}: names are <stage>.<channel>, e.g. reminder-1.email",
            field="name",
        )
    return stage, channel


def template_summaries(session: Session, company: Company) -> list[TemplateSummary]:
    """Every template the company's policies use, and every one it wrote, by name."""
    ensure_default_policy(session, company)
    used: dict[tuple[str, str], list[str]] = {}
    for row in list_policies(session, company):
        for stage in row.stages:
            for action in stage["actions"]:
                if action in CHANNEL_PARTS:
                    used.setdefault((str(stage["code"]), action), []).append(row.code)
    own: dict[tuple[str, str], list[Template]] = {}
    for template in list_templates(session, company):
        own.setdefault((template.stage, template.channel), []).append(template)
    return [
        _summary(stage, channel, used.get((stage, channel), []), own.get((stage, channel), []))
        for stage, channel in sorted(set(used) | set(own))
    ]


def template_view(session: Session, company: Company, name: str) -> TemplateView:
    """One template of the company (in a policy of its, or written by it), else NotFound."""
    stage, channel = split_name(name)
    found = {s.name: s for s in template_summaries(session, company)}
    if name not in found:
        raise NotFound(f"no template {name!r} in this company's policies", field="name")
    rows = _rows(session, company, stage, channel)
    parts = editable_parts(channel)
    return TemplateView(
        summary=found[name],
        languages=editor_languages(session, company),
        parts=parts,
        sources={(r.language, r.part): r.source for r in rows if r.part in parts},
        own_html=any(row.part == "html" for row in rows),
    )


def editable_parts(channel: str) -> list[str]:
    return [part for part in EDITABLE_PARTS[channel] if part != "html"]


def editor_languages(session: Session, company: Company) -> list[str]:
    needed = {normalise_language(tag) for tag in languages_needed(session, company)}
    return [*SHOWN, *sorted(needed - set(SHOWN))]


def check_draft(
    sources: Mapping[tuple[str, str], str], channel: str, languages: list[str]
) -> dict[str, str]:
    """{"<language>.<part>": the problem} for every field of the draft that cannot be saved."""
    errors: dict[str, str] = {}
    parts = editable_parts(channel)
    written = {part for (_, part), text in sources.items() if text.strip()}
    if not written:
        first = f"{languages[0]}.{parts[0]}"
        return {first: "write the wording in every language, or go back to the built-in one"}
    for language in languages:
        for part in parts:
            source = sources.get((language, part), "")
            field = f"{language}.{part}"
            if not source.strip():
                if part in written:
                    errors[field] = f"missing translation: the {part} in {language}"
                continue
            try:
                check_template(source, part, channel)
                check_opt_out(source, part, channel, language)
            except NoticeError as exc:
                errors[field] = exc.message
    return errors


def save_draft(
    session: Session,
    company: Company,
    name: str,
    sources: Mapping[tuple[str, str], str],
    actor_id: int | None,
    now: datetime,
    source: str = "web",
) -> TemplateView:
    """Save the draft, all of it or nothing; audited with the wording before and after."""
    view = template_view(session, company, name)
    stage, channel = view.summary.stage, view.summary.channel
    errors = check_draft(sources, channel, view.languages)
    if errors:
        raise TemplateErrors(errors)
    clean = {key: text for key, text in sources.items() if text.strip() and key[1] in view.parts}
    # a part emptied in every language goes back to the built-in wording
    for row in _rows(session, company, stage, channel):
        if row.part in view.parts and (row.language, row.part) not in clean:
            session.delete(row)
    session.flush()
    needed = languages_needed(session, company)
    save_templates(session, company, stage, channel, clean, needed)
    _audit(session, company, "template.saved", name, actor_id, now, source, view.sources, clean)
    return template_view(session, company, name)


def reset_template(
    session: Session, company: Company, name: str, actor_id: int | None, now: datetime,
    source: str = "web",
) -> int:  # fmt: skip
    """Back to Cobro's built-in wording: the company's own of this template removed."""
    view = template_view(session, company, name)
    removed = remove_templates(session, company, view.summary.stage, view.summary.channel)
    _audit(session, company, "template.reset", name, actor_id, now, source, view.sources, {})
    return removed


def preview_draft(
    session: Session,
    company: Company,
    name: str,
    sources: Mapping[tuple[str, str], str],
    on: date,
    customer: str | None = None,
) -> tuple[Sample, list[Preview]]:
    """The draft rendered for the chosen or nearest customer, in every language of the editor
    (the company's saved wording of other templates as it is)."""
    view = template_view(session, company, name)
    stage, channel = view.summary.stage, view.summary.channel
    offset, tone = policy_stages(session, company).get(stage, (None, "friendly"))
    sample = pick_sample(session, company, stage, tone, channel, on, customer, offset)
    custom = {
        key: text
        for key, text in custom_templates(session, company.id).items()
        if key[:2] != (stage, channel) or key[3] not in view.parts
    }
    for (language, part), text in sources.items():
        if text.strip() and part in view.parts:
            custom[(stage, channel, language, part)] = text
    context = replace(sample.context, channel=channel)
    return sample, [preview(context, custom, language) for language in view.languages]


def _rows(session: Session, company: Company, stage: str, channel: str) -> list[Template]:
    return list(
        session.scalars(
            select(Template).where(
                Template.company_id == company.id,
                Template.stage == stage,
                Template.channel == channel,
            )
        )
    )


def _summary(
    stage: str, channel: str, policies: list[str], rows: list[Template]
) -> TemplateSummary:
    return TemplateSummary(
        name=template_name(stage, channel),
        stage=stage,
        channel=channel,
        policies=policies,
        custom=bool(rows),
        languages=sorted({row.language for row in rows}),
        updated_at=max((row.updated_at for row in rows), default=None),
    )


def _audit(
    session: Session,
    company: Company,
    action: str,
    name: str,
    actor_id: int | None,
    now: datetime,
    source: str,
    before: Mapping[tuple[str, str], str],
    after: Mapping[tuple[str, str], str],
) -> None:
    record(
        session,
        action,
        at=now,
        entity_type="template",
        entity_id=name,
        actor_id=actor_id,
        company_id=company.id,
        before={f"{lang}.{part}": text for (lang, part), text in sorted(before.items())},
        after={f"{lang}.{part}": text for (lang, part), text in sorted(after.items())},
        source=source,
    )
