"""`cobro tasks`: the open work for collectors."""

from __future__ import annotations

import typer
from rich import box
from rich.table import Table

from cobro.edge import CompanyOption, cli_errors, company_of, console, unit_of_work
from cobro.task.service import open_tasks


def tasks_command(
    kind: str | None = typer.Option(
        None, "--kind", help="call, follow_up, failed_message, escalation or review."
    ),
    company: str | None = CompanyOption,
) -> None:
    """Open tasks, oldest first: calls to make, failed messages to look at, cases to open."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        rows = [
            (t.id, t.due_on, t.kind, t.assignee or "", t.title, t.detail or "")
            for t in open_tasks(session, owner.id, kind)
        ]
    table = Table(box=box.SIMPLE_HEAD)
    for heading in ("id", "due", "kind", "collector", "task", "detail"):
        table.add_column(heading)
    for row in rows:
        table.add_row(*(str(value) for value in row))
    console.print(table)
    console.print(f"{len(rows)} open tasks.")
