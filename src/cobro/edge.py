"""What every CLI command (and later job) needs at the edge: settings, one transaction, the
company it acts for, and user errors printed as one clear line with a non-zero exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import NoReturn

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.company.service import get_company, list_companies
from cobro.config import load_settings
from cobro.db import describe_db_error, make_engine, transaction
from cobro.errors import CobroError
from cobro.kit.dates import parse_date, today_in

# Piped or captured output (make, cron, a file) has no terminal width; Rich would assume 80
# columns and squeeze amounts into "1,234…". A wide page keeps every figure whole.
_PIPED_WIDTH = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 160
console = Console(width=_PIPED_WIDTH)
errors = Console(stderr=True)

EXIT_USER_ERROR = 1


@contextmanager
def unit_of_work(dry_run: bool = False, writes: bool = False) -> Iterator[Session]:
    """One transaction for one command: all of it is written, or none of it. A dry run does
    all the same work and rolls it back, so what it reports is exactly what a real run does.
    `writes`: see `cobro.db.transaction` (long commands that others may run at the same time)."""
    url = load_settings().database_url
    db = make_engine(url)
    try:
        if dry_run:
            with Session(db) as session:
                try:
                    yield session
                finally:
                    session.rollback()
        else:
            with transaction(db, writes=writes) as session:
                yield session
    except SQLAlchemyError as exc:
        raise describe_db_error(exc, url) from exc
    finally:
        db.dispose()


def company_of(session: Session, code: str | None) -> Company:
    return get_company(session, code or load_settings().company)


def company_codes(session: Session) -> dict[int, str]:
    """{company id: code} of every company, to name companies in lists."""
    return {c.id: c.code for c in list_companies(session)}


def company_filter(session: Session, code: str | None) -> int | None:
    """The id of the company `code` names; None (every company) when no code is given."""
    return company_of(session, code).id if code else None


def print_rows(headings: Sequence[str], rows: Sequence[Sequence[str]], noun: str) -> None:
    """A plain table of `rows`, then how many there are: "3 users."."""
    table = Table(box=box.SIMPLE_HEAD)
    for heading in headings:
        table.add_column(heading)
    for row in rows:
        table.add_row(*row)
    console.print(table)
    console.print(f"{len(rows)} {noun}.")


def fail(message: str) -> NoReturn:
    errors.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(EXIT_USER_ERROR)


@contextmanager
def cli_errors() -> Iterator[None]:
    """A user error (`CobroError`) raised in the block ends the command as `fail` does: its
    message on one line, exit code 1. Typical use: `with cli_errors(), unit_of_work() as session:`
    (the transaction is rolled back first, then the error is reported)."""
    try:
        yield
    except CobroError as exc:
        fail(exc.message)


def day_of(on: str | None, company: Company) -> date:
    """The day a command works for: --on, or today in the company's time zone."""
    return parse_date(on) if on else today_in(company.timezone)


OnOption = typer.Option(
    None, "--on", help="Count days past due to this date (default: today, company time)."
)

CompanyOption = typer.Option(
    None, "--company", "-c", help="Company code (default: COBRO_COMPANY, or the only company)."
)
