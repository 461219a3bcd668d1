"""`cobro cycle`: the daily run."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import typer
from rich import box
from rich.table import Table

from cobro.cycle.service import CycleReport, run_cycle
from cobro.edge import CompanyOption, cli_errors, company_of, console, day_of, fail, unit_of_work
from cobro.kit.dates import parse_date

# a backfill longer than this is more likely a typo in the year than a wish
MAX_BACKFILL_DAYS = 3 * 366


def cycle_command(
    on: str | None = typer.Option(
        None, "--on", help="The day to run for (default: today in the company's time zone)."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Show what would be queued, per stage and channel; write nothing."
    ),
    backfill: str | None = typer.Option(
        None,
        "--backfill",
        help="Run every day from this date up to --on, in order (each day its own transaction).",
    ),
    company: str | None = CompanyOption,
) -> None:
    """Decide, for every open item, the stage due today and queue its actions in the outbox.

    Running it again for the same day queues nothing new. Messages wait in the outbox until
    their send window; `cobro worker` sends them."""
    with cli_errors():
        with unit_of_work() as session:
            owner = company_of(session, company)
            last = day_of(on, owner)
        first = parse_date(backfill) if backfill else last
        if first > last:
            fail(f"--backfill {first} is after the last day {last}")
        if (last - first).days > MAX_BACKFILL_DAYS:
            fail(f"--backfill {first}: more than {MAX_BACKFILL_DAYS} days before {last}")
        reports = []
        day = first
        while day <= last:
            with unit_of_work(dry_run=dry_run, writes=True) as session:
                reports.append(run_cycle(session, company_of(session, company), day))
            day += timedelta(days=1)
    for report in reports if len(reports) <= 1 else reports[-1:]:
        print_report(report, dry_run)
    if len(reports) > 1:
        created = sum(report.created for report in reports)
        console.print(f"Backfilled {len(reports)} days from {first}: {created} actions queued.")


def _print_small_balances(report: CycleReport) -> None:
    # its own function: print_report is at the branch limit the linter sets
    if report.small_balances:
        console.print(
            f"{report.small_balances} small balances written off (cobro writeoffs settings)."
        )


def print_report(report: CycleReport, dry_run: bool) -> None:
    verb = "would queue" if dry_run else "queued"
    table = Table(title=f"Cycle {report.company} on {report.on}: {verb}", box=box.SIMPLE_HEAD)
    kinds = sorted({kind for _stage, kind in report.queued})
    stages = list(dict.fromkeys(stage for stage, _kind in report.queued))
    table.add_column("stage")
    table.add_column("items", justify="right")
    for kind in kinds:
        table.add_column(kind, justify="right")
    for stage in stages:
        counts = [report.queued[(stage, kind)] for kind in kinds]
        table.add_row(stage, str(report.moved[stage]), *(str(c or "") for c in counts))
    per_kind = Counter({kind: sum(report.queued[(s, kind)] for s in stages) for kind in kinds})
    table.add_row(
        "[bold]total[/]",
        f"[bold]{sum(report.moved.values())}[/]",
        *(f"[bold]{per_kind[kind]}[/]" for kind in kinds),
    )
    console.print(table)
    console.print(f"{report.items} open items looked at; {sum(report.moved.values())} moved.")
    if report.held:
        held = ", ".join(f"{count} {reason}" for reason, count in report.held.most_common())
        console.print(f"Not chased: {held}.")
    if report.skipped:
        skipped = ", ".join(f"{count} {why}" for why, count in report.skipped.most_common())
        console.print(f"Skipped: {skipped}.")
    if report.deferred:
        console.print(
            f"{report.deferred} actions wait past {report.on} "
            "(weekend, holiday, quiet hours or contact limit)."
        )
    if report.taken:
        console.print(
            f"{report.taken} of these moves were written by another run of the same day, "
            "at the same time; they are counted once, there."
        )
    if not dry_run:
        console.print(
            f"{report.created} new actions in the outbox"
            + ("" if report.created else " (this day had already run)")
            + "; `cobro worker --once` sends what is due."
        )
    if report.claims_expired:
        console.print(
            f'{report.claims_expired} "I\'ve paid" claims ended with no payment: a follow-up '
            "task each (cobro tasks)."
        )
    if report.set_off_hints:
        console.print(
            f"{report.set_off_hints} customers are also owed money by the company: their "
            "reminders wait for a set-off, a review task each (cobro setoff list)."
        )
    _print_small_balances(report)
    _print_promises(report)
    if report.plans_completed:
        console.print(f"{report.plans_completed} payment plans completed.")
    if report.plans_broken:
        console.print(
            f"{report.plans_broken} payment plans broken: a call task each (cobro tasks)."
        )


def _print_promises(report: CycleReport) -> None:
    if report.promises_kept:
        console.print(f"{report.promises_kept} promises to pay kept.")
    if report.promises_broken:
        console.print(
            f"{report.promises_broken} promises to pay broken: a call task each (cobro tasks)."
        )
