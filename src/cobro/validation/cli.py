"""`cobro validation notice|dispute|verified|list`: Regulation F validation notices from the
command line."""

from __future__ import annotations

from pathlib import Path

import typer

from cobro.channel.letter import html_to_pdf
from cobro.customer.service import get_customer
from cobro.edge import CompanyOption, cli_errors, company_of, console, print_rows, unit_of_work
from cobro.invoice.service import get_invoice
from cobro.kit.dates import parse_date
from cobro.kit.money import display, parse_amount
from cobro.validation.models import ValidationDispute
from cobro.validation.rules import ITEMIZATION_KINDS, Itemization
from cobro.validation.service import (
    get_notice,
    list_notices,
    notice_reference,
    record_dispute,
    send_notice,
    verification_sent,
)

validation_app = typer.Typer(
    help="US consumer debts (Regulation F): validation notices, disputes and verification.",
    no_args_is_help=True,
)


@validation_app.command("notice")
def notice_command(
    customer: str = typer.Argument(..., help="Customer external id (a US consumer)."),
    sent: str = typer.Option(..., "--sent", help="The day the notice is sent."),
    kind: str = typer.Option(
        ..., "--itemization-kind", help=f"One of {', '.join(ITEMIZATION_KINDS)}."
    ),
    itemized_on: str = typer.Option(..., "--itemization-date", help="The itemization date."),
    owed: str = typer.Option(..., "--owed", help="Owed on the itemization date."),
    interest: str = typer.Option("0", "--interest", help="Interest charged since."),
    fees: str = typer.Option("0", "--fees", help="Fees charged since."),
    paid: str = typer.Option("0", "--paid", help="Paid or credited since."),
    creditor: str | None = typer.Option(
        None, "--creditor", help="To whom the debt is owed (default: the company)."
    ),
    out: str | None = typer.Option(
        None, "--out", help="Write the notice here: .pdf for a PDF, else HTML."
    ),
    company: str | None = CompanyOption,
) -> None:
    """Send a validation notice: prints its dates and stores the rendered letter."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        target = get_customer(session, owner.id, customer)
        currency = target.currency

        def amount(text: str) -> int:
            return parse_amount(text, currency)

        itemization = Itemization.of(
            kind.strip().lower(),
            parse_date(itemized_on),
            amount(owed),
            amount(interest),
            amount(fees),
            amount(paid),
        )
        sent_notice = send_notice(session, owner, target, parse_date(sent), itemization, creditor)
        notice = sent_notice.notice
        if out is not None:
            # before the commit: a notice that cannot be written is not recorded as sent
            _write(Path(out), sent_notice.document.html)
        lines = [
            f"Validation notice {notice.id} ({notice_reference(notice)}) for {customer}: "
            f"{display(notice.total, currency)} {currency}.",
            f"Sent {notice.sent_on}, assumed received {notice.assumed_receipt_on}, "
            f"validation period ends {notice.ends_on}.",
        ]
    for line in lines:
        console.print(line, highlight=False)
    if out is not None:
        console.print(f"Written to {out}.", highlight=False)


def _write(out: Path, html: str) -> None:
    # html_to_pdf raises RendererUnavailable (a CobroError naming the install command) when
    # WeasyPrint or Pango is missing; an .html file needs neither
    if out.suffix.lower() == ".pdf":
        out.write_bytes(html_to_pdf(html))
    else:
        out.write_text(html, encoding="utf-8")


@validation_app.command("dispute")
def dispute_command(
    notice: int = typer.Argument(..., help="The notice's id."),
    received: str = typer.Option(..., "--received", help="The day the dispute was received."),
    amount: str | None = typer.Option(
        None, "--amount", help="The disputed part (default: the whole debt)."
    ),
    invoices: list[str] = typer.Option(  # noqa: B008 (typer's way to declare a list option)
        [], "--invoice", help="Hold this invoice only (repeat for more; default: the customer)."
    ),
    honour_late: bool = typer.Option(
        False, "--honour-late", help="Stop collection even if the dispute is late."
    ),
    note: str | None = typer.Option(None, "--note", help="What the consumer said."),
    company: str | None = CompanyOption,
) -> None:
    """Record a dispute: in time, collection stops until verification is sent."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        currency = get_notice(session, owner, notice).currency
        outcome = record_dispute(
            session,
            owner,
            notice,
            parse_date(received),
            amount=None if amount is None else parse_amount(amount, currency),
            invoice_ids=[get_invoice(session, owner.id, number).id for number in invoices],
            honour=honour_late,
            note=note,
        )
        message = outcome.message
    console.print(message, highlight=False)


@validation_app.command("verified")
def verified_command(
    dispute: int = typer.Argument(..., help="The dispute's id."),
    on: str = typer.Option(..., "--on", help="The day the verification was mailed."),
    company: str | None = CompanyOption,
) -> None:
    """Record that verification was sent: the dispute's holds end that day."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        done = verification_sent(session, owner, dispute, parse_date(on))
        day = done.verification_sent_on
    console.print(f"Verification for dispute {dispute} sent on {day}: collection may resume.")


@validation_app.command("list")
def list_command(company: str | None = CompanyOption) -> None:
    """The company's validation notices, newest first, with their disputes."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        rows = [
            (
                str(row.notice.id),
                row.customer,
                str(row.notice.sent_on),
                str(row.notice.ends_on),
                f"{display(row.notice.total, row.notice.currency)} {row.notice.currency}",
                row.notice.itemization_kind,
                "; ".join(_dispute_state(d) for d in row.disputes),
            )
            for row in list_notices(session, owner)
        ]
    headings = ("id", "customer", "sent", "ends", "total", "itemized as of", "disputes")
    print_rows(headings, rows, "notices")


def _dispute_state(dispute: ValidationDispute) -> str:
    if dispute.verification_sent_on is not None:
        state = f"verified {dispute.verification_sent_on}"
    elif dispute.hold_id is not None:
        state = "collection stopped"
    else:
        state = "late, not held"
    return f"{dispute.id}: {dispute.received_on} {state}"
