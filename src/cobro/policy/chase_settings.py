"""Writing and reading the layers of chase settings (company → segment → customer → invoice)
that the cycle reads (`cycle.repository.setting_layers`). Services add and flush; the caller
commits.

A layer is one `ChaseSetting` row: its scope, its target as stored (empty for the company, the
segment's name, or the row id of the customer or invoice: ids do not change when a customer is
renamed) and the values it sets, as `settings_to_mapping` writes them. Users name the target by
the customer's external id or the invoice's number; these functions translate both ways.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import Invalid, NotFound
from cobro.invoice.models import Invoice
from cobro.policy.models import ChaseSetting
from cobro.policy.settings import (
    REG_F_COUNTRIES,
    REG_F_NAME,
    ChaseSettings,
    Resolved,
    merge,
    resolve,
    settings_from_mapping,
    settings_to_mapping,
)

SCOPES = ("company", "segment", "customer", "invoice")
# the value that removes a setting from a layer (so that it is inherited again); JSON's null too
INHERIT = "inherit"
_SEGMENT_LENGTH = 40  # Customer.segment, ChaseSetting.target


@dataclass(frozen=True)
class Layer:
    """One layer as users see it: `name` is the segment, the customer's external id or the
    invoice's number (empty for the company); `values` what it sets (empty: inherits all)."""

    scope: str
    name: str
    values: Mapping[str, object]

    @property
    def label(self) -> str:
        return f"{self.scope} {self.name}" if self.name else self.scope


@dataclass(frozen=True)
class SettingsView:
    """The layers that apply to one target, company first, and what they resolve to."""

    layers: tuple[Layer, ...]
    resolved: Resolved
    profile: str  # whom `resolved` is for: "customer C-1 (consumer, US)", "a business customer"


def set_settings(
    session: Session, company: Company, scope: str, target: str, values: Mapping[str, object]
) -> Layer:
    """Merge `values` into the layer of `scope` and `target` (a segment, a customer's external
    id, an invoice's number; ignored for the company). A value of None or "inherit" removes the
    setting. The layer is checked whole, and with every other layer it combines with, before
    anything is written; a layer left empty is deleted."""
    scope = _scope(scope)
    name, stored = _stored_target(session, company, scope, target)
    row = session.scalar(
        select(ChaseSetting).where(
            ChaseSetting.company_id == company.id,
            ChaseSetting.scope == scope,
            ChaseSetting.target == stored,
        )
    )
    merged: dict[str, object] = dict(row.values) if row is not None else {}
    for key, value in values.items():
        if value is None or (isinstance(value, str) and value.strip().lower() == INHERIT):
            merged.pop(key, None)
        else:
            merged[key] = value
    settings = settings_from_mapping(merged, scope)
    clean = settings_to_mapping(settings)
    _check_combinations(session, company, (scope, stored), settings)
    if not clean:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(ChaseSetting(company_id=company.id, scope=scope, target=stored, values=clean))
    else:
        row.values = clean
    session.flush()
    return Layer(scope, name, clean)


def list_layers(session: Session, company: Company) -> list[Layer]:
    """Every stored layer of the company: company, segments, customers, invoices, each by name."""
    rows = list(
        session.execute(
            select(ChaseSetting.scope, ChaseSetting.target, ChaseSetting.values).where(
                ChaseSetting.company_id == company.id
            )
        )
    )
    keys = [(scope, target) for scope, target, _ in rows]
    names = {
        "customer": _customer_names(session, company.id, _ids(keys, "customer")),
        "invoice": _invoice_numbers(session, company.id, _ids(keys, "invoice")),
    }
    layers = [
        Layer(scope, names[scope].get(target, f"#{target}") if scope in names else target, values)
        for scope, target, values in rows
    ]
    return sorted(layers, key=lambda layer: (SCOPES.index(layer.scope), layer.name))


def show_settings(
    session: Session, company: Company, scope: str = "company", target: str = ""
) -> SettingsView:
    """The layers that apply to a target and the settings they resolve to: for a customer or an
    invoice on that customer's profile (Regulation F for a US consumer), for the company or a
    segment on the profile of a business customer in the company's country."""
    scope = _scope(scope)
    name, stored = _stored_target(session, company, scope, target)
    stored_values = {
        (row.scope, row.target): row.values
        for row in session.scalars(
            select(ChaseSetting).where(ChaseSetting.company_id == company.id)
        )
    }
    chain: list[tuple[str, str, str]] = [("company", "", "")]  # (scope, name, stored target)
    country, consumer = company.country, False
    profile = f"a business customer in {company.country}"
    customer: Customer | None = None
    if scope == "invoice":
        invoice = session.get_one(Invoice, int(stored))
        customer = session.get_one(Customer, invoice.customer_id)
    elif scope == "customer":
        customer = session.get_one(Customer, int(stored))
    if scope == "segment":
        chain.append(("segment", name, name))
    if customer is not None:
        if customer.segment:
            chain.append(("segment", customer.segment, customer.segment))
        chain.append(("customer", customer.external_id, str(customer.id)))
        country, consumer = customer.country, customer.kind == "consumer"
        profile = f"customer {customer.external_id} ({customer.kind}, {customer.country})"
    if scope == "invoice":
        chain.append(("invoice", name, stored))
        profile = f"invoice {name} of {profile}"
    layers = tuple(
        Layer(layer_scope, layer_name, dict(stored_values.get((layer_scope, key), {})))
        for layer_scope, layer_name, key in chain
    )
    parsed = {layer.scope: settings_from_mapping(layer.values, layer.label) for layer in layers}
    resolved = resolve(
        parsed.get("company"),
        parsed.get("segment"),
        parsed.get("customer"),
        parsed.get("invoice"),
        country=country,
        consumer=consumer,
    )
    return SettingsView(layers, resolved, profile)


def resolved_to_mapping(resolved: Resolved) -> dict[str, object]:
    """Every concrete setting by the names layers use (None: no limit)."""
    window, caps = resolved.window, resolved.caps
    return {
        "window_start": _hhmm(window.start),
        "window_end": _hhmm(window.end),
        "weekends": window.weekends,
        "holidays": window.holidays,
        "max_messages": caps.max_messages,
        "period_days": caps.period_days,
        "max_calls": caps.max_calls,
        "call_period_days": caps.call_period_days,
        "quiet_after_conversation_days": caps.quiet_after_conversation_days,
        "min_days_between_stages": resolved.min_days_between_stages,
        "regulation": resolved.regulation,
    }


def _scope(scope: str) -> str:
    if scope not in SCOPES:
        raise Invalid(f"unknown scope {scope!r}; use one of {', '.join(SCOPES)}", field="scope")
    return scope


def _stored_target(session: Session, company: Company, scope: str, target: str) -> tuple[str, str]:
    """(the target as users name it, the target as stored)."""
    name = target.strip()
    if scope == "company":
        return "", ""
    if not name:
        raise Invalid(f"a {scope} layer needs the {scope} it is for", field=scope)
    if scope == "segment":
        if len(name) > _SEGMENT_LENGTH:
            raise Invalid(f"a segment has at most {_SEGMENT_LENGTH} characters", field="segment")
        return name, name
    if scope == "customer":
        customer_id = session.scalar(
            select(Customer.id).where(
                Customer.company_id == company.id, Customer.external_id == name
            )
        )
        if customer_id is None:
            raise NotFound(f"no customer {name!r}", field="customer")
        return name, str(customer_id)
    invoice_id = session.scalar(
        select(Invoice.id).where(Invoice.company_id == company.id, Invoice.number == name)
    )
    if invoice_id is None:
        raise NotFound(f"no invoice {name!r}", field="invoice")
    return name, str(invoice_id)


def _check_combinations(
    session: Session, company: Company, changed: tuple[str, str], settings: ChaseSettings
) -> None:
    """Each layer is valid on its own (`settings_from_mapping`); together they must still give
    a send window that ends after it starts, or the daily cycle would stop at the first item
    they apply to. Check every combination the stored layers make with the changed one, on the
    business profile and, where it can apply, on Regulation F's."""
    layers: dict[tuple[str, str], ChaseSettings] = {
        (row.scope, row.target): settings_from_mapping(row.values, row.scope)
        for row in session.scalars(
            select(ChaseSetting).where(ChaseSetting.company_id == company.id)
        )
    }
    layers[changed] = settings
    company_layer = layers.get(("company", ""))
    chains: list[tuple[str, tuple[ChaseSettings | None, ...]]] = [
        ("every customer", (company_layer, None, None, None))
    ]
    chains += [
        (f"segment {target}", (company_layer, layer, None, None))
        for (scope, target), layer in layers.items()
        if scope == "segment"
    ]
    customer_ids = _ids(layers, "customer")
    invoice_ids = _ids(layers, "invoice")
    # `.all()`: a Result has keys() of its own, and dict() would take it for a mapping
    owners: dict[int, int] = dict(
        session.execute(
            select(Invoice.id, Invoice.customer_id).where(Invoice.id.in_(invoice_ids))
        ).all()
    )
    segments: dict[int, str | None] = dict(
        session.execute(
            select(Customer.id, Customer.segment).where(
                Customer.id.in_(customer_ids | set(owners.values()))
            )
        ).all()
    )
    for customer_id in customer_ids:
        segment = segments.get(customer_id)
        chains.append(
            (
                "a customer with its own settings",
                (
                    company_layer,
                    layers.get(("segment", segment)) if segment else None,
                    layers[("customer", str(customer_id))],
                    None,
                ),
            )
        )
    for invoice_id in invoice_ids:
        owner = owners.get(invoice_id)
        segment = segments.get(owner) if owner is not None else None
        chains.append(
            (
                "an invoice with its own settings",
                (
                    company_layer,
                    layers.get(("segment", segment)) if segment else None,
                    layers.get(("customer", str(owner))),
                    layers[("invoice", str(invoice_id))],
                ),
            )
        )
    reg_f_possible = _has_reg_f_consumers(session, company)
    where = changed[0]
    for who, chain in chains:
        profiles = [(company.country, False)]
        if reg_f_possible or merge(*(layer for layer in chain if layer)).regulation == REG_F_NAME:
            profiles.append(("US", True))
        for country, consumer in profiles:
            try:
                resolve(*chain, country=country, consumer=consumer)
            except Invalid as exc:
                regulation = " under Regulation F" if consumer else ""
                raise Invalid(
                    f"with these settings {who} would have no valid send window{regulation}: "
                    f"{exc.message}",
                    field=f"{where}.window_end",
                ) from None


def _has_reg_f_consumers(session: Session, company: Company) -> bool:
    return (
        session.scalar(
            select(Customer.id)
            .where(
                Customer.company_id == company.id,
                Customer.kind == "consumer",
                Customer.country.in_(sorted(REG_F_COUNTRIES)),
            )
            .limit(1)
        )
        is not None
    )


def _ids(keys: Iterable[tuple[str, str]], scope: str) -> set[int]:
    """The row ids stored as targets of `scope` among (scope, target) keys."""
    return {int(target) for key_scope, target in keys if key_scope == scope and target.isdigit()}


def _customer_names(session: Session, company_id: int, ids: set[int]) -> dict[str, str]:
    rows = session.execute(
        select(Customer.id, Customer.external_id).where(
            Customer.company_id == company_id, Customer.id.in_(ids)
        )
    )
    return {str(row_id): name for row_id, name in rows}


def _invoice_numbers(session: Session, company_id: int, ids: set[int]) -> dict[str, str]:
    rows = session.execute(
        select(Invoice.id, Invoice.number).where(
            Invoice.company_id == company_id, Invoice.id.in_(ids)
        )
    )
    return {str(row_id): number for row_id, number in rows}


def _hhmm(value: time) -> str:
    return value.isoformat(timespec="minutes")
