"""`cobro policies backtest`: a candidate policy against the one in use, replayed over the last
months of the company's own ledger (`scoring.backtest`). It writes nothing."""

from __future__ import annotations

import typer

from cobro.edge import (
    CompanyOption,
    cli_errors,
    company_of,
    console,
    day_of,
    print_rows,
    unit_of_work,
)
from cobro.scoring.backtest import MAX_MONTHS, Backtest, backtest


def backtest_command(
    candidate: str = typer.Argument(..., help="Code of the policy to try."),
    current: str | None = typer.Option(
        None, "--current", help="Code of the policy to compare with (default: the default one)."
    ),
    months: int = typer.Option(
        6, "--months", help=f"How many whole months to replay, ending on --on (1 to {MAX_MONTHS})."
    ),
    on: str | None = typer.Option(
        None, "--on", help="The last day replayed (default: today in the company's time zone)."
    ),
    company: str | None = CompanyOption,
) -> None:
    """Compare what a candidate policy would have done over the last months of your own invoices
    with the policy in use: messages, letters, fees, contacts per customer and week, and the DSO.

    Every invoice is taken to follow the policy compared (choices for one customer or invoice and
    holds are not replayed), and the DSO change is an estimate: a payment that came within a week
    of a reminder is moved to the other policy's reminder of the same rank."""
    with cli_errors(), unit_of_work(dry_run=True) as session:
        owner = company_of(session, company)
        result = backtest(session, owner, candidate, current, months, day_of(on, owner))
    _print(result)


def _print(result: Backtest) -> None:
    console.print(
        f"Policy {result.candidate_code} against {result.current_code}, "
        f"{result.start} to {result.end}: {result.items} invoices of {result.customers} "
        f"customers, {result.min_gap} days at least between stages."
    )
    headings = (
        "",
        f"{result.current_code} (current)",
        f"{result.candidate_code} (candidate)",
        "difference",
    )
    print_rows(headings, result.rows(), "measures")
    lines = result.dso_lines()
    for line in lines:
        console.print(line)
    if not lines:
        console.print("DSO: no credit sales in the period, so no estimate.")
