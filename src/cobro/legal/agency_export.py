"""What an agency needs to work a placement, as CSV (one row per invoice, the debtor's columns
on each) or JSON (the debtor once, with every contact): who the debtor is and how to reach
them, and per invoice its dates, amounts, payment reference, the stage the chase reached and
the last day a message about it reached the debtor. Amounts are decimal text in the
invoice's currency (the file leaves Cobro, where minor units mean nothing)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import Invalid
from cobro.kit.money import to_decimal
from cobro.legal.placements import get_placement, placed_invoices
from cobro.legal.rules import CONTACT_COLUMNS, export_csv
from cobro.note.models import Note
from cobro.notice.service import contacts_in_order, postal_address
from cobro.policy.models import ChaseStep
from cobro.policy.progress import progress_of

FORMATS = ("csv", "json")


def export_placement(
    session: Session, company: Company, placement_id: int, fmt: str, on: date
) -> str:
    """The placement's export in `fmt` (csv or json), as text."""
    if fmt not in FORMATS:
        raise Invalid(f"format {fmt!r}: use csv or json", field="format")
    placement = get_placement(session, company, placement_id)
    customer = session.get_one(Customer, placement.customer_id)
    invoices = placed_invoices(session, placement.id)
    ids = [invoice.id for invoice in invoices]
    progress = progress_of(session, ids)
    delivered: dict[int, date | None] = {
        row[0]: row[1]
        for row in session.execute(
            select(ChaseStep.invoice_id, func.max(ChaseStep.delivered_on))
            .where(ChaseStep.invoice_id.in_(ids))
            .group_by(ChaseStep.invoice_id)
        )
    }
    notes = session.scalar(
        select(func.count()).where(Note.company_id == company.id, Note.customer_id == customer.id)
    )
    contacts = contacts_in_order(customer)
    address = postal_address(customer)
    debtor = {
        "id": customer.external_id,
        "name": customer.name,
        "kind": customer.kind,
        "tax_id": customer.tax_id,
        "language": customer.language,
        "country": customer.country,
        "address": None if address is None else asdict(address),
        "contacts": [{c: getattr(contact, c) for c in CONTACT_COLUMNS} for contact in contacts],
        "notes": int(notes or 0),
    }
    items = [
        {
            "invoice": invoice.number,
            "issue_date": invoice.issue_date.isoformat(),
            "due_date": invoice.due_date.isoformat(),
            "total": str(to_decimal(invoice.total, invoice.currency)),
            "open_amount": str(to_decimal(invoice.open_amount, invoice.currency)),
            "currency": invoice.currency,
            "payment_reference": invoice.payment_reference,
            "stage": progress[invoice.id].stage if invoice.id in progress else None,
            "last_message_on": _day(delivered.get(invoice.id)),
        }
        for invoice in invoices
    ]
    header = {
        "placement": placement.id,
        "agency": placement.agency,
        "agency_reference": placement.reference,
        "status": placement.status,
        "placed_on": placement.placed_on.isoformat(),
        "amount": str(to_decimal(placement.amount, placement.currency)),
        "currency": placement.currency,
        "commission_percent": placement.commission_percent,
        "creditor": company.name,
        "exported_on": on.isoformat(),
    }
    if fmt == "json":
        data = {**header, "debtor": debtor, "invoices": items}
        return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
    return export_csv([_flat(header, debtor, contacts[0] if contacts else None, item)
                       for item in items])  # fmt: skip


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _flat(
    header: dict[str, Any], debtor: dict[str, Any], contact: Any, item: dict[str, Any]
) -> dict[str, str]:
    """One CSV row: the debtor's first contact (billing first) stands for them all."""
    address = debtor["address"] or {}
    row: dict[str, Any] = {
        "placement": header["placement"],
        "agency_reference": header["agency_reference"],
        "placed_on": header["placed_on"],
        "creditor": header["creditor"],
        "debtor_id": debtor["id"],
        "debtor_name": debtor["name"],
        "debtor_kind": debtor["kind"],
        "tax_id": debtor["tax_id"],
        "language": debtor["language"],
        "contact_name": getattr(contact, "name", None),
        "email": getattr(contact, "email", None),
        "phone": getattr(contact, "phone", None),
        "street": address.get("street"),
        "building_number": address.get("building_number"),
        "postal_code": address.get("postal_code"),
        "city": address.get("city"),
        "region": address.get("region"),
        "country": address.get("country") or debtor["country"],
        "notes": debtor["notes"],
        **item,
    }
    return {key: "" if value is None else str(value) for key, value in row.items()}
