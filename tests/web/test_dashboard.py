"""The signed-in home page is the dashboard: the caller's company's figures only, as tables in
the page's language, the aging chart's data as a JSON block (not executed), the failed messages
with their customer escaped."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.kit.dates import today_in, utcnow
from cobro.outbox.models import Action
from tests.factories.ledger import make_invoice
from tests.web.access import Tenant, World, build_world, sign_in, speak

HOSTILE = "<script>alert('x')</script> \"Ñandú\" & Co"


def owe(world: World, tenant: Tenant, amounts: dict[int, int], error: str | None = None) -> None:
    """Invoices of `tenant`'s first customer: {days past due: amount}; with `error`, a failed
    action for that customer today."""
    with world.session() as session:
        company = session.get_one(Company, tenant.id)
        today = today_in(company.timezone)
        customer = session.scalars(
            select(Customer).where(Customer.company_id == tenant.id).order_by(Customer.id)
        ).first()
        assert customer is not None
        for number, (days, amount) in enumerate(amounts.items()):
            due = today - timedelta(days=days)
            make_invoice(
                session, company, customer, amount, due - timedelta(days=200), due, f"D-{number}"
            )
        if error is not None:
            session.add(
                Action(
                    company_id=tenant.id,
                    customer_id=customer.id,
                    policy_id=0,
                    stage="due",
                    tone="soft",
                    kind="email",
                    cycle_on=today,
                    status="failed",
                    not_before=utcnow(),
                    attempts=3,
                    last_error=error,
                )
            )


def test_the_dashboard_shows_the_callers_company_only(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url, customer_names=(HOSTILE,))
    owe(world, world.a, {-5: 100_00, 10: 234_56, 120: 1_000_00}, error="550 <b>no</b> mailbox")
    owe(world, world.b, {3: 777_777_77})
    assert sign_in(client, world.a.users["viewer"]).status_code == 303
    page = client.get("/", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.text
    assert "Dashboard" in html
    assert "€1,334.56" in html  # open
    assert "€1,234.56" in html  # overdue
    assert "92.5%" in html
    assert "€100.00" in html
    assert "€234.56" in html
    assert "€1,000.00" in html
    assert "777,777.77" not in html
    assert "7,777" not in html
    assert world.b.name not in html
    for name in world.b.customers.values():
        assert name not in html
    # the failed message, its customer's hostile name escaped, never markup
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &#34;Ñandú&#34; &amp; Co" in html
    assert "550 &lt;b&gt;no&lt;/b&gt; mailbox" in html
    assert re.search(r'class="failed-count">1<', html)
    # the chart's data: a JSON block, the same figures in major units
    block = re.search(r'<script type="application/json" id="aging-data">(.*?)</script>', html, re.S)
    assert block is not None
    data = json.loads(block.group(1))
    assert data["labels"] == ["EUR"]
    assert sum(dataset["data"][0] for dataset in data["datasets"]) == 1334.56
    assert "Content-Security-Policy" in page.headers
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]

    assert sign_in(client, world.b.users["collector"]).status_code == 303
    other = client.get("/", headers={"Accept-Language": "en"}).text
    assert "€777,777.77" in other
    assert "1,334.56" not in other
    assert "Ñandú" not in other


def test_the_dashboard_in_spanish(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url)
    owe(world, world.a, {-1: 1_000_00, 40: 234_56})
    sign_in(client, world.a.users["collector"])
    speak(client, "es")
    html = client.get("/", headers={"Accept-Language": "en"}).text  # the user's choice wins
    assert "Panel" in html
    assert "Pendiente de cobro" in html
    assert "1234,56\xa0€" in html or "1.234,56\xa0€" in html
    assert "234,56\xa0€" in html
    assert "19,0\xa0%" in html
    assert "No hay mensajes fallidos." in html
    assert "Sign out" not in html
    assert "Cerrar sesión" in html


def test_a_company_with_nothing_open(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url)
    sign_in(client, world.a.users["auditor"])
    html = client.get("/", headers={"Accept-Language": "en"}).text
    assert "Nothing is open." in html
    assert 'id="aging-data"' not in html
