"""`cobro portal link CUSTOMER [--days 60]`: print a customer's portal address."""

from __future__ import annotations

import typer

from cobro.config import load_settings
from cobro.customer.service import get_customer
from cobro.edge import CompanyOption, cli_errors, company_of, console, fail, unit_of_work
from cobro.kit.dates import utcnow
from cobro.portal.links import DEFAULT_DAYS, expiry, portal_token, portal_url

portal_app = typer.Typer(help="The debtor portal.", no_args_is_help=True)


@portal_app.command("link")
def link_command(
    customer_id: str = typer.Argument(..., help="The customer's id (external id)."),
    days: int = typer.Option(DEFAULT_DAYS, "--days", min=1, max=366, help="Days it works."),
    company: str | None = CompanyOption,
) -> None:
    """Print a signed link to the customer's portal page (no account needed)."""
    settings = load_settings()
    if settings.secret_key is None:
        fail("set COBRO_SECRET_KEY (the web app's key too): portal links are signed with it")
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        customer = get_customer(session, owner.id, customer_id)
        token = portal_token(settings.secret_key, owner.id, customer.id, expiry(utcnow(), days))
    console.print(portal_url(settings.base_url, token), soft_wrap=True, highlight=False)
