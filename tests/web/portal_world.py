"""A world for the portal's downloads and preferences: in company A a customer with open
invoices (euro and dollars), letters sent to them and to a neighbour, and a customer of
company B; tokens signed with the test apps' secret."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from hashlib import sha256

from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.kit.dates import today_in, utcnow
from cobro.outbox.models import Action, Document
from cobro.portal.links import portal_token
from tests.factories.ledger import make_customer, make_invoice
from tests.web.access import World, build_world
from tests.web.conftest import SECRET

LETTER = b"%PDF-1.4 the letter of "


@dataclass
class Portal:
    world: World
    company_id: int
    customer: int
    neighbour: int  # another customer of company A
    foreign: int  # company B's
    euro: str  # invoice numbers
    dollars: str
    neighbours_invoice: str
    foreign_invoice: str
    letter: int  # document ids
    email: int  # an .eml: not offered on the portal
    neighbours_letter: int
    foreign_letter: int

    def token(self, customer_id: int | None = None, days: int = 60) -> str:
        customer_id = customer_id or self.customer
        company_id = self.world.b.id if customer_id == self.foreign else self.company_id
        return portal_token(SECRET, company_id, customer_id, utcnow() + timedelta(days=days))


def _sent(session: Session, company: Company, customer: Customer, name: str, kind: str) -> int:
    action = Action(
        company_id=company.id,
        customer_id=customer.id,
        policy_id=0,
        stage=f"portal-{uuid.uuid4().hex[:6]}",
        tone="formal",
        kind=kind,
        cycle_on=today_in("Europe/Madrid") - timedelta(days=3),
        status="sent",
        not_before=utcnow(),
        sent_at=utcnow(),
    )
    session.add(action)
    session.flush()
    content = LETTER + name.encode()
    media_type = "application/pdf" if name.endswith(".pdf") else "message/rfc822"
    document = Document(
        action_id=action.id,
        name=name,
        media_type=media_type,
        size=len(content),
        sha256=sha256(content).hexdigest(),
        content=content,
    )
    session.add(document)
    session.flush()
    return document.id


def build_portal(url: str) -> Portal:
    world = build_world(url)
    tag = uuid.uuid4().hex[:6]
    with world.session() as session:
        company = session.get_one(Company, world.a.id)
        other_company = session.get_one(Company, world.b.id)
        company.iban = "ES9121000418450200051332"
        company.bic = "CAIXESBBXXX"
        customer = make_customer(session, company, f"PD-{tag}", name="Café Ñandú", language="en")
        neighbour = make_customer(session, company, f"PN-{tag}", name="Neighbour SL")
        foreign = make_customer(session, other_company, f"PF-{tag}", name="Foreign GmbH")
        euro = make_invoice(session, company, customer, 1_234_56, number=f"PD{tag}/1").number
        dollars = make_invoice(
            session, company, customer, 99_00, number=f"PD{tag}-USD", currency="USD"
        ).number
        neighbours = make_invoice(session, company, neighbour, 55_00, number=f"PN{tag}-1").number
        foreign_invoice = make_invoice(
            session, other_company, foreign, 66_00, number=f"PF{tag}-1", due_date=date(2026, 3, 1)
        ).number
        portal = Portal(
            world=world,
            company_id=company.id,
            customer=customer.id,
            neighbour=neighbour.id,
            foreign=foreign.id,
            euro=euro,
            dollars=dollars,
            neighbours_invoice=neighbours,
            foreign_invoice=foreign_invoice,
            letter=_sent(session, company, customer, f"letter-{tag}.pdf", "letter"),
            email=_sent(session, company, customer, f"email-{tag}.eml", "email"),
            neighbours_letter=_sent(session, company, neighbour, f"n-{tag}.pdf", "letter"),
            foreign_letter=_sent(session, other_company, foreign, f"f-{tag}.pdf", "letter"),
        )
    return portal
