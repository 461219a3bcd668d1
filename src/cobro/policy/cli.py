"""`cobro policies …` (with `cobro policies rules …`), `cobro settings …`, `cobro holds …` and
`cobro opt-out`."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import fields
from pathlib import Path

import typer
from rich import box
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.customer.models import Customer
from cobro.edge import CompanyOption, company_of, console, day_of, fail, unit_of_work
from cobro.errors import CobroError, Invalid, NotFound
from cobro.invoice.models import Invoice
from cobro.kit.dates import parse_date
from cobro.kit.money import check_currency, display, parse_amount
from cobro.policy.assign import AssignmentRule
from cobro.policy.chase_settings import (
    INHERIT,
    Layer,
    SettingsView,
    list_layers,
    resolved_to_mapping,
    set_settings,
    show_settings,
)
from cobro.policy.document import policy_to_mapping
from cobro.policy.holds import list_holds, opt_in, opt_out, place_hold, release_hold
from cobro.policy.models import HOLD_KINDS
from cobro.policy.service import (
    ListedRule,
    add_rule,
    as_policy,
    assign_to_customer,
    ensure_default_policy,
    get_policy,
    list_policies,
    list_rules,
    remove_rule,
    save_policy,
)
from cobro.policy.settings import REG_F_NAME, ChaseSettings

POLICY_FILE = typer.Argument(..., help="A policy in TOML or JSON (see docs/user-guide.md).")

policies_app = typer.Typer(help="Collection policies: stages, offsets and actions.")
rules_app = typer.Typer(help="Assignment rules: which policy an item follows.")
policies_app.add_typer(rules_app, name="rules")
holds_app = typer.Typer(help="Holds: stop chasing a customer or an invoice for a while.")
settings_app = typer.Typer(
    help="Chase settings: send window, contact limits and pacing, for the company, a segment, "
    "a customer or an invoice.",
    no_args_is_help=True,
)


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


@rules_app.callback(invoke_without_command=True)
def rules_list(ctx: typer.Context, company: str | None = CompanyOption) -> None:
    """List the assignment rules in the order they are tried (`add` and `remove` change them).

    An item follows its invoice's own policy, else its customer's (`cobro policies assign`),
    else the policy of the first rule all of whose criteria match it, else the default."""
    if ctx.invoked_subcommand is not None:
        return
    try:
        with unit_of_work() as session:
            rules = list_rules(session, company_of(session, company))
    except CobroError as exc:
        fail(exc.message)
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
    try:
        with unit_of_work() as session:
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
            note = _segment_note(session, owner.id, rule.segment)
    except CobroError as exc:
        fail(exc.message)
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
    try:
        with unit_of_work() as session:
            removed = remove_rule(session, company_of(session, company), position)
    except CobroError as exc:
        fail(exc.message)
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


def _segment_note(session: Session, company_id: int, segment: str | None) -> str | None:
    """A reminder when no customer is in the segment yet (a typo, or segments still to set)."""
    if not segment:
        return None
    found = session.scalar(
        select(Customer.id)
        .where(Customer.company_id == company_id, Customer.segment == segment)
        .limit(1)
    )
    if found is not None:
        return None
    return (
        f"Note: no customer is in segment {escape(segment)!r} yet "
        "(`cobro customers segment ID SEGMENT` puts one there)."
    )


def _read(file: Path, expected: str = "a table with code, name and stages") -> dict[str, object]:
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise Invalid(f"{file}: {exc.strerror}") from None
    try:
        data = json.loads(text) if file.suffix.lower() == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise Invalid(f"{file}: {exc}") from None
    if not isinstance(data, dict):
        raise Invalid(f"{file}: expected {expected}")
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


SETTING_NAMES = tuple(f.name for f in fields(ChaseSettings))
_SETTINGS_HELP = (
    "window_start, window_end (HH:MM, local time of the debtor), weekends, holidays "
    "(true/false), max_messages, period_days, max_calls, call_period_days, "
    f"quiet_after_conversation_days, min_days_between_stages (whole numbers), regulation "
    f"({REG_F_NAME} or none); '{INHERIT}' removes a setting from the layer."
)
_WHOLE_NUMBER = re.compile(r"^[+-]?\d+$")

SegmentOption = typer.Option(None, "--segment", help="The layer of a customer segment.")
CustomerLayerOption = typer.Option(None, "--customer", help="A customer's layer (its id).")
InvoiceLayerOption = typer.Option(None, "--invoice", help="An invoice's layer (its number).")
SettingPairs = typer.Argument(
    None, help=f"key=value pairs. Settings: {_SETTINGS_HELP}", show_default=False
)
SettingsFile = typer.Option(
    None, "--file", help="A TOML or JSON table of settings (applied before the pairs)."
)


@settings_app.command("show")
def settings_show(
    customer: str | None = CustomerLayerOption,
    invoice: str | None = InvoiceLayerOption,
    segment: str | None = SegmentOption,
    company: str | None = CompanyOption,
) -> None:
    """Show the settings layers and what they resolve to.

    Without an option: every layer the company has, and the settings of a business customer
    with no layer of its own. With one: the layers that apply to that segment, customer or
    invoice (company first; later layers win), and the settings it is chased with."""
    try:
        scope, target = _layer_of(customer, invoice, segment)
        with unit_of_work() as session:
            owner = company_of(session, company)
            view = show_settings(session, owner, scope, target)
            stored = list_layers(session, owner) if scope == "company" else list(view.layers)
    except CobroError as exc:
        fail(exc.message)
    layers = Table(title="Layers", box=box.SIMPLE_HEAD)
    for heading in ("layer", "setting", "value"):
        layers.add_column(heading)
    for layer in stored:
        if not layer.values:
            layers.add_row(escape(layer.label), "[dim]nothing set: inherits[/]", "")
        for number, (key, value) in enumerate(layer.values.items()):
            layers.add_row(escape(layer.label) if number == 0 else "", key, _shown(value))
    if stored:
        console.print(layers)
    else:
        console.print("No settings stored: Cobro's defaults apply (docs/user-guide.md).")
    console.print(_resolved_table(view))


@settings_app.command("set")
def settings_set(
    pairs: list[str] | None = SettingPairs,
    file: Path | None = SettingsFile,
    customer: str | None = CustomerLayerOption,
    invoice: str | None = InvoiceLayerOption,
    segment: str | None = SegmentOption,
    company: str | None = CompanyOption,
) -> None:
    """Change one layer of settings (the company's without an option): the values given
    replace the layer's, the others stay. Refused whole, naming the setting, if a value is
    wrong or the layers together leave no send window."""
    try:
        scope, target = _layer_of(customer, invoice, segment)
        values: dict[str, object] = {}
        if file is not None:
            values.update(_read(file, 'a table of settings, e.g. window_start = "09:00"'))
        values.update(_pairs(pairs or []))
        if not values:
            raise Invalid("nothing to set: give key=value pairs or --file", field="settings")
        with unit_of_work() as session:
            owner = company_of(session, company)
            layer = set_settings(session, owner, scope, target, values)
            note = _segment_note(session, owner.id, target if scope == "segment" else None)
    except CobroError as exc:
        fail(exc.message)
    if layer.values:
        listed = ", ".join(f"{key}={_shown(value)}" for key, value in layer.values.items())
        console.print(f"Settings of the {escape(layer.label)} layer: {listed}.", highlight=False)
    else:
        console.print(f"The {escape(layer.label)} layer now inherits everything.")
    if note:
        console.print(note, highlight=False)


def _layer_of(customer: str | None, invoice: str | None, segment: str | None) -> tuple[str, str]:
    given = [
        (scope, value)
        for scope, value in (("customer", customer), ("invoice", invoice), ("segment", segment))
        if value is not None
    ]
    if len(given) > 1:
        raise Invalid("give at most one of --customer, --invoice and --segment", field="scope")
    return given[0] if given else ("company", "")


def _pairs(pairs: list[str]) -> dict[str, object]:
    """key=value arguments, each value read as true/false, a whole number, 'inherit' or text."""
    values: dict[str, object] = {}
    for pair in pairs:
        key, sign, raw = pair.partition("=")
        key = key.strip()
        if not sign or not key:
            raise Invalid(f"{pair!r}: expected key=value, e.g. window_start=09:00", field=key)
        text = raw.strip()
        value: object = text
        if text.lower() in ("true", "false"):
            value = text.lower() == "true"
        elif _WHOLE_NUMBER.match(text):
            value = int(text)
        elif text.lower() in (INHERIT, "null"):
            value = None
        values[key] = value
    return values


def _shown(value: object) -> str:
    if value is None:
        return "no limit"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return escape(str(value))


def _resolved_table(view: SettingsView) -> Table:
    table = Table(title=f"Resolved for {escape(view.profile)}", box=box.SIMPLE_HEAD)
    for heading in ("setting", "value", "from"):
        table.add_column(heading)
    resolved = view.resolved
    for key, value in resolved_to_mapping(resolved).items():
        origin = _origin(view.layers, key)
        if key in resolved.clamped:
            origin = f"Regulation F (tightened from {origin})"
        elif origin == "default" and resolved.regulation == REG_F_NAME:
            origin = "Regulation F"
        table.add_row(key, _shown(value), escape(origin))
    return table


def _origin(layers: tuple[Layer, ...], key: str) -> str:
    """The last layer that sets `key`, or "default"."""
    return next((layer.label for layer in reversed(layers) if key in layer.values), "default")
