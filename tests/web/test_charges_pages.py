"""The interest and fees page: the caller's company's charges with how they were computed;
the settings form and the waive buttons for roles that may configure only; each move a
redirect back to its list; a refused one a 422 with the error shown; another company's charge
a 404 that changes nothing; the customer page's card; in Spanish too."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from cobro.audit.models import AuditEvent
from cobro.charge.models import Charge
from cobro.company.models import Company
from cobro.kit.dates import today_in
from tests.factories.ledger import make_invoice
from tests.web.access import Tenant, World, build_world, speak
from tests.web.test_holds_tasks_pages import first_customer, main_of, signed_in


def today() -> date:
    """The company's today when a test runs, not when the module was collected (a run may
    cross midnight in Madrid)."""
    return today_in("Europe/Madrid")


STRETCHES = [
    {
        "first": "2026-01-01",
        "last": "2026-01-31",
        "days": 31,
        "rate": "10.5",
        "year_days": 365,
        "interest": "8.9178",
        "base": 500_00,
    }
]


def add_charge(world: World, tenant: Tenant, kind: str = "interest", label: str = "") -> int:
    """A charge of `tenant`'s first customer on an invoice of its own; its id."""
    with world.session() as session:
        company = session.get_one(Company, tenant.id)
        customer = first_customer(session, tenant)
        number = f"INV-{uuid.uuid4().hex[:8]}"
        invoice = make_invoice(session, company, customer, 500_00, today(), today(), number)
        interest = kind == "interest"
        charge = Charge(
            company_id=company.id,
            customer_id=customer.id,
            invoice_id=invoice.id,
            key=f"{kind}:{invoice.id}",
            kind=kind,
            stage="reminder",
            currency="EUR",
            amount=12_34,
            computed_on=today(),
            accrued_from=date(2026, 1, 1) if interest else None,
            accrued_to=date(2026, 1, 31) if interest else None,
            label=label or f"Late-payment interest on {number} (ES law)",
            detail={"stretches": STRETCHES} if interest else {"text": "40.00 EUR per invoice"},
            mode="claim",
        )
        session.add(charge)
        session.flush()
        return charge.id


def charge_of(world: World, charge_id: int) -> Charge:
    with world.session() as session:
        session.expire_on_commit = False
        return session.get_one(Charge, charge_id)


def company_of(world: World, tenant: Tenant) -> Company:
    with world.session() as session:
        session.expire_on_commit = False
        return session.get_one(Company, tenant.id)


def audit_actions(world: World, entity_type: str, entity_id: int) -> list[str]:
    with world.session() as session:
        return list(
            session.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id)
                )
            )
        )


# ---- who sees what ------------------------------------------------------------------------------


def test_the_list_shows_a_charge_with_its_computation(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    charge, fee = add_charge(world, world.a), add_charge(world, world.a, "compensation")
    theirs = add_charge(world, world.b, label="Secret charge of B")
    signed_in(client, world, "viewer")
    page = client.get("/charges", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert 'href="/charges">Interest and fees</a>' in page.text
    html = main_of(page.text)
    assert f'id="charge-{charge}"' in html
    assert f'id="charge-{fee}"' in html
    assert f'id="charge-{theirs}"' not in html
    assert "Secret charge of B" not in html
    assert "Jan 1, 2026 – Jan 31, 2026: 31 days, 10.50 % a year on €500.00" in html
    assert "40.00 EUR per invoice" in html
    assert "12.34" in html
    assert "2026-01-01</time> – <time" in html
    assert '<td class="kind">interest</td>' in html
    external_id = next(iter(world.a.customers))
    assert f'href="/customers/{external_id}"' in html
    assert 'href="/invoices/INV-' in html
    assert 'method="post"' not in html  # the settings read-only, no waive buttons
    assert '<dd class="mode">claim</dd>' in html


def test_a_collector_may_not_waive_or_change_the_settings(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    charge = add_charge(world, world.a)
    token = signed_in(client, world, "collector")
    html = main_of(client.get("/charges").text)
    assert f'id="charge-{charge}"' in html
    assert "/waive" not in html
    assert 'action="/charges/settings"' not in html
    form = {"csrf_token": token, "reason": "goodwill"}
    assert client.post(f"/charges/{charge}/waive", data=form).status_code == 403
    settings = {"csrf_token": token, "mode": "off"}
    assert client.post("/charges/settings", data=settings).status_code == 403
    assert charge_of(world, charge).waived_on is None
    assert company_of(world, world.a).charge_mode == "claim"


# ---- waiving ------------------------------------------------------------------------------------


def test_a_manager_waives_a_charge_with_a_reason(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url)
    charge = add_charge(world, world.a)
    external_id = next(iter(world.a.customers))
    token = signed_in(client, world, "manager")
    html = main_of(client.get("/charges").text)
    assert f'action="/charges/{charge}/waive"' in html
    assert f'name="csrf_token" value="{token}"' in html
    form = {"csrf_token": token, "reason": "goodwill", "customer": external_id, "back": "all"}
    waived = client.post(f"/charges/{charge}/waive", data=form, follow_redirects=False)
    assert waived.status_code == 303
    assert waived.headers["location"] == f"/charges?customer={external_id}&show=all"
    row = charge_of(world, charge)
    assert (row.waived_on, row.waived_reason) == (today(), "goodwill")
    assert row.waived_by == world.a.users["manager"]
    assert audit_actions(world, "charge", charge) == ["charge.waived"]
    every = main_of(client.get(waived.headers["location"]).text)
    assert f'id="charge-{charge}"' in every
    assert '<span class="reason">goodwill</span>' in every
    assert f'action="/charges/{charge}/waive"' not in every  # waived: nothing to waive
    assert f'id="charge-{charge}"' not in client.get("/charges").text  # not in the open tab


def test_a_refused_waiver_is_a_422_naming_the_charge(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    charge = add_charge(world, world.a)
    token = signed_in(client, world, "admin")
    refused = client.post(f"/charges/{charge}/waive", data={"csrf_token": token, "reason": " "})
    assert refused.status_code == 422
    html = main_of(refused.text)
    assert 'id="waive-error"' in html
    assert f"Charge {charge}: say why the charge is waived" in html
    assert 'aria-describedby="waive-error"' in html
    assert charge_of(world, charge).waived_on is None
    form = {"csrf_token": token, "reason": "goodwill"}
    waived = client.post(f"/charges/{charge}/waive", data=form, follow_redirects=False)
    assert waived.status_code == 303
    again = client.post(f"/charges/{charge}/waive", data=form)
    assert again.status_code == 422
    assert "was waived on" in main_of(again.text)


def test_another_companys_charge_is_a_404_and_stays_as_it_was(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    theirs = add_charge(world, world.b)
    token = signed_in(client, world, "manager")
    form = {"csrf_token": token, "reason": "goodwill"}
    assert client.post(f"/charges/{theirs}/waive", data=form).status_code == 404
    assert charge_of(world, theirs).waived_on is None
    assert audit_actions(world, "charge", theirs) == []


# ---- settings -----------------------------------------------------------------------------------


def settings_form(token: str, **changes: str) -> dict[str, Any]:
    return {
        "csrf_token": token,
        "jurisdiction": "",
        "mode": "claim",
        "contract_rate": "",
        **changes,
    }


def test_the_settings_form_saves_the_law_mode_and_rate(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    token = signed_in(client, world, "manager")
    assert 'action="/charges/settings"' in main_of(client.get("/charges").text)
    form = settings_form(token, jurisdiction="ES", mode="charge", contract_rate="8.5")
    saved = client.post("/charges/settings", data=form, follow_redirects=False)
    assert saved.status_code == 303
    assert saved.headers["location"] == "/charges"
    company = company_of(world, world.a)
    assert (company.jurisdiction, company.charge_mode, company.contract_rate) == (
        "ES",
        "charge",
        "8.5",
    )
    assert audit_actions(world, "company", world.a.id) == ["company.charges_changed"]
    html = main_of(client.get("/charges").text)
    assert '<option value="ES" selected>' in html
    assert '<option value="charge" selected>' in html
    assert 'value="8.5"' in html


def test_a_bad_setting_is_a_422_next_to_its_field_and_changes_nothing(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    token = signed_in(client, world, "admin")
    cases = [
        ({"jurisdiction": "DE", "contract_rate": "lots"}, "contract_rate"),
        ({"contract_rate": "1500"}, "contract_rate"),
        ({"jurisdiction": "XX"}, "jurisdiction"),
        ({"mode": "sometimes"}, "mode"),
    ]
    for typed, field in cases:
        refused = client.post("/charges/settings", data=settings_form(token, **typed))
        assert refused.status_code == 422, (typed, refused.text[:300])
        html = main_of(refused.text)
        assert f'id="settings-error-{field}"' in html, typed
        assert html.count('class="problem"') == 1, typed
        if "contract_rate" in typed:
            assert f'value="{typed["contract_rate"]}"' in html  # the form as typed
    company = company_of(world, world.a)
    assert (company.jurisdiction, company.charge_mode, company.contract_rate) == (
        None,
        "claim",
        None,
    )


# ---- the customer page, language ----------------------------------------------------------------


def test_the_customer_page_shows_the_charges_not_waived(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    external_id = next(iter(world.a.customers))
    signed_in(client, world, "viewer")
    bare = main_of(client.get(f"/customers/{external_id}").text)
    assert 'id="charges"' not in bare  # none: no card
    charge = add_charge(world, world.a)
    html = main_of(client.get(f"/customers/{external_id}").text)
    assert 'id="charges"' in html
    assert "Interest and fees" in html
    assert f'id="charge-{charge}"' in html
    assert "Jan 1, 2026 – Jan 31, 2026: 31 days, 10.50 % a year on €500.00" in html
    assert f'href="/charges?customer={external_id}&amp;show=all"' in html


def test_the_charges_page_speaks_spanish(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url)
    add_charge(world, world.a)
    signed_in(client, world, "manager")
    speak(client, "es")
    html = client.get("/charges").text
    assert "<h1>Intereses y recargos</h1>" in html
    for text in ("Ley de morosidad", "Condonar", "No condonados", "intereses", "reclamar"):
        assert text in html, text
    # the computation too: dates, decimals and words as Spanish writes them
    assert "1 ene 2026 – 31 ene 2026: 31 días, 10,50 % anual sobre 500,00\xa0€" in html
    assert ">Waive<" not in html
    assert ">Interest and fees<" not in html
