"""`cobro init` and `cobro companies`."""

from __future__ import annotations

import typer
from rich.table import Table

from cobro.company.service import create_company, list_companies
from cobro.config import load_settings
from cobro.db import upgrade
from cobro.edge import cli_errors, console, unit_of_work


def init_command(
    code: str = typer.Option("main", "--code", help="Short code of the company (lower case)."),
    name: str = typer.Option("My Company", "--name", help="Legal or display name."),
    country: str = typer.Option("ES", "--country", help="ISO 3166 country code, e.g. ES, US."),
    currency: str = typer.Option("EUR", "--currency", help="Reporting currency (ISO 4217)."),
    timezone: str = typer.Option(
        "Europe/Madrid", "--timezone", help="IANA time zone of the company."
    ),
) -> None:
    """Create the database tables if needed and register a company to collect for."""
    with cli_errors():
        upgrade(load_settings().database_url)
        with unit_of_work() as session:
            company = create_company(session, code, name, country, currency, timezone)
            console.print(
                f"Created company [bold]{company.code}[/] ({company.name}, {company.country}, "
                f"{company.currency}, {company.timezone})."
            )
    console.print("Next: `cobro import customers FILE`, then `cobro import invoices FILE`.")


def companies_command() -> None:
    """List the companies in the database."""
    with cli_errors(), unit_of_work() as session:
        table = Table("code", "name", "country", "currency", "time zone")
        for company in list_companies(session):
            table.add_row(
                company.code, company.name, company.country, company.currency, company.timezone
            )
    console.print(table)
