"""The case file: everything a lawyer needs to claim a customer's debt, in one ZIP.

    case.json              the case, its steps and the guarantees
    statement.pdf          the statement of account of every open invoice
    invoices/<number>.pdf  a copy of each open invoice (a one-item statement)
    messages/<action>-<name>  every document sent, byte for byte as it went out
    messages/deliveries.csv   each message: kind, stage, when, every attempt, document, SHA-256
    interest.csv / .txt    each recorded interest, fee and compensation with its computation
    contacts.csv, notes.csv
    manifest.json          every other file with its SHA-256 and size

Only the case's customer's things, read within the case's company. The same data on the same
day gives the same bytes (entries in name order, dated `on`), so two files can be compared by
their hash."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.charge.models import Charge
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.invoice.models import Invoice
from cobro.kit.money import format_minor
from cobro.legal.cases import case_detail, get_case
from cobro.legal.rules import CONTACT_COLUMNS
from cobro.note.service import customer_notes
from cobro.notice.service import contacts_in_order, context_for
from cobro.notice.statement import statement_pdf
from cobro.outbox.models import Action, Attempt, Document

SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
ALL_NOTES = 100_000  # a case file lists every note, not the timeline's latest


def safe_name(name: str) -> str:
    return SAFE_NAME.sub("_", name).strip("._") or "document"


def case_file(session: Session, company: Company, case_id: int, on: date) -> bytes:
    """The case's file as a ZIP (see the module's docstring)."""
    case = get_case(session, company, case_id)
    customer = session.get_one(Customer, case.customer_id)
    files: dict[str, bytes] = {}
    invoices = list(
        session.scalars(
            select(Invoice)
            .where(
                Invoice.company_id == company.id,
                Invoice.customer_id == customer.id,
                Invoice.open_amount > 0,
            )
            .order_by(Invoice.due_date, Invoice.id)
        )
    )
    if invoices:  # a statement lists something; a case whose debt was paid has none
        files["statement.pdf"] = _statement(session, company, customer, invoices, "statement", on)
        for invoice in invoices:
            name = f"invoices/{safe_name(invoice.number)}.pdf"
            files[name] = _statement(session, company, customer, [invoice], "copy", on)
    files.update(_messages(session, company.id, customer.id))
    files.update(_charges(session, company.id, customer.id))
    files["contacts.csv"] = _csv(
        CONTACT_COLUMNS,
        [[getattr(c, column) for column in CONTACT_COLUMNS] for c in contacts_in_order(customer)],
    )
    notes = sorted(
        customer_notes(session, company.id, customer.id, ALL_NOTES),
        key=lambda n: (n.created_at, n.id),
    )
    files["notes.csv"] = _csv(
        ("id", "created_at", "author", "kind", "outcome", "invoice", "body"),
        [[n.id, n.created_at.isoformat(), n.author, n.kind, n.outcome, n.invoice, n.body]
         for n in notes],
    )  # fmt: skip
    row = case_detail(session, company.id, case.id)
    files["case.json"] = _json(
        {
            "id": row.id,
            "company": company.code,
            "creditor": company.name,
            "customer": {
                "id": customer.external_id,
                "name": customer.name,
                "kind": customer.kind,
                "tax_id": customer.tax_id,
                "country": customer.country,
                "language": customer.language,
            },
            "stage": row.stage,
            "opened_on": row.opened_on,
            "closed_on": row.closed_on,
            "amount": row.amount,
            "currency": row.currency,
            "court": row.court,
            "case_number": row.case_number,
            "lawyer": row.lawyer,
            "guarantees": row.guarantees,
            "note": row.note,
            "steps": [vars(step) for step in row.steps],
            "open_invoices": [
                {"number": i.number, "open_amount": i.open_amount, "currency": i.currency}
                for i in invoices
            ],
            "built_on": on,
        }
    )
    return _zip(files, on)


def _statement(
    session: Session,
    company: Company,
    customer: Customer,
    invoices: Sequence[Invoice],
    stage: str,
    on: date,
) -> bytes:
    context = context_for(
        session,
        company,
        customer,
        [(invoice, stage) for invoice in invoices],
        stage=stage,
        tone="formal",
        channel="letter",
        on=on,
        # the whole statement shows cash not yet applied; a copy of one invoice does not
        unapplied=None if stage == "statement" else {},
    )
    return statement_pdf(context)


def _messages(session: Session, company_id: int, customer_id: int) -> dict[str, bytes]:
    """Every document sent to the customer, and the delivery record of every message."""
    actions = list(
        session.scalars(
            select(Action)
            .where(Action.company_id == company_id, Action.customer_id == customer_id)
            .order_by(Action.id)
        )
    )
    ids = [action.id for action in actions]
    attempts: dict[int, list[Attempt]] = {}
    documents: dict[int, list[Document]] = {}
    if ids:
        for attempt in session.scalars(
            select(Attempt).where(Attempt.action_id.in_(ids)).order_by(Attempt.at, Attempt.id)
        ):
            attempts.setdefault(attempt.action_id, []).append(attempt)
        for document in session.scalars(
            select(Document).where(Document.action_id.in_(ids)).order_by(Document.id)
        ):
            documents.setdefault(document.action_id, []).append(document)
    files: dict[str, bytes] = {}
    rows: list[list[Any]] = []
    for action in actions:
        tried = "; ".join(
            f"{a.at.isoformat()} {a.outcome}" + (f" ({a.detail})" if a.detail else "")
            for a in attempts.get(action.id, [])
        )
        head = [
            action.id,
            action.kind,
            action.stage,
            action.status,
            action.cycle_on.isoformat(),
            action.sent_at.isoformat() if action.sent_at else "",
            tried,
        ]
        sent = documents.get(action.id, [])
        for document in sent:
            name = f"messages/{action.id}-{safe_name(document.name)}"
            if name in files:  # two documents of one message with one name
                name = f"messages/{action.id}-{document.id}-{safe_name(document.name)}"
            files[name] = document.content
            rows.append([*head, name.removeprefix("messages/"), document.sha256])
        if not sent:
            rows.append([*head, "", ""])
    headings = ("action", "kind", "stage", "status", "cycle_on", "sent_at", "attempts",
                "document", "sha256")  # fmt: skip
    files["messages/deliveries.csv"] = _csv(headings, rows)
    return files


def _charges(session: Session, company_id: int, customer_id: int) -> dict[str, bytes]:
    """The interest, fees and compensation recorded against the customer, each with how it
    was computed: the table (`interest.csv`) and the same read aloud (`interest.txt`)."""
    found = session.execute(
        select(Charge, Invoice.number)
        .outerjoin(Invoice, Invoice.id == Charge.invoice_id)
        .where(Charge.company_id == company_id, Charge.customer_id == customer_id)
        .order_by(Charge.computed_on, Charge.id)
    ).all()
    rows: list[list[Any]] = []
    text: list[str] = []
    for charge, number in found:
        waived = charge.waived_on.isoformat() if charge.waived_on else ""
        rows.append(
            [
                charge.id,
                number or "",
                charge.kind,
                charge.mode,
                charge.label,
                charge.computed_on.isoformat(),
                charge.accrued_from.isoformat() if charge.accrued_from else "",
                charge.accrued_to.isoformat() if charge.accrued_to else "",
                format_minor(charge.amount, charge.currency),
                charge.currency,
                waived,
                json.dumps(charge.detail, sort_keys=True, ensure_ascii=False),
            ]
        )
        text.extend(_explained(charge, waived))
    headings = ("charge", "invoice", "kind", "mode", "label", "computed_on", "accrued_from",
                "accrued_to", "amount", "currency", "waived_on", "computation")  # fmt: skip
    if not text:
        text = ["No interest, fee or compensation has been recorded for this customer."]
    return {
        "interest.csv": _csv(headings, rows),
        "interest.txt": ("\n".join(text) + "\n").encode(),
    }


def _explained(charge: Charge, waived: str) -> list[str]:
    amount = f"{format_minor(charge.amount, charge.currency)} {charge.currency}"
    lines = [f"{charge.label}: {amount} (computed {charge.computed_on}, {charge.mode})"]
    detail = charge.detail or {}
    if detail.get("law"):
        lines.append(f"  law: {detail['law']}, debtor: {detail.get('debtor', '')}".rstrip(", "))
    for stretch in detail.get("stretches", []):
        base = stretch.get("base")
        on_base = "" if base is None else f" on {format_minor(int(base), charge.currency)}"
        lines.append(
            f"  {stretch['first']} to {stretch['last']}: {stretch['days']} days at "
            f"{stretch['rate']} % / {stretch['year_days']}{on_base} = {stretch['interest']}"
        )
    for paid in detail.get("payments", []):
        lines.append(f"  paid {format_minor(int(paid['amount']), charge.currency)} on {paid['on']}")
    if "recorded_before" in detail:
        lines.append(
            f"  accrued to date {format_minor(int(detail['total_to_date']), charge.currency)}, "
            f"recorded before {format_minor(int(detail['recorded_before']), charge.currency)}"
        )
    if detail.get("text"):
        lines.append(f"  {detail['text']}")
    for warning in detail.get("warnings", []):
        lines.append(f"  warning: {warning}")
    if waived:
        lines.append(f"  waived on {waived} by {charge.waived_by}: {charge.waived_reason}")
    return [*lines, ""]


def _csv(headings: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headings)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return out.getvalue().encode()


def _json(data: Any) -> bytes:
    return (
        json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"
    ).encode()


def _zip(files: dict[str, bytes], on: date) -> bytes:
    """The files in name order, each dated `on`, then the manifest of them all."""
    listed = [
        {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        for name, data in sorted(files.items())
    ]
    manifest = _json({"built_on": on, "files": listed})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [*sorted(files.items()), ("manifest.json", manifest)]:
            entry = zipfile.ZipInfo(name, date_time=(on.year, on.month, on.day, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, data)
    return out.getvalue()
