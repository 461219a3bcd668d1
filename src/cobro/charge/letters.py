"""The charges a notice lists: those claimed (not charged on a debit note, which is listed as
an item of its own) on the items the notice asks for, and not waived. The worker reads a
batch's claims at once (`open_claims`) and adds those it records as it goes."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.charge.models import Charge
from cobro.charge.rules import Claimed, letter_lines
from cobro.notice.context import Charge as NoticeCharge
from cobro.notice.context import Stretch


def claimed_for(charges: Sequence[Charge], invoices: Mapping[int, str]) -> tuple[NoticeCharge, ...]:
    """The claims among `charges` (the customer's, in the order recorded) to list with a
    notice about `invoices` (id → number), each invoice's interest as one line."""
    wanted = set(invoices)
    claimed = [
        Claimed(
            charge.kind,
            invoices.get(charge.invoice_id) if charge.invoice_id else None,
            charge.label,
            charge.amount,
            charge.currency,
            charge.detail,
        )
        for charge in charges
        if charge.mode == "claim" and charge.waived_on is None and _about(charge, wanted)
    ]
    return tuple(_notice_charge(line) for line in letter_lines(claimed))


def open_claims(session: Session, customer_ids: Collection[int]) -> dict[int, list[Charge]]:
    """The claims not waived of each customer, in the order recorded: one query for a batch."""
    out: dict[int, list[Charge]] = {}
    for charge in session.scalars(
        select(Charge)
        .where(
            Charge.customer_id.in_(sorted(set(customer_ids))),
            Charge.mode == "claim",
            Charge.waived_on.is_(None),
        )
        .order_by(Charge.id)
    ):
        out.setdefault(charge.customer_id, []).append(charge)
    return out


def _about(charge: Charge, wanted: set[int]) -> bool:
    if charge.invoice_id is not None:
        return charge.invoice_id in wanted
    # a fee for a whole notice: listed while any item it was charged on is still asked for
    return bool(wanted.intersection(charge.detail.get("invoices", [])))


def _notice_charge(line: Claimed) -> NoticeCharge:
    stretches = tuple(
        Stretch(
            first=date.fromisoformat(s["first"]),
            last=date.fromisoformat(s["last"]),
            days=int(s["days"]),
            rate=s["rate"],
            base=int(s.get("base", 0)),
        )
        for s in line.detail.get("stretches", [])
    )
    return NoticeCharge(
        label=line.label,
        amount=line.amount,
        currency=line.currency,
        detail=str(line.detail.get("text", "")) if line.kind == "fee" else "",
        kind=line.kind,
        invoice=line.invoice,
        stretches=stretches,
    )
