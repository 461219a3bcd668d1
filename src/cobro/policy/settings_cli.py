"""`cobro settings show|set`: the chase settings layers of a company, a segment, a customer or
an invoice."""

from __future__ import annotations

import re
from pathlib import Path

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from cobro.edge import CompanyOption, cli_errors, company_of, console, unit_of_work
from cobro.errors import Invalid
from cobro.policy.chase_settings import (
    INHERIT,
    Layer,
    SettingsView,
    list_layers,
    resolved_to_mapping,
    set_settings,
    show_settings,
)
from cobro.policy.cli_common import read_table, segment_note
from cobro.policy.settings import REG_F_NAME

settings_app = typer.Typer(
    help="Chase settings: send window, contact limits and pacing, for the company, a segment, "
    "a customer or an invoice.",
    no_args_is_help=True,
)

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
    with cli_errors():
        scope, target = _layer_of(customer, invoice, segment)
        with unit_of_work() as session:
            owner = company_of(session, company)
            view = show_settings(session, owner, scope, target)
            stored = list_layers(session, owner) if scope == "company" else list(view.layers)
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
    with cli_errors():
        scope, target = _layer_of(customer, invoice, segment)
        values: dict[str, object] = {}
        if file is not None:
            values.update(read_table(file, 'a table of settings, e.g. window_start = "09:00"'))
        values.update(_pairs(pairs or []))
        if not values:
            raise Invalid("nothing to set: give key=value pairs or --file", field="settings")
        with unit_of_work() as session:
            owner = company_of(session, company)
            layer = set_settings(session, owner, scope, target, values)
            note = segment_note(session, owner.id, target if scope == "segment" else None)
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
