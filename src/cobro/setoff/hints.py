"""The set-off hint for the daily cycle: the customers we owe (open vendor bills) who owe us
something overdue in the same currency, whose reminders in that currency wait for a person to
propose a set-off, with one review task each. Services flush; the caller commits."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.invoice.models import Invoice
from cobro.kit.money import display
from cobro.setoff.models import VendorBill
from cobro.setoff.service import TASK_PREFIX, customer_exposures, sum_of
from cobro.task.models import Task
from cobro.task.service import raise_task

HELD = "set_off"  # the reason the cycle counts items it does not chase for a set-off
DECLINED_DAYS = 30  # after a person closed the set-off review, the hint rests this long


def hinted_customers(session: Session, company: Company, on: date) -> dict[int, dict[str, int]]:
    """{customer id: {currency: what can be set off}} for every customer who qualifies on `on`
    (`rules.qualifies`: we owe them, they owe us something past due). One grouped query: the
    cycle loads it once per run."""
    if session.scalar(_open_bills(company.id).limit(1)) is None:
        return {}  # most companies owe their customers nothing: no pass over the invoices
    bills = (
        select(
            VendorBill.customer_id.label("customer_id"),
            VendorBill.currency.label("currency"),
            sum_of(VendorBill.open_amount).label("owe"),
        )
        .where(VendorBill.company_id == company.id, VendorBill.open_amount > 0)
        .group_by(VendorBill.customer_id, VendorBill.currency)
        .subquery()
    )
    overdue = func.max(case((Invoice.due_date < on, 1), else_=0))
    rows = session.execute(
        select(Invoice.customer_id, Invoice.currency, sum_of(Invoice.open_amount), bills.c.owe)
        .join(
            bills,
            and_(bills.c.customer_id == Invoice.customer_id, bills.c.currency == Invoice.currency),
        )
        .where(Invoice.company_id == company.id, Invoice.open_amount > 0)
        .group_by(Invoice.customer_id, Invoice.currency, bills.c.owe)
        .having(overdue == 1)
    )
    declined = _declined(session, company, on)
    hints: dict[int, dict[str, int]] = {}
    for customer_id, currency, owed, owe in rows:
        if customer_id not in declined:
            hints.setdefault(customer_id, {})[currency] = min(int(owed), int(owe))
    return hints


def _open_bills(company_id: int) -> Select[int]:
    return select(VendorBill.id).where(
        VendorBill.company_id == company_id, VendorBill.open_amount > 0
    )


def _declined(session: Session, company: Company, on: date) -> set[int]:
    """Customers whose set-off review a person closed in the last DECLINED_DAYS: they chose
    (to set off, or not to), so the chase goes on as usual meanwhile instead of waiting on a
    proposal nobody will make, and no new task asks again before then."""
    since = datetime.combine(on - timedelta(days=DECLINED_DAYS), time.min, UTC)
    return set(
        session.scalars(
            select(Task.customer_id).where(
                Task.company_id == company.id,
                Task.kind == "review",
                Task.status != "open",
                Task.title.startswith(TASK_PREFIX),
                Task.closed_at >= since,
            )
        )
    )


def review_set_offs(
    session: Session,
    company: Company,
    on: date,
    hints: dict[int, dict[str, int]],
    now: datetime | None = None,
) -> int:
    """One open `review` task per hinted customer ("Set-off possible with …"), unless one is
    open already. Returns how many were raised."""
    if not hints:
        return 0
    waiting = set(
        session.scalars(
            select(Task.customer_id).where(
                Task.company_id == company.id,
                Task.kind == "review",
                Task.status == "open",
                Task.title.startswith(TASK_PREFIX),
            )
        )
    )
    new = [customer_id for customer_id in hints if customer_id not in waiting]
    if not new:
        return 0
    customers = {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(new)))}
    raised = 0
    for found in customer_exposures(session, company, new):
        shown = [e for e in found.exposures if e.currency in hints[found.customer_id]]
        owe = ", ".join(f"{display(e.owe, e.currency)} {e.currency}" for e in shown)
        owed = ", ".join(f"{display(e.owed, e.currency)} {e.currency}" for e in shown)
        raise_task(
            session,
            company_id=company.id,
            customer=customers[found.customer_id],
            kind="review",
            title=f"{TASK_PREFIX} {found.name}: we owe them {owe}; they owe {owed}",
            detail=f"Reminders wait: propose a set-off (cobro setoff show {found.external_id}).",
            due_on=on,
        )
        raised += 1
    del now  # tasks take their creation time themselves
    return raised
