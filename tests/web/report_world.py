"""A small ledger for the report tests: company A's customers with collectors and segments
(one of them with a hostile name), invoices due in each aging bucket and a payment; company B
with secret names and amounts of its own, so a leak shows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from cobro.company.models import Company
from cobro.kit.dates import today_in
from tests.factories.ledger import make_customer, make_invoice, make_payment
from tests.web.access import World, build_world

HOSTILE = "<script>alert('x')</script> Ñandú & Co"
B_AMOUNT = 777_777_77  # company B's invoice: its figures never show in A's reports


@dataclass
class ReportWorld:
    world: World
    today: date
    tag: str
    secrets: list[str]  # what only company B has


def report_world(url: str, foreign_currency: bool = False) -> ReportWorld:
    """Companies A and B; A owes 100.00 current, 200.00 in 1-30, 300.00 in 31-60, 400.00 90+
    (collectors and segments: Ana's retail, and the hostile name), and got 50.00; with
    `foreign_currency`, a French customer of A's owes 500.00 USD (no FX rate: sliced by
    country, refused)."""
    world = build_world(url)
    tag = uuid.uuid4().hex[:6]
    with world.session() as session:
        company = session.get_one(Company, world.a.id)
        today = today_in(company.timezone)
        ana = make_customer(session, company, f"R{tag}-1", name="Café Ñandú", collector="Ana")
        hostile = make_customer(session, company, f"R{tag}-2", name=HOSTILE, collector=HOSTILE)
        ana.segment, hostile.segment = "retail", HOSTILE
        owed = ((ana, 100_00, -5), (ana, 200_00, 10), (hostile, 300_00, 45), (hostile, 400_00, 120))
        for number, (customer, total, days) in enumerate(owed):
            due = today - timedelta(days=days)
            issued = due - timedelta(days=30)
            make_invoice(session, company, customer, total, issued, due, f"R{tag}-{number}")
        make_payment(session, company, ana, 50_00, today - timedelta(days=3))
        if foreign_currency:
            french = make_customer(session, company, f"R{tag}-3", name="Le Client", country="FR")
            due = today - timedelta(days=20)
            make_invoice(session, company, french, 500_00, due - timedelta(days=30), due,
                         f"R{tag}-USD", currency="USD")  # fmt: skip
        other = session.get_one(Company, world.b.id)
        secret_collector = f"Secret collector {tag}"
        spy = make_customer(
            session, other, f"S{tag}", name=f"Secret {tag}", collector=secret_collector
        )
        due = today - timedelta(days=15)
        make_invoice(session, other, spy, B_AMOUNT, due - timedelta(days=30), due, f"SECRET-{tag}")
    secrets = [
        world.b.name,
        f"Secret {tag}",
        secret_collector,
        f"SECRET-{tag}",
        "777,777",
        "777777",
    ]
    return ReportWorld(world, today, tag, secrets)
