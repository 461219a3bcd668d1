"""What the API says about templates and previews, and what it takes to save or preview one."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from cobro.notice.editor import Sources, TemplateView
from cobro.notice.preview import Preview, Sample

# {"en": {"subject": "...", "text": "..."}, "es": {...}}
Wording = dict[str, dict[str, str]]
MAX_SOURCE = 20_000  # characters of one part: a notice, not a book


class TemplateSummaryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str = Field(description="<stage>.<channel>, e.g. reminder-1.email")
    stage: str
    channel: str
    policies: list[str] = Field(description="policies whose stage sends on this channel")
    custom: bool = Field(description="the company's own wording (else Cobro's built-in)")
    languages: list[str]
    updated_at: datetime | None


class TemplateOut(TemplateSummaryOut):
    """A template with the company's own wording per language and part (empty: built-in)."""

    editor_languages: list[str]
    parts: list[str] = Field(description="the parts written here: subject and text, or text")
    sources: Wording
    own_html: bool = Field(description="a saved HTML part (from the CLI) is kept as it is")

    @classmethod
    def of(cls, view: TemplateView) -> TemplateOut:
        summary = TemplateSummaryOut.model_validate(view.summary).model_dump()
        return cls(
            **summary,
            editor_languages=view.languages,
            parts=view.parts,
            sources=wording(view.sources),
            own_html=view.own_html,
        )


def wording(sources: Sources) -> Wording:
    out: Wording = {}
    for (language, part), text in sorted(sources.items()):
        out.setdefault(language, {})[part] = text
    return out


def sources_of(data: Wording) -> Sources:
    return {
        (language, part): text for language, parts in data.items() for part, text in parts.items()
    }


def _check_sizes(data: Wording) -> Wording:
    for language, parts in data.items():
        for part, text in parts.items():
            if len(text) > MAX_SOURCE:
                raise ValueError(f"{language}.{part} is longer than {MAX_SOURCE} characters")
    return data


class TemplateIn(BaseModel):
    """The wording per language and part; a part empty in every language uses the built-in."""

    model_config = ConfigDict(extra="forbid")

    sources: Wording = Field(max_length=10)

    def clean(self) -> Sources:
        return sources_of(_check_sizes(self.sources))


class PreviewIn(TemplateIn):
    """A draft to preview (nothing is saved), for a customer (external id) or the nearest."""

    customer: str | None = Field(default=None, max_length=100)
    on: date | None = Field(default=None, description="the day of the notice (default: today)")


class RenderedOut(BaseModel):
    channel: str
    language: str = Field(description="the language asked for")
    used_language: str | None = Field(description="the language of the wording used")
    subject: str | None
    text: str | None
    html: str | None = Field(description="the HTML version (show it sandboxed: never trust it)")
    origin: str | None = Field(description="custom, or the built-in file used")
    error: str | None = Field(description="why it could not be rendered")

    @classmethod
    def of(cls, preview: Preview) -> RenderedOut:
        done = preview.rendered
        return cls(
            channel=preview.channel,
            language=preview.language,
            used_language=done.language if done else None,
            subject=done.subject if done else None,
            text=done.text if done else None,
            html=done.html if done else None,
            origin=done.origin if done else None,
            error=preview.error,
        )


class PreviewOut(BaseModel):
    customer: str = Field(description="the sample customer's external id")
    customer_name: str
    real: bool = Field(description="false: Cobro's sample data (nothing open in the company)")
    errors: dict[str, str] = Field(description="{'es.text': why} for fields that cannot be saved")
    previews: list[RenderedOut]

    @classmethod
    def of(cls, sample: Sample, previews: list[Preview], errors: dict[str, str]) -> PreviewOut:
        return cls(
            customer=sample.customer,
            customer_name=sample.context.customer_name,
            real=sample.real,
            errors=errors,
            previews=[RenderedOut.of(preview) for preview in previews],
        )
