"""`cobro policies …`, `cobro holds …` and `cobro opt-out`."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import typer
from rich import box
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.customer.models import Customer
from cobro.edge import CompanyOption, company_of, console, day_of, fail, unit_of_work
from cobro.errors import CobroError, Invalid, NotFound
from cobro.invoice.models import Invoice
from cobro.kit.dates import parse_date
from cobro.policy.document import policy_to_mapping
from cobro.policy.holds import list_holds, opt_in, opt_out, place_hold, release_hold
from cobro.policy.models import HOLD_KINDS
from cobro.policy.service import (
    as_policy,
    assign_to_customer,
    ensure_default_policy,
    get_policy,
    list_policies,
    save_policy,
)

POLICY_FILE = typer.Argument(..., help="A policy in TOML or JSON (see docs/user-guide.md).")

policies_app = typer.Typer(help="Collection policies: stages, offsets and actions.")
holds_app = typer.Typer(help="Holds: stop chasing a customer or an invoice for a while.")


@policies_app.command("list")
def policies_list(company: str | None = CompanyOption) -> None:
    """Every policy of the company (the built-in default is saved on first use)."""
    try:
        with unit_of_work() as session:
            owner = company_of(session, company)
            ensure_default_policy(session, owner)
            rows = [
                (p.code, p.name, p.is_default, len(p.stages)) for p in list_policies(session, owner)
            ]
    except CobroError as exc:
        fail(exc.message)
    table = Table(box=box.SIMPLE_HEAD)
    for heading in ("code", "name", "default", "stages"):
        table.add_column(heading)
    for code, name, default, stages in rows:
        table.add_row(code, name, "yes" if default else "", str(stages))
    console.print(table)


@policies_app.command("show")
def policies_show(
    code: str = typer.Argument("default"), company: str | None = CompanyOption
) -> None:
    """The stages of one policy: day, tone, actions and conditions."""
    try:
        with unit_of_work() as session:
            owner = company_of(session, company)
            ensure_default_policy(session, owner)
            policy = as_policy(get_policy(session, owner, code))
    except CobroError as exc:
        fail(exc.message)
    table = Table(title=f"{policy.code}: {policy.name}", box=box.SIMPLE_HEAD)
    for heading in ("stage", "day", "tone", "actions", "when"):
        table.add_column(heading)
    for stage in policy_to_mapping(policy)["stages"]:
        table.add_row(
            stage["code"],
            f"{stage['offset']:+d}",
            stage["tone"],
            ", ".join(stage["actions"]),
            json.dumps(stage.get("when", {}), ensure_ascii=False) if stage.get("when") else "",
        )
    console.print(table)


@policies_app.command("set")
def policies_set(
    file: Path = POLICY_FILE,
    default: bool = typer.Option(False, "--default", help="Make it the company's default."),
    company: str | None = CompanyOption,
) -> None:
    """Create or replace a policy from a file; refused whole if any stage is wrong."""
    try:
        data = _read(file)
        with unit_of_work() as session:
            row = save_policy(session, company_of(session, company), data, default=default)
            code = row.code
    except CobroError as exc:
        fail(exc.message)
    console.print(f"Policy {code!r} saved{' as the default' if default else ''}.")


@policies_app.command("assign")
def policies_assign(
    customer: str = typer.Argument(..., help="Customer external id."),
    policy: str = typer.Argument(..., help="Policy code, or 'rules' to follow the rules again."),
    company: str | None = CompanyOption,
) -> None:
    """Pin a policy on one customer (it wins over the assignment rules)."""
    try:
        with unit_of_work() as session:
            owner = company_of(session, company)
            target = _customer(session, owner.id, customer)
            assign_to_customer(session, owner, target, None if policy == "rules" else policy)
    except CobroError as exc:
        fail(exc.message)
    console.print(f"Customer {customer} now follows {policy!r}.")


def _read(file: Path) -> dict[str, object]:
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise Invalid(f"{file}: {exc.strerror}") from None
    try:
        data = json.loads(text) if file.suffix.lower() == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise Invalid(f"{file}: {exc}") from None
    if not isinstance(data, dict):
        raise Invalid(f"{file}: expected a table with code, name and stages")
    return data


def _customer(session: Session, company_id: int, external_id: str) -> Customer:
    found = session.scalar(
        select(Customer).where(
            Customer.company_id == company_id, Customer.external_id == external_id
        )
    )
    if found is None:
        raise NotFound(f"no customer {external_id!r}", field="customer")
    return found


@holds_app.command("add")
def holds_add(
    customer: str = typer.Argument(..., help="Customer external id."),
    kind: str = typer.Option("manual", "--kind", help=f"One of {', '.join(HOLD_KINDS)}."),
    reason: str = typer.Option(..., "--reason", help="Why (shown to collectors)."),
    invoice: str | None = typer.Option(None, "--invoice", help="Hold one invoice only."),
    start: str | None = typer.Option(None, "--from", help="First day (default: today)."),
    until: str | None = typer.Option(None, "--until", help="Last day (default: until released)."),
    company: str | None = CompanyOption,
) -> None:
    """Stop chasing a customer, or one invoice, from --from to --until."""
    try:
        with unit_of_work() as session:
            owner = company_of(session, company)
            target = _customer(session, owner.id, customer)
            item = None
            if invoice is not None:
                item = session.scalar(
                    select(Invoice).where(Invoice.company_id == owner.id, Invoice.number == invoice)
                )
                if item is None:
                    raise NotFound(f"no invoice {invoice!r}", field="invoice")
            hold = place_hold(
                session,
                owner,
                target,
                kind,
                reason,
                day_of(start, owner),
                parse_date(until) if until else None,
                invoice=item,
            )
            hold_id = hold.id
    except CobroError as exc:
        fail(exc.message)
    console.print(f"Hold {hold_id} placed.")


@holds_app.command("list")
def holds_list(
    on: str | None = typer.Option(None, "--on", help="Only holds in force that day."),
    company: str | None = CompanyOption,
) -> None:
    """Holds of the company, with their customer, invoice, kind and dates."""
    try:
        with unit_of_work() as session:
            owner = company_of(session, company)
            holds = list_holds(session, owner, parse_date(on) if on else None)
            names = {
                c.id: c.external_id
                for c in session.scalars(select(Customer).where(Customer.company_id == owner.id))
            }
            rows = [
                (
                    h.id,
                    names.get(h.customer_id, "?"),
                    h.invoice_id,
                    h.kind,
                    h.reason,
                    h.starts_on,
                    h.ends_on,
                    h.released_on,
                )
                for h in holds
            ]
    except CobroError as exc:
        fail(exc.message)
    table = Table(box=box.SIMPLE_HEAD)
    for heading in ("id", "customer", "invoice", "kind", "reason", "from", "until", "released"):
        table.add_column(heading)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)


@holds_app.command("release")
def holds_release(
    hold: int = typer.Argument(...),
    on: str | None = typer.Option(None, "--on", help="Release day (default: today)."),
    company: str | None = CompanyOption,
) -> None:
    """End a hold: the chase resumes at the stage the item is due for."""
    try:
        with unit_of_work() as session:
            owner = company_of(session, company)
            release_hold(session, owner, hold, day_of(on, owner))
    except CobroError as exc:
        fail(exc.message)
    console.print(f"Hold {hold} released.")


def opt_out_command(
    customer: str = typer.Argument(..., help="Customer external id."),
    channel: str = typer.Argument(..., help="email, sms, whatsapp, letter or registered_letter."),
    undo: bool = typer.Option(False, "--undo", help="Opt back in."),
    company: str | None = CompanyOption,
) -> None:
    """Record that a customer does not want to be contacted on a channel (or no longer)."""
    try:
        with unit_of_work() as session:
            owner = company_of(session, company)
            target = _customer(session, owner.id, customer)
            if undo:
                opt_in(session, target, channel)
            else:
                opt_out(session, target, channel, "cobro opt-out")
    except CobroError as exc:
        fail(exc.message)
    console.print(
        f"Customer {customer} {'opted back in to' if undo else 'opted out of'} {channel}."
    )
