"""`cobro templates preview`: what a stage's notice says to one customer, as text, HTML and PDF."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import typer
from rich.markup import escape
from sqlalchemy import select

from cobro.channel.letter import html_to_pdf
from cobro.customer.service import get_customer
from cobro.edge import CompanyOption, OnOption, company_of, console, day_of, fail, unit_of_work
from cobro.errors import CobroError
from cobro.invoice.models import Invoice
from cobro.kit.codes import check_language
from cobro.notice.render import CHANNEL_PARTS, render
from cobro.notice.service import context_for, custom_templates
from cobro.policy.defaults import default_policy

templates_app = typer.Typer(help="Preview the notices Cobro sends.", no_args_is_help=True)

_LETTERS = ("letter", "registered_letter")


@templates_app.callback()
def templates() -> None:
    """Preview the notices Cobro sends."""


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
            context = context_for(session, owner, debtor, items, stage, tone, channel, day)
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
