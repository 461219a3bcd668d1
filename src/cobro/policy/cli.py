"""`cobro policies list|show|set|assign` and `cobro policies rules [add|remove]`. Holds and
opt-outs: `holds_cli`; chase settings: `settings_cli`."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from cobro.customer.service import get_customer
from cobro.edge import CompanyOption, cli_errors, company_of, console, unit_of_work
from cobro.errors import Invalid
from cobro.invoice.service import get_invoice
from cobro.kit.money import check_currency, display, parse_amount
from cobro.policy.assign import AssignmentRule
from cobro.policy.cli_common import read_table, segment_note
from cobro.policy.document import policy_to_mapping
from cobro.policy.service import (
    ListedRule,
    add_rule,
    as_policy,
    assign_to_customer,
    assign_to_invoice,
    ensure_default_policy,
    get_policy,
    list_policies,
    list_rules,
    remove_rule,
    save_policy,
)

POLICY_FILE = typer.Argument(..., help="A policy in TOML or JSON (see docs/user-guide.md).")

policies_app = typer.Typer(help="Collection policies: stages, offsets and actions.")
rules_app = typer.Typer(help="Assignment rules: which policy an item follows.")
policies_app.add_typer(rules_app, name="rules")


@policies_app.command("list")
def policies_list(company: str | None = CompanyOption) -> None:
    """Every policy of the company (the built-in default is saved on first use)."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        ensure_default_policy(session, owner)
        rows = [
            (p.code, p.name, p.is_default, len(p.stages)) for p in list_policies(session, owner)
        ]
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
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        ensure_default_policy(session, owner)
        policy = as_policy(get_policy(session, owner, code))
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
    with cli_errors():
        data = read_table(file)
        with unit_of_work() as session:
            row = save_policy(session, company_of(session, company), data, default=default)
            code = row.code
    console.print(f"Policy {code!r} saved{' as the default' if default else ''}.")


@policies_app.command("assign")
def policies_assign(
    customer: str = typer.Argument(..., help="Customer external id."),
    policy: str = typer.Argument(..., help="Policy code, or 'rules' to follow the rules again."),
    invoice: str | None = typer.Option(
        None, "--invoice", help="Pin it on this invoice of the customer only ('rules': unpin)."
    ),
    company: str | None = CompanyOption,
) -> None:
    """Pin a policy on one customer, or one of its invoices (it wins over the rules)."""
    code = None if policy == "rules" else policy
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        ensure_default_policy(session, owner)  # "default" is there before the first cycle
        target = get_customer(session, owner.id, customer)
        if invoice is None:
            assign_to_customer(session, owner, target, code)
        else:
            item = get_invoice(session, owner.id, invoice)
            if item.customer_id != target.id:
                raise Invalid(f"invoice {invoice} is not customer {customer}'s", field="invoice")
            assign_to_invoice(session, owner, item, code)
    what = f"Invoice {invoice}" if invoice else f"Customer {customer}"
    console.print(f"{what} now follows {policy!r}.")


@rules_app.callback(invoke_without_command=True)
def rules_list(ctx: typer.Context, company: str | None = CompanyOption) -> None:
    """List the assignment rules in the order they are tried (`add` and `remove` change them).

    An item follows its invoice's own policy, else its customer's (`cobro policies assign`),
    else the policy of the first rule all of whose criteria match it, else the default."""
    if ctx.invoked_subcommand is not None:
        return
    with cli_errors(), unit_of_work() as session:
        rules = list_rules(session, company_of(session, company))
    table = Table(box=box.SIMPLE_HEAD)
    for heading in ("position", "policy", "segment", "country", "kind", "grade", "open at least"):
        table.add_column(heading)
    for rule in rules:
        criteria = rule.criteria
        table.add_row(
            str(rule.position),
            rule.policy,
            *(escape(value or "") for value in (criteria.segment, criteria.country)),
            criteria.kind or "",
            criteria.grade or "",
            _minimum(criteria),
        )
    if rules:
        console.print(table)
    console.print(
        f"{len(rules)} rules; items no rule matches follow the default policy."
        if rules
        else "No assignment rules: every item follows its customer's policy or the default."
    )


@rules_app.command("add")
def rules_add(
    policy: str = typer.Argument(..., help="Code of the policy the matching items follow."),
    segment: str | None = typer.Option(None, "--segment", help="Customers of this segment."),
    country: str | None = typer.Option(None, "--country", help="Customers in this country (ES)."),
    kind: str | None = typer.Option(None, "--kind", help="business or consumer."),
    grade: str | None = typer.Option(None, "--grade", help="Customers of this grade: A to D."),
    currency: str | None = typer.Option(
        None, "--currency", help="Items in this currency (with --min-amount: the amount's)."
    ),
    min_amount: str | None = typer.Option(
        None,
        "--min-amount",
        help="Items open for at least this much, e.g. 1000.00, in --currency "
        "(default: the company's currency).",
    ),
    company: str | None = CompanyOption,
) -> None:
    """Add a rule, tried after the existing ones: items matching every criterion given follow
    POLICY. At least one criterion is needed."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        money = None
        if min_amount is not None:
            currency = currency or owner.currency
            money = _amount(min_amount, currency)
        criteria = AssignmentRule(
            policy_id=0,  # the service sets the policy's own id
            segment=segment,
            country=country,
            kind=kind,
            grade=grade,
            currency=currency,
            min_amount=money,
        )
        ensure_default_policy(session, owner)  # "default" names a policy from the start
        rule = add_rule(session, owner, policy, criteria)
        position = rule.position
        note = segment_note(session, owner.id, rule.segment)
    console.print(f"Rule {position} added: matching items follow {policy!r}.")
    if note:
        console.print(note, highlight=False)


@rules_app.command("remove")
def rules_remove(
    position: int = typer.Argument(
        ..., help="The rule's position, as `cobro policies rules` shows."
    ),
    company: str | None = CompanyOption,
) -> None:
    """Remove one assignment rule; the others keep their positions and order."""
    with cli_errors(), unit_of_work() as session:
        removed = remove_rule(session, company_of(session, company), position)
    console.print(
        f"Rule {removed.position} removed (it sent {_describe(removed)} to {removed.policy!r})."
    )


def _amount(text: str, currency: str) -> int:
    try:
        code = check_currency(currency)
    except Invalid as exc:
        raise Invalid(f"--currency: {exc.message}", field="currency") from None
    try:
        return parse_amount(text, code)
    except Invalid as exc:
        raise Invalid(f"--min-amount: {exc.message}", field="min_amount") from None


def _minimum(criteria: AssignmentRule) -> str:
    if criteria.currency is None:
        return ""
    if criteria.min_amount is None:
        return f"any {criteria.currency}"
    return f"{display(criteria.min_amount, criteria.currency)} {criteria.currency}"


def _describe(rule: ListedRule) -> str:
    criteria = rule.criteria
    parts = [
        f"{name} {value}"
        for name, value in (
            ("segment", criteria.segment),
            ("country", criteria.country),
            ("kind", criteria.kind),
            ("grade", criteria.grade),
        )
        if value is not None
    ]
    if criteria.currency is not None:
        parts.append(
            f"open at least {_minimum(criteria)}"
            if criteria.min_amount is not None
            else f"items in {criteria.currency}"
        )
    return escape(", ".join(parts))
