"""The holds and tasks pages: the caller's company's holds and tasks by tab, escaped; buttons
and forms (with the CSRF token) for roles that may work only; each move a redirect back to its
tab; a refused new hold or task a 422 with the error next to its field; another company's hold
or task a 404 that changes nothing; in Spanish too."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.models import AuditEvent
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.kit.dates import today_in
from cobro.policy.holds import place_hold
from cobro.policy.models import Hold
from cobro.task.models import Task
from cobro.task.service import raise_task
from cobro.web.security import CSRF_COOKIE
from cobro.worklist.models import WorklistRow
from tests.factories.ledger import make_invoice
from tests.web.access import Tenant, World, build_world, sign_in, speak

HOSTILE = "<script>alert('x')</script> \"quoted\" & Ñandú"


def today() -> date:
    """The company's today when a test runs, not when the module was collected (a run may
    cross midnight in Madrid)."""
    return today_in("Europe/Madrid")


def first_customer(session: Session, tenant: Tenant) -> Customer:
    customer = session.scalars(
        select(Customer).where(Customer.company_id == tenant.id).order_by(Customer.id)
    ).first()
    assert customer is not None
    return customer


def add_hold(
    world: World, tenant: Tenant, reason: str = "disputed price", ends_on: date | None = None
) -> int:
    """A hold from today on `tenant`'s first customer; its id."""
    with world.session() as session:
        company = session.get_one(Company, tenant.id)
        customer = first_customer(session, tenant)
        return place_hold(session, company, customer, "dispute", reason, today(), ends_on).id


def add_task(world: World, tenant: Tenant, title: str = "call about the March invoice") -> int:
    """An open call task due today for `tenant`'s first customer; its id."""
    with world.session() as session:
        task = raise_task(
            session,
            company_id=tenant.id,
            customer=first_customer(session, tenant),
            kind="call",
            title=title,
            due_on=today(),
        )
        return task.id


def released_on(world: World, hold_id: int) -> date | None:
    with world.session() as session:
        return session.get_one(Hold, hold_id).released_on


def task_status(world: World, task_id: int) -> str:
    with world.session() as session:
        return session.get_one(Task, task_id).status


def holds_of(world: World, tenant: Tenant) -> list[Hold]:
    with world.session() as session:
        session.expire_on_commit = False
        return list(session.scalars(select(Hold).where(Hold.company_id == tenant.id)))


def main_of(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def signed_in(client: TestClient, world: World, role: str) -> str:
    """Sign `role` of company A in; the CSRF token the pages carry."""
    assert sign_in(client, world.a.users[role]).status_code == 303
    client.get("/account")
    return client.cookies.get(CSRF_COOKIE) or ""


# ---- who sees what ------------------------------------------------------------------------------


def test_a_viewer_sees_the_holds_and_tasks_of_their_company_without_buttons(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    hold, task = add_hold(world, world.a), add_task(world, world.a)
    theirs_hold, theirs_task = add_hold(world, world.b), add_task(world, world.b)
    signed_in(client, world, "viewer")
    holds = client.get("/holds", headers={"Accept-Language": "en"})
    assert holds.status_code == 200
    html = main_of(holds.text)
    assert f'id="hold-{hold}"' in html
    assert f'id="hold-{theirs_hold}"' not in html
    assert "disputed price" in html
    assert "dispute" in html
    assert "open-ended" in html
    external_id = next(iter(world.a.customers))
    assert f'href="/customers/{external_id}"' in html
    assert 'method="post"' not in html
    assert "/release" not in html
    assert 'href="/holds">Holds</a>' in holds.text
    assert 'href="/tasks">Tasks</a>' in holds.text
    tasks = main_of(client.get("/tasks").text)
    assert f'id="task-{task}"' in tasks
    assert f'id="task-{theirs_task}"' not in tasks
    assert "call about the March invoice" in tasks
    assert 'method="post"' not in tasks
    assert "/done" not in tasks
    for name in world.b.customers.values():
        assert name not in html
        assert name not in tasks


def test_a_collector_sees_the_forms_and_buttons(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url)
    hold, task = add_hold(world, world.a), add_task(world, world.a)
    token = signed_in(client, world, "collector")
    holds = main_of(client.get("/holds").text)
    assert f'action="/holds/{hold}/release"' in holds
    assert 'action="/holds"' in holds
    assert f'name="csrf_token" value="{token}"' in holds
    tasks = main_of(client.get("/tasks").text)
    assert f'action="/tasks/{task}/done"' in tasks
    assert f'action="/tasks/{task}/cancel"' in tasks
    assert 'action="/tasks"' in tasks


# ---- moves --------------------------------------------------------------------------------------


def test_releasing_a_hold_goes_back_to_its_tab_and_ends_it(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    hold = add_hold(world, world.a)
    token = signed_in(client, world, "collector")
    moved = client.post(
        f"/holds/{hold}/release",
        data={"csrf_token": token, "back": "all"},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    assert moved.headers["location"] == "/holds?show=all"
    assert released_on(world, hold) == today()
    assert f'id="hold-{hold}"' not in client.get("/holds").text  # no longer in force
    every = main_of(client.get("/holds?show=all").text)
    assert f'id="hold-{hold}"' in every
    assert f'action="/holds/{hold}/release"' not in every  # released: nothing to release
    with world.session() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.entity_type == "hold", AuditEvent.entity_id == str(hold)
            )
        ).all()
    assert list(actions) == ["hold.released"]
    # releasing it again is refused by the service
    again = client.post(f"/holds/{hold}/release", data={"csrf_token": token})
    assert again.status_code == 409


def test_finishing_and_cancelling_tasks_go_back_to_their_tab(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    first, second = add_task(world, world.a), add_task(world, world.a, "send the statement")
    token = signed_in(client, world, "collector")
    done = client.post(f"/tasks/{first}/done", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == "/tasks"
    assert task_status(world, first) == "done"
    cancelled = client.post(
        f"/tasks/{second}/cancel",
        data={"csrf_token": token, "back": "all"},
        follow_redirects=False,
    )
    assert cancelled.status_code == 303
    assert cancelled.headers["location"] == "/tasks?status=all"
    assert task_status(world, second) == "cancelled"
    open_tab = client.get("/tasks").text
    assert f'id="task-{first}"' not in open_tab
    assert f'id="task-{second}"' not in open_tab
    assert f'id="task-{first}"' in client.get("/tasks?status=done").text
    cancelled_tab = main_of(client.get("/tasks?status=cancelled").text)
    assert f'id="task-{second}"' in cancelled_tab
    assert f'action="/tasks/{second}/done"' not in cancelled_tab
    # a closed task does not change again
    assert client.post(f"/tasks/{first}/cancel", data={"csrf_token": token}).status_code == 409
    assert task_status(world, first) == "done"


def test_placing_a_hold_and_adding_a_task_through_the_forms(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    external_id = next(iter(world.a.customers))
    token = signed_in(client, world, "collector")
    until = (today() + timedelta(days=7)).isoformat()
    form = {"csrf_token": token, "customer": external_id, "kind": "promise", "reason": "pays"}
    placed = client.post("/holds", data={**form, "ends_on": until}, follow_redirects=False)
    assert placed.status_code == 303
    assert placed.headers["location"] == "/holds"
    [hold] = holds_of(world, world.a)
    assert (hold.kind, hold.reason, hold.starts_on, hold.ends_on) == (
        "promise",
        "pays",
        today(),
        today() + timedelta(days=7),
    )
    assert hold.created_by == world.a.users["collector"]
    task_form = {"csrf_token": token, "customer": external_id, "kind": "review"}
    added = client.post(
        "/tasks",
        data={**task_form, "due_on": until, "title": "check the plan"},
        follow_redirects=False,
    )
    assert added.status_code == 303
    assert "check the plan" in client.get("/tasks").text


def test_a_bad_hold_is_a_422_with_the_error_next_to_its_field(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    external_id = next(iter(world.a.customers))
    token = signed_in(client, world, "collector")
    cases = [
        ({"customer": "NOPE", "reason": "x"}, "customer"),
        ({"customer": next(iter(world.b.customers)), "reason": "x"}, "customer"),
        ({"customer": external_id, "reason": "  "}, "reason"),
        ({"customer": external_id, "reason": "x", "kind": "nonsense"}, "kind"),
        ({"customer": external_id, "reason": "x", "kind": "paid_claim"}, "ends_on"),
        ({"customer": external_id, "reason": "x", "ends_on": "next week"}, "ends_on"),
        ({"customer": external_id, "reason": "x", "ends_on": "2000-01-01"}, "ends_on"),
    ]
    for typed, field in cases:
        form = {"csrf_token": token, "kind": "manual", **typed}
        refused = client.post("/holds", data=form)
        assert refused.status_code == 422, (typed, refused.text[:300])
        html = main_of(refused.text)
        assert f'id="hold-error-{field}"' in html, typed
        assert html.count('class="problem"') == 1, typed
        assert f'value="{typed["customer"]}"' in html  # the form as typed
    assert holds_of(world, world.a) == []
    assert holds_of(world, world.b) == []


def test_a_bad_task_is_a_422_with_the_error_next_to_its_field(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    external_id = next(iter(world.a.customers))
    token = signed_in(client, world, "collector")
    due = today().isoformat()
    cases = [
        ({"customer": "NOPE", "due_on": due, "title": "x"}, "customer"),
        ({"customer": external_id, "due_on": "", "title": "x"}, "due_on"),
        ({"customer": external_id, "due_on": due, "title": " "}, "title"),
        ({"customer": external_id, "due_on": due, "title": "x", "kind": "nap"}, "kind"),
    ]
    for typed, field in cases:
        refused = client.post("/tasks", data={"csrf_token": token, "kind": "call", **typed})
        assert refused.status_code == 422, (typed, refused.text[:300])
        assert f'id="task-error-{field}"' in main_of(refused.text), typed
    with world.session() as session:
        assert session.scalars(select(Task).where(Task.company_id == world.a.id)).all() == []


# ---- safety -------------------------------------------------------------------------------------


def test_hostile_names_and_texts_are_escaped(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url, customer_names=(HOSTILE,))
    add_hold(world, world.a, reason=HOSTILE)
    add_task(world, world.a, title=HOSTILE)
    signed_in(client, world, "collector")
    for path in ("/holds", "/tasks"):
        html = client.get(path).text
        assert HOSTILE not in html
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(" in html


def test_another_companys_hold_or_task_is_a_404_and_stays_as_it_was(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    theirs_hold, theirs_task = add_hold(world, world.b), add_task(world, world.b)
    token = signed_in(client, world, "manager")
    form = {"csrf_token": token}
    assert client.post(f"/holds/{theirs_hold}/release", data=form).status_code == 404
    assert client.post(f"/tasks/{theirs_task}/done", data=form).status_code == 404
    assert client.post(f"/tasks/{theirs_task}/cancel", data=form).status_code == 404
    assert released_on(world, theirs_hold) is None
    assert task_status(world, theirs_task) == "open"


def test_a_post_without_the_csrf_token_or_by_a_viewer_is_refused(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    hold, task = add_hold(world, world.a), add_task(world, world.a)
    signed_in(client, world, "collector")
    assert client.post(f"/holds/{hold}/release", data={}).status_code == 403
    assert client.post(f"/tasks/{task}/done", data={"csrf_token": "forged"}).status_code == 403
    external_id = next(iter(world.a.customers))
    placed = client.post("/holds", data={"customer": external_id, "reason": "x"})
    assert placed.status_code == 403
    client.get("/logout")
    token = signed_in(client, world, "viewer")
    assert client.post(f"/holds/{hold}/release", data={"csrf_token": token}).status_code == 403
    assert client.post(f"/tasks/{task}/cancel", data={"csrf_token": token}).status_code == 403
    assert released_on(world, hold) is None
    assert task_status(world, task) == "open"
    assert len(holds_of(world, world.a)) == 1


# ---- pages, language ----------------------------------------------------------------------------


def test_the_holds_page_pages_by_fifty_keeping_its_tab(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    with world.session() as session:
        company = session.get_one(Company, world.a.id)
        customer = first_customer(session, world.a)
        ids = [
            place_hold(session, company, customer, "manual", f"r{n}", today()).id for n in range(51)
        ]
    signed_in(client, world, "viewer")
    first = client.get("/holds?show=all").text
    assert 'href="/holds?show=all&amp;offset=50"' in first
    assert f'id="hold-{ids[0]}"' not in first  # newest first: the oldest is on page two
    second = client.get("/holds?show=all&offset=50").text
    assert f'id="hold-{ids[0]}"' in second
    assert 'rel="prev" href="/holds?show=all&amp;offset=0"' in second


def test_the_pages_speak_spanish(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url)
    add_hold(world, world.a)
    add_task(world, world.a)
    signed_in(client, world, "collector")
    speak(client, "es")
    holds = client.get("/holds").text
    assert "<h1>Bloqueos</h1>" in holds
    for text in (
        "En vigor",
        "Levantar",
        "disputa",
        "sin fecha de fin",
        "Código externo del cliente",
    ):
        assert text in holds, text
    tasks = client.get("/tasks").text
    for text in ("<h1>Tareas</h1>", "Marcar hecha", "Cancelar", "Por hacer", "llamada", "Vence el"):
        assert text in tasks, text
    assert ">Tasks<" not in tasks
    assert ">Release<" not in holds


def test_a_hold_placed_or_released_here_moves_the_customer_on_the_worklist_at_once(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    with world.session() as session:
        company = session.get_one(Company, world.a.id)
        customer = first_customer(session, world.a)
        due = today() - timedelta(days=20)
        make_invoice(session, company, customer, 500_00, due - timedelta(days=30), due, "H-1")
        external_id, customer_id = customer.external_id, customer.id
    token = signed_in(client, world, "collector")
    assert client.get("/worklist").status_code == 200  # today's ranking is kept
    assert kept_hold(world, customer_id) is None

    form = {"csrf_token": token, "customer": external_id, "kind": "manual", "reason": "legal"}
    assert client.post("/holds", data=form, follow_redirects=False).status_code == 303
    assert kept_hold(world, customer_id) == "manual"  # not at the next rebuild: now

    [hold] = holds_of(world, world.a)
    released = client.post(
        f"/holds/{hold.id}/release", data={"csrf_token": token}, follow_redirects=False
    )
    assert released.status_code == 303
    assert kept_hold(world, customer_id) is None


def kept_hold(world: World, customer_id: int) -> str | None:
    """The hold the worklist's kept row of the customer shows."""
    with world.session() as session:
        row = session.scalars(
            select(WorklistRow).where(WorklistRow.customer_id == customer_id)
        ).one()
        return row.hold


def test_a_task_about_an_invoice_links_to_it(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url)
    with world.session() as session:
        company = session.get_one(Company, world.a.id)
        customer = first_customer(session, world.a)
        invoice = make_invoice(session, company, customer, 90_00, today(), today(), "F/2026/7")
        raise_task(
            session,
            company_id=company.id,
            customer=customer,
            kind="review",
            title="check the discount",
            due_on=today(),
            invoice_id=invoice.id,
        )
    signed_in(client, world, "viewer")
    tasks = main_of(client.get("/tasks").text)
    assert '<td class="invoice"><a href="/invoices/F/2026/7">F/2026/7</a></td>' in tasks
