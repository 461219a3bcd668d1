"""`cobro customers list|show|segment`."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from cobro.customer.service import get_customer, list_customers, set_segment
from cobro.edge import CompanyOption, cli_errors, company_of, console, unit_of_work
from cobro.kit.money import display
from cobro.terms.models import PaymentTerms

customers_app = typer.Typer(help="Look at customers (debtors).", no_args_is_help=True)


@customers_app.command("list")
def list_command(
    search: str | None = typer.Option(None, "--search", "-s", help="Part of the name or id."),
    limit: int = typer.Option(50, "--limit", help="How many rows to show."),
    offset: int = typer.Option(0, "--offset", help="Rows to skip (for paging)."),
    company: str | None = CompanyOption,
) -> None:
    """List customers, ordered by their id."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        table = Table("id", "name", "kind", "country", "lang", "currency", "credit limit")
        for customer in list_customers(session, owner.id, search, limit, offset):
            table.add_row(
                customer.external_id,
                customer.name,
                customer.kind,
                customer.country,
                customer.language,
                customer.currency,
                ""
                if customer.credit_limit is None
                else display(customer.credit_limit, customer.currency),
            )
    console.print(table)


@customers_app.command("show")
def show_command(
    customer_id: str = typer.Argument(..., help="The customer's id (external id)."),
    company: str | None = CompanyOption,
) -> None:
    """Show one customer: details and contacts."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        customer = get_customer(session, owner.id, customer_id)
        terms = session.get(PaymentTerms, customer.terms_id) if customer.terms_id else None
        details = Table.grid(padding=(0, 2))
        for label, value in (
            ("id", customer.external_id),
            ("name", customer.name),
            ("kind", customer.kind),
            (
                "country / language / time zone",
                f"{customer.country} / {customer.language} / {customer.timezone}",
            ),
            ("currency", customer.currency),
            (
                "credit limit",
                ""
                if customer.credit_limit is None
                else display(customer.credit_limit, customer.currency),
            ),
            ("payment terms", f"{terms.code} ({terms.description})" if terms else ""),
            ("tax id", customer.tax_id or ""),
            ("collector", customer.collector or ""),
            ("tags", ", ".join(customer.tags or [])),
            ("segment / grade", f"{customer.segment or '-'} / {customer.grade or '-'}"),
        ):
            details.add_row(f"[bold]{label}[/]", value)
        contacts = Table("name", "email", "phone", "address", title="Contacts")
        for contact in customer.contacts:
            address = ", ".join(
                part
                for part in (
                    " ".join(p for p in (contact.street, contact.building_number) if p),
                    " ".join(p for p in (contact.postal_code, contact.city) if p),
                    contact.region,
                    contact.country,
                )
                if part
            )
            contacts.add_row(contact.name or "", contact.email or "", contact.phone or "", address)
    console.print(details)
    console.print(contacts)
    console.print(f"Invoices: `cobro invoices list --customer {customer_id}`")


@customers_app.command("segment")
def segment_command(
    customer_id: str = typer.Argument(..., help="The customer's id (external id)."),
    segment: str = typer.Argument(..., help='The segment, e.g. retail; "" takes it out of any.'),
    company: str | None = CompanyOption,
) -> None:
    """Put a customer in a segment: assignment rules (`cobro policies rules`) and chase
    settings (`cobro settings set --segment`) match on it, exactly as written."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        customer = set_segment(session, owner.id, customer_id, segment)
        now = customer.segment
    if now is None:
        console.print(f"Customer {escape(customer_id)} is in no segment now.")
    else:
        console.print(f"Customer {escape(customer_id)} is in segment {escape(now)!r}.")
