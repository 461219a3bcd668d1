"""`cobro templates preview`: what a stage's notice says to one customer, as text, HTML and PDF;
`cobro templates save|list|remove`: the company's own wording."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import typer
from rich import box
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select

from cobro.channel.letter import html_to_pdf
from cobro.config import load_settings
from cobro.customer.service import get_customer
from cobro.edge import (
    CompanyOption,
    OnOption,
    cli_errors,
    company_of,
    console,
    day_of,
    fail,
    unit_of_work,
)
from cobro.errors import CobroError, Invalid, NotFound
from cobro.invoice.models import Invoice
from cobro.kit.codes import check_language
from cobro.kit.dates import utcnow
from cobro.notice.links import MessageLinks, preferences_url
from cobro.notice.render import CHANNEL_PARTS, render
from cobro.notice.service import (
    context_for,
    custom_templates,
    languages_needed,
    list_templates,
    remove_templates,
    save_templates,
)
from cobro.policy.defaults import default_policy
from cobro.policy.service import ensure_default_policy, list_policies

templates_app = typer.Typer(
    help="Preview the notices Cobro sends; save, list and remove your own.", no_args_is_help=True
)

_LETTERS = ("letter", "registered_letter")


@templates_app.callback()
def templates() -> None:
    """Preview the notices Cobro sends; save, list and remove your own wording."""


OutOption = typer.Option(
    Path("."), "--out", help="Folder to write preview.html and preview.pdf in."
)


@templates_app.command("preview")
def preview_command(
    stage: str = typer.Argument(..., help="The stage of the default policy, e.g. reminder-1."),
    customer: str = typer.Option(..., "--customer", help="The customer's id."),
    lang: str | None = typer.Option(
        None, "--lang", help="Write in this language (default: the customer's)."
    ),
    channel: str = typer.Option(
        "email", "--channel", help="email, sms, whatsapp, letter or registered_letter."
    ),
    on: str | None = OnOption,
    out: Path = OutOption,
    company: str | None = CompanyOption,
) -> None:
    """Print the subject and text of a stage's notice to a customer about their open invoices;
    write its HTML and the stage's letter as PDF."""
    stages = {step.code: step for step in default_policy().stages}
    if stage not in stages:
        fail(f"unknown stage {stage!r} (known: {', '.join(stages)})")
    if channel not in CHANNEL_PARTS:
        fail(f"unknown channel {channel!r} (known: {', '.join(CHANNEL_PARTS)})")
    try:
        with unit_of_work() as session:
            owner = company_of(session, company)
            day = day_of(on, owner)
            debtor = get_customer(session, owner.id, customer)
            invoices = session.scalars(
                select(Invoice)
                .where(Invoice.customer_id == debtor.id, Invoice.settled_on.is_(None))
                .order_by(Invoice.due_date, Invoice.id)
            ).all()
            if not invoices:
                fail(f"customer {customer!r} has no open invoices to write about")
            items = [(invoice, stage) for invoice in invoices]
            tone = stages[stage].tone.value
            settings = load_settings()
            links = MessageLinks(settings.secret_key, settings.base_url)
            portal = links.portal(owner.id, debtor.id, utcnow())  # as the worker would sign it
            context = context_for(
                session, owner, debtor, items, stage, tone, channel, day,
                unsubscribe_url=preferences_url(portal) if portal else None,
                portal_url=portal,
            )  # fmt: skip
            if lang:
                context = replace(context, language=check_language(lang))
            custom = custom_templates(session, owner.id)
        rendered = render(context, custom)
        letter = (
            rendered if channel in _LETTERS else render(replace(context, channel="letter"), custom)
        )
        out.mkdir(parents=True, exist_ok=True)
        html_path, pdf_path = out / "preview.html", out / "preview.pdf"
        html_path.write_text(rendered.html or letter.html or "", encoding="utf-8")
        pdf_path.write_bytes(html_to_pdf(letter.html or ""))
    except CobroError as exc:
        fail(exc.message)
    except OSError as exc:
        fail(f"cannot write the preview in {out}: {exc.strerror}")
    console.print(
        f"[bold]{escape(stage)}[/] · {channel} · {rendered.language} · {escape(rendered.origin)}"
    )
    console.print(f"[bold]Subject:[/] {escape(rendered.subject)}", highlight=False)
    console.print(rendered.text, markup=False, highlight=False)
    console.print(f"Wrote {html_path} and {pdf_path} (the {stage} letter).", highlight=False)
    if portal:
        console.print(
            f"Its portal link is a real one, valid {links.days} days: pass the preview on "
            "with care.",
            highlight=False,
        )
    else:
        console.print("No portal link: COBRO_SECRET_KEY is not set.", highlight=False)


# <language>.<part>.j2: "es.text.j2", "en_GB.subject.j2", "pt-BR.html.j2"
_TEMPLATE_FILE = re.compile(
    r"^(?P<language>[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)\.(?P<part>\w+)\.j2$"
)
_LAYOUT = "<folder>/<stage>/<channel>/<language>.<part>.j2, e.g. reminder-1/email/es.text.j2"
# (stage, channel) → (language, part) → the template's source
Sources = dict[tuple[str, str], dict[tuple[str, str], str]]
FolderArgument = typer.Argument(
    ...,
    help="A folder of templates: <folder>/<stage>/<channel>/<language>.<part>.j2 "
    "(parts: subject, text, html; SMS and WhatsApp: text only).",
)


@templates_app.command("save")
def save_command(
    folder: Path = FolderArgument,
    company: str | None = CompanyOption,
) -> None:
    """Save the company's own wording for the stages and channels in FOLDER.

    The files in FOLDER replace the saved templates of the same stage, channel, language and
    part; saved ones not in FOLDER stay. Every template is checked first (Jinja syntax, known
    variables only, renders on sample data) and each stage and channel must be written in
    every language the company needs: one refusal and nothing of FOLDER is saved."""
    try:
        found = read_template_folder(folder)
        with unit_of_work() as session:
            owner = company_of(session, company)
            needed = languages_needed(session, owner)
            for (stage, channel), sources in sorted(found.items()):
                save_templates(session, owner, stage, channel, sources, needed)
            ensure_default_policy(session, owner)
            known = {
                str(stage["code"]) for row in list_policies(session, owner) for stage in row.stages
            }
    except CobroError as exc:
        fail(f"{exc.message} (nothing was saved)")
    for (stage, channel), sources in sorted(found.items()):
        parts = ", ".join(f"{language} {part}" for language, part in sorted(sources))
        console.print(f"Saved {escape(stage)}/{channel}: {escape(parts)}.", highlight=False)
        if stage not in known:
            console.print(
                f"Note: no policy has a stage {escape(stage)!r} (known: "
                f"{', '.join(sorted(known))}); these templates wait until one does.",
                highlight=False,
            )


@templates_app.command("list")
def list_command(company: str | None = CompanyOption) -> None:
    """The company's own templates: stage, channel, language and the parts written."""
    with cli_errors(), unit_of_work() as session:
        rows = list_templates(session, company_of(session, company))
        grouped: dict[tuple[str, str, str], list[str]] = {}
        updated: dict[tuple[str, str, str], str] = {}
        for row in rows:
            key = (row.stage, row.channel, row.language)
            grouped.setdefault(key, []).append(row.part)
            stamp = row.updated_at.strftime("%Y-%m-%d %H:%M")
            updated[key] = max(updated.get(key, stamp), stamp)
    if not grouped:
        console.print("No custom templates: every notice uses Cobro's built-in wording.")
        return
    table = Table(box=box.SIMPLE_HEAD)
    for heading in ("stage", "channel", "language", "parts", "updated (UTC)"):
        table.add_column(heading)
    for (stage, channel, language), parts in grouped.items():
        table.add_row(
            escape(stage), channel, language, ", ".join(parts), updated[(stage, channel, language)]
        )
    console.print(table)


@templates_app.command("remove")
def remove_command(
    stage: str = typer.Argument(..., help="The stage, e.g. reminder-1."),
    channel: str = typer.Argument(..., help="email, sms, whatsapp, letter or registered_letter."),
    company: str | None = CompanyOption,
) -> None:
    """Remove the company's own templates of one stage and channel, in every language: its
    notices use the built-in wording again."""
    with cli_errors(), unit_of_work() as session:
        removed = remove_templates(session, company_of(session, company), stage, channel)
        if not removed:
            raise NotFound(f"no custom templates for {stage}/{channel}", field="stage")
    console.print(f"Removed {removed} templates of {escape(stage)}/{channel}.", highlight=False)


def read_template_folder(folder: Path) -> Sources:
    """Every template under `folder`, laid out as `_LAYOUT`; hidden files are skipped, anything
    else out of place is an error naming it (a misnamed file must not be skipped silently)."""
    if not folder.is_dir():
        raise Invalid(f"{folder} is not a folder (expected {_LAYOUT})", field="folder")
    found: Sources = {}
    for stage in _entries(folder):
        for channel in _entries(stage):
            for file in _entries(channel, folders=False):
                match = _TEMPLATE_FILE.match(file.name)
                if match is None:
                    raise Invalid(
                        f"{file}: expected a file named <language>.<part>.j2, e.g. es.text.j2",
                        field="folder",
                    )
                try:
                    source = file.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
                    raise Invalid(f"{file}: {reason}", field="folder") from None
                sources = found.setdefault((stage.name, channel.name), {})
                sources[(match["language"], match["part"])] = source
    if not found:
        raise Invalid(f"{folder}: no templates in it (expected {_LAYOUT})", field="folder")
    return found


def _entries(folder: Path, folders: bool = True) -> list[Path]:
    entries = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    for entry in entries:
        if entry.is_dir() != folders:
            expected = "a folder" if folders else "a file"
            raise Invalid(f"{entry}: expected {expected} here ({_LAYOUT})", field="folder")
    return entries
