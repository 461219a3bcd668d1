"""Promises to pay over HTTP: the JSON API (idempotent, tenant-scoped, errors naming the
field, stats), a call logged as promised_to_pay, the promises page, and the debtor portal's
promise form (approved inside the guardrails, a clear message and nothing saved outside)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cobro.audit.models import AuditEvent
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.kit.dates import today_in, utcnow
from cobro.policy.models import Hold
from cobro.portal.links import portal_token
from cobro.promise.models import Promise
from cobro.web.security import CSRF_COOKIE
from tests.factories.ledger import make_customer, make_invoice
from tests.web.access import Tenant, World, build_world, sign_in, speak
from tests.web.conftest import SECRET, client_of


def today() -> date:
    """The company's today when a test runs, not when the module was collected (a run may
    cross midnight in Madrid)."""
    return today_in("Europe/Madrid")


def bearer(token: str, key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return headers


def with_invoices(world: World, tenant: Tenant, *totals: int) -> tuple[str, list[str]]:
    """`tenant`'s first customer, with open invoices of these totals; its id, their numbers."""
    with world.session() as session:
        company = session.get_one(Company, tenant.id)
        customer = session.scalars(
            select(Customer).where(Customer.company_id == tenant.id).order_by(Customer.id)
        ).first()
        assert customer is not None
        numbers = [
            make_invoice(
                session, company, customer, total, today() - timedelta(days=60), today()
            ).number
            for total in totals
        ]
        return customer.external_id, numbers


def promises_of(world: World, tenant: Tenant) -> int:
    with world.session() as session:
        query = select(func.count()).where(Promise.company_id == tenant.id)
        return int(session.scalar(query) or 0)


# ---- the API ------------------------------------------------------------------------------------


def test_a_promise_is_made_once_per_key_listed_shown_and_cancelled(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    customer, _ = with_invoices(world, world.a, 300_00, 200_00)
    token = world.token("collector", ("read", "write"))
    body = {"customer": customer, "amount": 250_00, "due_on": str(today() + timedelta(days=7))}
    made = client.post("/api/promises", headers=bearer(token, "k-1"), json=body)
    assert made.status_code == 201, made.text
    promise = made.json()
    assert (promise["status"], promise["amount"], promise["currency"]) == ("open", 250_00, "EUR")
    assert (promise["source"], promise["invoices"], promise["grace_days"]) == ("api", [], 3)
    again = client.post("/api/promises", headers=bearer(token, "k-1"), json=body)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert promises_of(world, world.a) == 1
    listed = client.get("/api/promises?status=open", headers=bearer(token)).json()["items"]
    assert [item["id"] for item in listed] == [promise["id"]]
    shown = client.get(f"/api/promises/{promise['id']}", headers=bearer(token))
    assert shown.json()["customer"] == customer
    cancelled = client.post(f"/api/promises/{promise['id']}/cancel", headers=bearer(token))
    assert cancelled.json()["status"] == "cancelled"
    assert (
        client.post(f"/api/promises/{promise['id']}/cancel", headers=bearer(token)).status_code
        == 409
    )
    stats = client.get("/api/promises/stats?by=customer", headers=bearer(token)).json()
    assert stats["rows"][0]["key"] == customer
    assert (stats["rows"][0]["made"], stats["rows"][0]["cancelled"]) == (1, 1)
    assert stats["rows"][0]["kept_rate"] is None
    with world.session() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.entity_type == "promise", AuditEvent.entity_id == str(promise["id"])
            )
        ).all()
    assert actions == ["promise.made", "promise.cancelled"]


def test_a_bad_promise_is_refused_naming_the_field(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    customer, numbers = with_invoices(world, world.a, 100_00)
    token = world.token("admin", ("read", "write"))
    later = str(today() + timedelta(days=5))
    cases = [
        (
            {"customer": customer, "amount": 100_00, "due_on": str(today() - timedelta(days=1))},
            422,
            "due_on",
        ),
        (
            {"customer": customer, "amount": 100_00, "due_on": str(today() + timedelta(days=61))},
            422,
            "due_on",
        ),
        ({"customer": customer, "amount": 100_01, "due_on": later}, 422, "amount"),
        (
            {"customer": customer, "amount": 1, "due_on": later, "invoices": ["NOPE"]},
            404,
            "invoices",
        ),
        ({"customer": "NOPE", "amount": 1, "due_on": later}, 404, None),
    ]
    for body, status, field in cases:
        refused = client.post("/api/promises", headers=bearer(token, uuid.uuid4().hex), json=body)
        assert refused.status_code == status, (body, refused.text)
        if field is not None:
            assert refused.json()["error"]["field"] == field
    ok = {"customer": customer, "amount": 50_00, "due_on": later, "invoices": numbers}
    assert client.post("/api/promises", headers=bearer(token, "a"), json=ok).status_code == 201
    taken = client.post("/api/promises", headers=bearer(token, "b"), json=ok)
    assert taken.status_code == 409
    assert taken.json()["error"]["field"] == "invoices"
    assert promises_of(world, world.a) == 1
    reader = bearer(world.token("viewer"), "c")
    assert client.post("/api/promises", headers=reader, json=ok).status_code == 403


def test_another_companys_promise_is_a_404(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url)
    customer, _ = with_invoices(world, world.b, 100_00)
    theirs = bearer(world.token("manager", ("read", "write"), tenant=world.b), "x")
    body = {"customer": customer, "amount": 10_00, "due_on": str(today())}
    made = client.post("/api/promises", headers=theirs, json=body).json()
    mine = bearer(world.token("manager", ("read", "write")))
    assert client.get(f"/api/promises/{made['id']}", headers=mine).status_code == 404
    assert client.post(f"/api/promises/{made['id']}/cancel", headers=mine).status_code == 404
    assert client.get("/api/promises", headers=mine).json()["items"] == []


def test_a_call_logged_as_promised_to_pay_records_the_promise(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    customer, numbers = with_invoices(world, world.a, 400_00)
    token = bearer(world.token("collector", ("read", "write")))
    body = {
        "outcome": "promised_to_pay",
        "body": "pays on Friday",
        "invoice": numbers[0],
        "promise_amount": 400_00,
        "promise_due_on": str(today() + timedelta(days=4)),
    }
    logged = client.post(f"/api/customers/{customer}/calls", headers=token, json=body)
    assert logged.status_code == 201, logged.text
    promise_id = logged.json()["promise_id"]
    shown = client.get(f"/api/promises/{promise_id}", headers=token).json()
    assert (shown["source"], shown["invoices"], shown["amount"]) == ("call", numbers, 400_00)
    half = {"outcome": "promised_to_pay", "promise_amount": 10_00}
    refused = client.post(f"/api/customers/{customer}/calls", headers=token, json=half)
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "promise_due_on"
    plain = client.post(
        f"/api/customers/{customer}/calls", headers=token, json={"outcome": "promised_to_pay"}
    )
    assert plain.status_code == 201
    assert plain.json()["promise_id"] is None
    assert promises_of(world, world.a) == 1


# ---- the page and the worklist's call form ------------------------------------------------------


def signed_in(client: TestClient, world: World, role: str) -> str:
    assert sign_in(client, world.a.users[role]).status_code == 303
    client.get("/account")
    return client.cookies.get(CSRF_COOKIE) or ""


def test_the_page_records_lists_and_cancels_a_promise(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    customer, numbers = with_invoices(world, world.a, 300_00)
    token = signed_in(client, world, "collector")
    form = {
        "csrf_token": token,
        "customer": customer,
        "amount": "1.500,00",
        "due_on": str(today() + timedelta(days=3)),
        "invoices": numbers[0],
    }
    refused = client.post("/promises", data=form)
    assert refused.status_code == 422
    assert 'id="promise-error-amount"' in refused.text
    assert promises_of(world, world.a) == 0
    made = client.post("/promises", data={**form, "amount": "150"}, follow_redirects=False)
    assert made.status_code == 303
    page = client.get("/promises", headers={"Accept-Language": "en"}).text
    assert "€150.00" in page
    assert 'href="/promises">Promises</a>' in page
    with world.session() as session:
        promise_id = session.scalars(
            select(Promise.id).where(Promise.company_id == world.a.id)
        ).one()
    assert f'action="/promises/{promise_id}/cancel"' in page
    assert 'name="csrf_token"' in page
    no_csrf = client.post(f"/promises/{promise_id}/cancel", data={})
    assert no_csrf.status_code == 403
    done = client.post(
        f"/promises/{promise_id}/cancel", data={"csrf_token": token}, follow_redirects=False
    )
    assert done.status_code == 303
    assert f'id="promise-{promise_id}"' in client.get("/promises?show=cancelled").text
    speak(client, "es")
    assert "Promesas de pago" in client.get("/promises").text


def test_the_worklist_call_form_records_a_promise_with_the_call(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    customer, _ = with_invoices(world, world.a, 300_00)
    token = signed_in(client, world, "collector")
    form = {
        "csrf_token": token,
        "outcome": "promised_to_pay",
        "promise_amount": "300",
        "promise_due_on": str(today() + timedelta(days=90)),
        "key": "r1",
    }
    hx = {"HX-Request": "true", "Accept-Language": "en"}
    refused = client.post(f"/worklist/{customer}/call", data=form, headers=hx)
    assert 'id="promise_due_on-problem"' in refused.text
    assert promises_of(world, world.a) == 0
    with world.session() as session:  # the call was not kept without its promise
        calls = session.scalar(
            select(func.count()).where(
                AuditEvent.company_id == world.a.id, AuditEvent.action == "call.logged"
            )
        )
    assert calls == 0
    form["promise_due_on"] = str(today() + timedelta(days=9))
    logged = client.post(f"/worklist/{customer}/call", data=form, headers=hx)
    assert "Promise to pay recorded" in logged.text
    assert promises_of(world, world.a) == 1


# ---- the portal ---------------------------------------------------------------------------------


def portal_debtor(world: World) -> tuple[str, list[str]]:
    with world.session() as session:
        company = session.get_one(Company, world.a.id)
        debtor = make_customer(session, company, f"P-{uuid.uuid4().hex[:6]}", name="Portal SL")
        number = make_invoice(
            session, company, debtor, 800_00, today() - timedelta(days=40), today()
        ).number
        token = portal_token(SECRET, company.id, debtor.id, utcnow() + timedelta(days=30))
        return token, [number]


def holds_of(world: World) -> int:
    with world.session() as session:
        query = select(func.count()).where(Hold.company_id == world.a.id, Hold.kind == "promise")
        return int(session.scalar(query) or 0)


def test_the_portal_approves_a_promise_inside_the_guardrails(
    app: FastAPI, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    token, numbers = portal_debtor(world)
    with client_of(app) as client:
        home = client.get(f"/portal/{token}").text
        assert f'href="/portal/{token}/promise"' in home
        form_page = client.get(f"/portal/{token}/promise")
        assert form_page.status_code == 200
        latest = today() + timedelta(days=60)
        assert f'max="{latest.isoformat()}"' in form_page.text
        data = {
            "csrf_token": client.cookies[CSRF_COOKIE],
            "amount": "400,00",
            "due_on": str(today() + timedelta(days=10)),
            "invoices": numbers,
        }
        made = client.post(f"/portal/{token}/promise", data=data)
    assert made.status_code == 200
    assert 'id="promise-made"' in made.text
    with world.session() as session:
        promise = session.scalars(select(Promise).where(Promise.company_id == world.a.id)).one()
        assert (promise.source, promise.amount, promise.created_by) == ("portal", 400_00, "portal")
    assert holds_of(world) == 1


def test_the_portal_refuses_a_promise_outside_the_guardrails_and_saves_nothing(
    app: FastAPI, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    token, _ = portal_debtor(world)
    with client_of(app) as client:
        client.get(f"/portal/{token}/promise")
        csrf = client.cookies[CSRF_COOKIE]
        too_far = {"csrf_token": csrf, "amount": "100", "due_on": str(today() + timedelta(days=61))}
        refused = client.post(f"/portal/{token}/promise", data=too_far)
        assert refused.status_code == 422
        assert "Elija un día entre hoy y el último día indicado." in refused.text  # in Spanish
        too_much = {**too_far, "amount": "900", "due_on": str(today())}
        refused = client.post(f"/portal/{token}/promise", data=too_much)
        assert "no mayor que lo que debe" in refused.text
        past = {**too_far, "due_on": str(date(2020, 1, 1))}
        assert client.post(f"/portal/{token}/promise", data=past).status_code == 422
    assert promises_of(world, world.a) == 0
    assert holds_of(world) == 0
