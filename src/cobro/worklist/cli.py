"""`cobro worklist assign`: split the worklist's customers among the collectors, each within
what they can work (`worklist.assign_rules` says how and why)."""

from __future__ import annotations

import typer

from cobro.audit.actor import Actor
from cobro.edge import (
    CompanyOption,
    OnOption,
    cli_errors,
    company_of,
    console,
    day_of,
    fail,
    print_rows,
    unit_of_work,
)
from cobro.worklist.assign import assign_collectors, external_ids
from cobro.worklist.assign_rules import Assignment
from cobro.worklist.repository import collectors

worklist_app = typer.Typer(help="The worklist: who to chase first, and which collector works whom.")
UNPLACED_SHOWN = 10  # the unplaced customers named on the screen (the most urgent)


def parse_collector(text: str) -> tuple[str, int]:
    """`--collector "Ana Ruiz:40"` -> ("Ana Ruiz", 40). The last colon splits, so a name may
    hold one; a bad one ends the command in one line naming the option."""
    name, colon, number = text.rpartition(":")
    name = name.strip()
    if not colon or not name:
        fail(f'--collector {text!r}: write NAME:CAPACITY, e.g. "Ana Ruiz:40"')
    try:
        capacity = int(number.strip())
    except ValueError:
        fail(f"--collector {text!r}: the capacity after the colon must be a whole number")
    if capacity < 0:
        fail(f"--collector {text!r}: the capacity must be 0 or more")
    return name, capacity


def parse_collectors(texts: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for text in texts:
        name, capacity = parse_collector(text)
        if name in found:
            fail(f"--collector {name!r} is given twice")
        found[name] = capacity
    return found


def team_capacity(named: dict[str, int], everyone: int | None, known: list[str]) -> dict[str, int]:
    """The collectors of --collector, and, with --capacity, every collector already named on
    the company's customers that --collector did not name (its capacity overrides)."""
    if everyone is None:
        if not named:
            fail("name the collectors with --collector NAME:CAPACITY, or give --capacity N")
        return named
    if everyone < 0:
        fail(f"--capacity must be 0 or more, not {everyone}")
    team = dict.fromkeys(known, everyone)
    team.update(named)
    if not team:
        fail("--capacity: no customer has a collector yet; name them with --collector")
    return team


@worklist_app.command("assign")
def assign_command(
    collector: list[str] = typer.Option(  # noqa: B008 (typer's way to declare a list option)
        [], "--collector", help='NAME:CAPACITY, e.g. "Ana Ruiz:40" (repeat for each collector).'
    ),
    capacity: int | None = typer.Option(
        None,
        "--capacity",
        help="The capacity of every collector already on the company's customers "
        "(those named with --collector keep theirs).",
    ),
    on: str | None = OnOption,
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Show the split it would make; write nothing."
    ),
    company: str | None = CompanyOption,
) -> None:
    """Give each collector the most urgent customers of the worklist they can work: a customer
    keeps its collector while they have room; the others go to whoever has most room left.
    Customers on hold are left out; those nobody has room for stay as they are."""
    named = parse_collectors(collector)
    with cli_errors(), unit_of_work(dry_run=dry_run) as session:
        owner = company_of(session, company)
        team = team_capacity(named, capacity, collectors(session, owner.id))
        done = assign_collectors(
            session,
            owner.id,
            day_of(on, owner),
            team,
            dry_run=dry_run,
            actor=Actor(name="cobro worklist assign"),
        )
        shown = external_ids(session, owner.id, done.unplaced[:UNPLACED_SHOWN])
    _print(done, shown, dry_run)


def _print(done: Assignment, unplaced_shown: list[str], dry_run: bool) -> None:
    rows = [(name, str(load)) for name, load in done.load.items()]
    print_rows(("collector", "customers after"), rows, "collectors")
    verb = "would change" if dry_run else "changed"
    console.print(
        f"{done.changed} customers {verb} collector, {done.kept} kept theirs, "
        f"{len(done.unplaced)} unplaced."
    )
    if unplaced_shown:
        more = len(done.unplaced) - len(unplaced_shown)
        tail = f" and {more} more" if more else ""
        console.print(f"Unplaced (most urgent first): {', '.join(unplaced_shown)}{tail}.")
