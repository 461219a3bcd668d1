"""`cobro demo`: fill the database with a realistic company to try Cobro on."""

from __future__ import annotations

import time

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.orm import Session

from cobro.demo.agreements import demo_agreements
from cobro.demo.bank import demo_bank
from cobro.demo.generator import default_invoices
from cobro.demo.logins import demo_logins
from cobro.demo.service import (
    COMPANY_TIMEZONE,
    DemoOptions,
    DemoSummary,
    build_demo,
    demo_exists,
)
from cobro.edge import cli_errors, company_of, console, fail, unit_of_work
from cobro.kit.dates import parse_date, today_in, utcnow
from cobro.kit.money import display

_SHOWN = (
    ("customer", "customers"),
    ("contact", "contacts"),
    ("invoice", "invoices"),
    ("installment", "installments"),
    ("payment", "payments"),
    ("allocation", "allocations"),
    ("credit_note", "credit notes"),
    ("write_off", "write-offs"),
)


def demo_command(
    seed: int = typer.Option(42, "--seed", help="Random seed: the same seed gives the same data."),
    customers: int = typer.Option(
        2000, "--customers", min=1, help="How many customers (ES, DE, FR, GB, US, MX)."
    ),
    invoices: int | None = typer.Option(
        None,
        "--invoices",
        min=1,
        help="How many invoices over the 18 months (default: 20 per customer).",
    ),
    on: str | None = typer.Option(
        None,
        "--on",
        metavar="DATE",
        help="The demo's today: the history ends that day (default: today in Madrid).",
    ),
    company: str = typer.Option("demo", "--company", "-c", help="Code of the demo company."),
    replace: bool = typer.Option(
        False, "--replace", help="Delete that company and its data first, then build it again."
    ),
    if_missing: bool = typer.Option(
        False, "--if-missing", help="Do nothing when the company already exists (for scripts)."
    ),
    logins: bool = typer.Option(
        False,
        "--logins",
        help="Also give the demo admin and collector new passwords and print them (make run).",
    ),
) -> None:
    """Build a demo company: customers in six countries with contacts, terms and credit
    limits; 18 months of invoices; payments from punctual, slow, erratic, chronically late,
    partial, disputing and non-paying customers; credit notes and write-offs. All in one
    transaction: on any error nothing is written."""
    if replace and if_missing:
        fail("--replace and --if-missing contradict each other: choose one")
    started = time.perf_counter()
    with cli_errors():
        day = parse_date(on) if on else today_in(COMPANY_TIMEZONE)
        count = invoices if invoices is not None else default_invoices(customers)
        options = DemoOptions(day, seed, customers, count, company, replace)
        summary = None
        signins: list[tuple[str, str, str]] = []
        with unit_of_work() as session:
            if if_missing and demo_exists(session, company):
                console.print(f"Company [bold]{company}[/] already exists: nothing to do.")
            else:
                summary = _build_with_progress(session, options, count)
                bank = demo_bank(session, company_of(session, company), day, seed, utcnow())
                out = bank.outcome
                console.print(
                    f"Yesterday's bank statement: {bank.new_lines} lines, {out.applied} applied, "
                    f"{out.review + out.unmatched} to review (cobro bank review).",
                    highlight=False,
                )
                made = demo_agreements(session, company_of(session, company), day, seed)
                if made:
                    console.print(
                        f"Agreements: {', '.join(made)} (cobro promises|plans|disputes|"
                        "writeoffs|setoff list).",
                        highlight=False,
                    )
                console.print("Committing…")
        if logins:
            with unit_of_work() as session:
                signins = demo_logins(session, company_of(session, company), utcnow())
    if summary is not None:
        _print_summary(summary, time.perf_counter() - started)
    if logins:
        console.print("Sign in at http://127.0.0.1:8000/login as (new passwords each time):")
        for email, role, password in signins:
            console.print(f"  {role:<10} {email:<26} {password}")


def _build_with_progress(session: Session, options: DemoOptions, count: int) -> DemoSummary:
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("Generating and writing invoices", total=count)
        return build_demo(session, options, lambda done: progress.advance(task, done))


def _print_summary(summary: DemoSummary, seconds: float) -> None:
    table = Table("rows", "count")
    table.columns[1].justify = "right"
    for name, label in _SHOWN:
        table.add_row(label, f"{summary.rows.get(name, 0):,}")
    for currency, amount in summary.open_by_currency.items():
        table.add_row(f"open {currency}", display(amount, currency))
    console.print(f"Demo company {summary.company!r}, history up to {summary.on}:")
    console.print(table)
    console.print(
        f"Built in {seconds:.1f} s. Try `cobro aging --company {summary.company} "
        f"--on {summary.on}`."
    )
