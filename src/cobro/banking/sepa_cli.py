"""`cobro sepa …`: direct-debit mandates, the pain.008 export for a collection date, and the
banks' status reports (pain.002) whose rejects undo collections. `cobro bank settings` holds
the creditor identifier and address the export needs."""

from __future__ import annotations

from pathlib import Path

import typer

from cobro.banking import debits, mandates, returns
from cobro.edge import (
    CompanyOption,
    cli_errors,
    company_of,
    console,
    day_of,
    print_rows,
    unit_of_work,
)
from cobro.kit.dates import parse_date, utcnow
from cobro.kit.money import display

sepa_app = typer.Typer(help="SEPA direct debit: mandates, pain.008 export, status reports.")
mandates_app = typer.Typer(help="Direct-debit mandates signed by customers.")
sepa_app.add_typer(mandates_app, name="mandates")
OUT = typer.Option(Path("."), "--out", help="Folder the pain.008 files are written to.")
REPORT = typer.Argument(..., exists=True, dir_okay=False, help="A pain.002 status report.")
CLI = (None, "cli")


@mandates_app.command("list")
def mandates_list(company: str | None = CompanyOption) -> None:
    """Every mandate with its state and the sequence type of its next collection."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        rows = [
            (
                m.reference,
                str(m.customer_id),
                m.scheme,
                m.iban,
                str(m.signed_on),
                m.state,
                m.next_sequence,
                str(m.last_collected_on or ""),
            )
            for m in mandates.list_mandates(session, owner, day_of(None, owner))
        ]
    headings = ("reference", "customer", "scheme", "IBAN", "signed", "state", "next", "last")
    print_rows(headings, rows, "mandates")


@mandates_app.command("add")
def mandates_add(
    customer: str = typer.Argument(..., help="The customer's external id."),
    reference: str = typer.Option(..., "--reference", help="The mandate reference (UMR)."),
    signed_on: str = typer.Option(..., "--signed-on", help="Signature date, YYYY-MM-DD."),
    iban: str = typer.Option(..., "--iban", help="The debtor's IBAN (checked)."),
    bic: str | None = typer.Option(None, "--bic", help="Optional."),
    scheme: str = typer.Option("CORE", "--scheme", help="CORE (consumers) or B2B."),
    name: str | None = typer.Option(None, "--name", help="Account holder (default: customer)."),
    one_off: bool = typer.Option(False, "--one-off", help="Valid for one collection (OOFF)."),
    company: str | None = CompanyOption,
) -> None:
    """Record a mandate the customer signed."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        data = mandates.MandateIn(
            customer, reference, parse_date(signed_on), scheme, iban, bic, name, one_off
        )
        mandate = mandates.add_mandate(session, owner, data, day_of(None, owner), CLI, utcnow())
        said = f"{mandate.reference} ({mandate.scheme}, {mandate.iban})"
    console.print(f"Mandate {said} added.", highlight=False)


@mandates_app.command("revoke")
def mandates_revoke(
    reference: str = typer.Argument(..., help="The mandate reference."),
    reason: str = typer.Option(..., "--reason", help="Why it ends (kept with it)."),
    company: str | None = CompanyOption,
) -> None:
    """End a mandate: nothing more is collected on it."""
    with cli_errors(), unit_of_work() as session:
        mandates.revoke_mandate(
            session, company_of(session, company), reference, reason, CLI, utcnow()
        )
    console.print(f"Mandate {reference} revoked.", highlight=False)


@sepa_app.command("export")
def sepa_export(
    collection_date: str = typer.Option(..., "--collection-date", help="YYYY-MM-DD."),
    version: str = typer.Option(
        "pain.008.001.08", "--version", help="pain.008.001.08 (current) or pain.008.001.02."
    ),
    out: Path = OUT,
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what is due; write nothing."),
    company: str | None = CompanyOption,
) -> None:
    """Write the direct debits due on a collection date: each customer with a mandate is
    debited once for their open invoices due by then (invoices issued too late to be the
    pre-notification wait). The invoices count as paid on that date; a return undoes it."""
    day = parse_date(collection_date)
    files: list[tuple[Path, str]] = []
    with cli_errors(), unit_of_work(dry_run=dry_run) as session:
        owner = company_of(session, company)
        today = day_of(None, owner)
        plan = debits.plan_batch(session, owner, day, today)
        # said before the transaction ends: a dry run's rollback forgets every row read
        said = [
            f"{customer.external_id} ({mandate.reference}): "
            + ", ".join(invoice.number for invoice in invoices)
            for mandate, customer, invoices, _amount in plan.collections
        ]
        said += [f"waiting: {number} — {why}" for number, why in plan.waiting]
        if not dry_run:
            for batch in debits.export_batches(session, owner, day, version, today, CLI, utcnow()):
                path = out / f"{batch.message_id}.xml"
                files.append((path, batch.document))
                total = display(batch.total, "EUR")
                said.append(f"Wrote {path}: {batch.count} debits, {total} EUR.")
        if not plan.collections:
            said.append("Nothing is due for direct debit on that date.")
    # written once the batches are committed: a file on disk is always one Cobro knows of
    for path, document in files:
        path.write_text(document, encoding="utf-8")
    for text in said:
        console.print(text, highlight=False)


@sepa_app.command("status")
def sepa_status(
    report: Path = REPORT,
    company: str | None = CompanyOption,
) -> None:
    """Read the bank's pain.002 status report: each rejected debit is undone (the invoices are
    open again, back in their policy, with a task)."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        result = returns.apply_status_report(
            session, owner, report.read_bytes(), day_of(None, owner), utcnow()
        )
    console.print(
        f"Report on {result.message_id}: {len(result.rejected)} rejected and undone, "
        f"{len(result.already)} undone before, {len(result.unknown)} not Cobro's.",
        highlight=False,
    )


@sepa_app.command("batches")
def sepa_batches(company: str | None = CompanyOption) -> None:
    """The pain.008 files written, newest first (the latest 200)."""
    with cli_errors(), unit_of_work() as session:
        rows = [
            (
                str(batch.id),
                batch.message_id,
                batch.version,
                str(batch.collection_date),
                str(batch.count),
                f"{display(batch.total, batch.currency)} {batch.currency}",
                batch.sha256[:12],
            )
            for batch in debits.list_batches(session, company_of(session, company))
        ]
    headings = ("id", "message", "version", "collection", "debits", "total", "sha256")
    print_rows(headings, rows, "batches")
