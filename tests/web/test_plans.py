"""Payment plans over HTTP: the JSON API (preview, idempotent create, tenant-scoped, errors
naming the field, the override only for managers), the plans pages, and the debtor portal's
plan (approved inside the guardrails; outside, a clear message and nothing saved)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cobro.audit.models import AuditEvent
from cobro.company.models import Company
from cobro.kit.dates import today_in, utcnow
from cobro.plan.models import PaymentPlan
from cobro.policy.models import Hold
from cobro.portal.links import portal_token
from cobro.web.security import CSRF_COOKIE
from tests.factories.ledger import make_customer, make_invoice
from tests.web.access import Tenant, World, build_world, sign_in, speak
from tests.web.conftest import SECRET, client_of


def today() -> date:
    """The company's today when a test runs, not when the module was collected (a run may
    cross midnight in Madrid)."""
    return today_in("Europe/Madrid")


def first_on() -> str:
    return str(today() + timedelta(days=5))


def bearer(token: str, key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return headers


def with_invoices(world: World, tenant: Tenant, *totals: int) -> tuple[str, list[str]]:
    with world.session() as session:
        company = session.get_one(Company, tenant.id)
        customer = make_customer(session, company, f"PL-{uuid.uuid4().hex[:6]}", name="Plan SL")
        numbers = [
            make_invoice(
                session, company, customer, total, today() - timedelta(days=60), today()
            ).number
            for total in totals
        ]
        return customer.external_id, numbers


def plans_of(world: World, tenant: Tenant) -> int:
    with world.session() as session:
        query = select(func.count()).where(PaymentPlan.company_id == tenant.id)
        return int(session.scalar(query) or 0)


def plan_holds(world: World, tenant: Tenant) -> int:
    with world.session() as session:
        query = select(func.count()).where(Hold.company_id == tenant.id, Hold.kind == "plan")
        return int(session.scalar(query) or 0)


# ---- the API ------------------------------------------------------------------------------------


def test_a_plan_is_previewed_made_once_per_key_shown_rescheduled_and_cancelled(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    customer, numbers = with_invoices(world, world.a, 300_00, 300_00)
    token = world.token("collector", ("read", "write"))
    body = {"customer": customer, "installments": 3, "first_on": first_on(), "down_payment": 60_00}
    preview = client.post("/api/plans/preview", headers=bearer(token), json=body)
    assert preview.status_code == 200, preview.text
    shown = preview.json()
    assert shown["inside_guardrails"] is True
    assert [p["amount"] for p in shown["installments"]] == [60_00, 180_00, 180_00, 180_00]
    assert shown["invoices"] == numbers
    assert plans_of(world, world.a) == 0
    made = client.post("/api/plans", headers=bearer(token, "k-1"), json=body)
    assert made.status_code == 201, made.text
    plan = made.json()
    assert (plan["status"], plan["total"], plan["approved_by"]) == ("active", 600_00, "guardrails")
    assert [p["state"] for p in plan["installments"]] == ["due"] * 4
    again = client.post("/api/plans", headers=bearer(token, "k-1"), json=body)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert plans_of(world, world.a) == 1
    listed = client.get("/api/plans?status=active", headers=bearer(token)).json()["items"]
    assert [item["id"] for item in listed] == [plan["id"]]
    moved = client.post(
        f"/api/plans/{plan['id']}/reschedule",
        headers=bearer(token),
        json={"installments": 6, "first_on": first_on()},
    )
    assert moved.status_code == 201, moved.text
    new = moved.json()
    assert new["replaces_id"] == plan["id"]
    old = client.get(f"/api/plans/{plan['id']}", headers=bearer(token)).json()
    assert (old["status"], old["replaced_by"]) == ("replaced", new["id"])
    cancelled = client.post(f"/api/plans/{new['id']}/cancel", headers=bearer(token))
    assert cancelled.json()["status"] == "cancelled"
    assert client.post(f"/api/plans/{new['id']}/cancel", headers=bearer(token)).status_code == 409
    with world.session() as session:
        actions = session.scalars(
            select(AuditEvent.action)
            .where(
                AuditEvent.entity_type == "payment_plan", AuditEvent.company_id == world.a.id
            )  # the web tests share one database: other tests' plans are there too
            .order_by(AuditEvent.id)
        ).all()
    assert actions == ["plan.made", "plan.rescheduled", "plan.cancelled"]


def test_a_plan_outside_the_guardrails_is_refused_unless_a_manager_approves(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    customer, _ = with_invoices(world, world.a, 1000_00)
    collector = world.token("collector", ("read", "write"))
    long = {"customer": customer, "installments": 18, "first_on": first_on()}
    refused = client.post("/api/plans", headers=bearer(collector, "a"), json=long)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["field"] == "installments"
    assert "12 months" in error["message"]
    forbidden = client.post(
        "/api/plans", headers=bearer(collector, "b"), json={**long, "override": True}
    )
    assert forbidden.status_code == 403
    assert plans_of(world, world.a) == 0
    assert plan_holds(world, world.a) == 0
    preview = client.post("/api/plans/preview", headers=bearer(collector), json=long).json()
    assert (preview["inside_guardrails"], preview["possible"]) == (False, True)
    manager = world.token("manager", ("read", "write"))
    made = client.post("/api/plans", headers=bearer(manager, "c"), json={**long, "override": True})
    assert made.status_code == 201, made.text
    assert made.json()["approved_by"] == world.a.users["manager"]
    bad = client.post(
        "/api/plans", headers=bearer(manager, "d"), json={**long, "invoices": ["NOPE"]}
    )
    assert bad.status_code == 404
    assert bad.json()["error"]["field"] == "invoices"
    viewer = bearer(world.token("viewer"), "e")
    assert client.post("/api/plans", headers=viewer, json=long).status_code == 403


def test_another_companys_plan_is_a_404(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url)
    customer, _ = with_invoices(world, world.b, 300_00)
    theirs = bearer(world.token("manager", ("read", "write"), tenant=world.b), "x")
    body = {"customer": customer, "installments": 2, "first_on": first_on()}
    made = client.post("/api/plans", headers=theirs, json=body).json()
    mine = bearer(world.token("manager", ("read", "write")))
    assert client.get(f"/api/plans/{made['id']}", headers=mine).status_code == 404
    assert client.post(f"/api/plans/{made['id']}/cancel", headers=mine).status_code == 404
    assert client.get("/api/plans", headers=mine).json()["items"] == []
    assert client.post("/api/plans/preview", headers=mine, json=body).status_code == 404


# ---- the pages ----------------------------------------------------------------------------------


def signed_in(client: TestClient, world: World, role: str) -> str:
    assert sign_in(client, world.a.users[role]).status_code == 303
    client.get("/account")
    return client.cookies.get(CSRF_COOKIE) or ""


def test_the_page_previews_creates_shows_and_cancels_a_plan(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    customer, numbers = with_invoices(world, world.a, 400_00)
    token = signed_in(client, world, "collector")
    form = {
        "csrf_token": token,
        "customer": customer,
        "installments": "4",
        "frequency": "monthly",
        "first_on": first_on(),
        "down_payment": "",
        "fee": "20",
        "invoices": numbers[0],
    }
    headers = {"Accept-Language": "en"}
    preview = client.post("/plans/preview", data=form, headers=headers)
    assert preview.status_code == 200
    assert 'id="verdict"' in preview.text
    assert "Inside the guardrails" in preview.text
    assert "€105.00" in preview.text  # (400.00 + 20.00) / 4
    assert 'action="/plans"' in preview.text
    assert plans_of(world, world.a) == 0
    too_long = client.post("/plans", data={**form, "installments": "30"}, headers=headers)
    assert too_long.status_code == 422
    assert 'id="plan-error-installments"' in too_long.text
    assert plans_of(world, world.a) == 0
    made = client.post("/plans", data=form, follow_redirects=False)
    assert made.status_code == 303
    location = made.headers["location"]
    page = client.get(location, headers=headers).text
    assert 'id="installment-4"' in page
    assert "€105.00" in page
    assert f"PLAN-{location.rsplit('/', 1)[1]}-FEE" in page
    assert client.post(f"{location}/cancel", data={}).status_code == 403  # no CSRF token
    done = client.post(f"{location}/cancel", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    assert "status-cancelled" in client.get(location).text
    assert f'id="plan-{location.rsplit("/", 1)[1]}"' in client.get("/plans?show=cancelled").text
    speak(client, "es")
    assert "Planes de pago" in client.get("/plans").text


# ---- the portal ---------------------------------------------------------------------------------


def portal_debtor(world: World, total: int = 800_00) -> str:
    with world.session() as session:
        company = session.get_one(Company, world.a.id)
        debtor = make_customer(session, company, f"P-{uuid.uuid4().hex[:6]}", name="Portal SL")
        make_invoice(session, company, debtor, total, today() - timedelta(days=40), today())
        return portal_token(SECRET, company.id, debtor.id, utcnow() + timedelta(days=30))


def test_the_portal_makes_a_plan_inside_the_guardrails(app: FastAPI, web_database_url: str) -> None:
    world = build_world(web_database_url)
    token = portal_debtor(world)
    with client_of(app) as client:
        home = client.get(f"/portal/{token}").text
        assert f'href="/portal/{token}/plan"' in home
        form = client.get(f"/portal/{token}/plan")
        assert form.status_code == 200
        assert str(today() + timedelta(days=7)) in form.text  # the first day suggested
        data = {
            "csrf_token": client.cookies[CSRF_COOKIE],
            "installments": "4",
            "frequency": "monthly",
            "first_on": first_on(),
        }
        shown = client.post(f"/portal/{token}/plan", data={**data, "step": "preview"})
        assert shown.status_code == 200
        assert 'id="schedule"' in shown.text
        assert "200,00" in shown.text  # the customer speaks Spanish
        assert plans_of(world, world.a) == 0
        made = client.post(f"/portal/{token}/plan", data={**data, "step": "confirm"})
    assert made.status_code == 200
    assert 'id="plan-made"' in made.text
    with world.session() as session:
        plan = session.scalars(
            select(PaymentPlan).where(PaymentPlan.company_id == world.a.id)
        ).one()
        assert (plan.source, plan.approved_by, plan.created_by) == (
            "portal",
            "guardrails",
            "portal",
        )
    assert plan_holds(world, world.a) == 1


def test_the_portal_refuses_a_plan_outside_the_guardrails_and_saves_nothing(
    app: FastAPI, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    token = portal_debtor(world, 200_00)
    with client_of(app) as client:
        client.get(f"/portal/{token}/plan")
        data = {
            "csrf_token": client.cookies[CSRF_COOKIE],
            "installments": "8",  # 25.00 each: under the smallest, 50.00
            "frequency": "weekly",
            "first_on": first_on(),
        }
        for step in ("preview", "confirm"):
            refused = client.post(f"/portal/{token}/plan", data={**data, "step": step})
            assert refused.status_code == 422
            assert 'id="installments-error"' in refused.text
            assert "No podemos aprobar este plan en línea" in refused.text
        past = {**data, "installments": "2", "first_on": str(today() - timedelta(days=1))}
        assert client.post(f"/portal/{token}/plan", data=past).status_code == 422
    assert plans_of(world, world.a) == 0
    assert plan_holds(world, world.a) == 0
