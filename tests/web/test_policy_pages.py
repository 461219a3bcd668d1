"""The policy editor, the template editor and the cycle, through the API and the pages: the
caller's company only (another company's policy or template is a 404), roles (viewers read,
collectors run dry cycles, managers change and run for real), errors naming the field, every
change audited, and hostile template text never markup in a preview."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cobro.audit.models import AuditEvent
from cobro.company.models import Company
from cobro.kit.dates import utcnow
from cobro.notice.editor import save_draft
from cobro.outbox.models import Action
from cobro.policy.service import save_policy
from cobro.web.security import CSRF_COOKIE
from tests.web.access import World, build_world, sign_in
from tests.web.policy_world import owe

DRAFT = {
    "en": {"subject": "Hello {{ customer_name }}", "text": "You owe {{ amount_due }}."},
    "es": {"subject": "Hola {{ customer_name }}", "text": "Debe {{ amount_due }}."},
}
HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>"


def csrf(client: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": client.cookies.get(CSRF_COOKIE) or ""}


def form(client: TestClient, **fields: str | list[str]) -> dict[str, str | list[str]]:
    return {"csrf_token": client.cookies.get(CSRF_COOKIE) or "", **fields}


def as_role(client: TestClient, world: World, role: str) -> TestClient:
    assert sign_in(client, world.a.users[role]).status_code == 303
    client.get("/cycle")  # signing in drops the CSRF cookie: a page gives the new one
    return client


def secret_policy(world: World) -> None:
    """Company B's own policy and template, under names A does not have."""
    with world.session() as session:
        company = session.get_one(Company, world.b.id)
        stages = [{"code": "b-only", "offset": 4, "tone": "firm", "actions": ["email"]}]
        save_policy(session, company, {"code": "b-secret", "name": "B", "stages": stages})
        sources = {
            (lang, part): text for lang, parts in DRAFT.items() for part, text in parts.items()
        }
        save_draft(session, company, "b-only.email", sources, None, utcnow())


def test_the_api_lists_and_changes_a_stage_naming_the_field(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    as_role(client, world, "manager")
    listed = client.get("/api/policies").json()
    assert [p["code"] for p in listed["items"]] == ["default"]
    assert listed["items"][0]["is_default"]
    refused = client.patch(
        "/api/policies/default/stages/firm", json={"offset": 30}, headers=csrf(client)
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "offset"
    renamed = client.patch(
        "/api/policies/default/stages/firm", json={"code": "x"}, headers=csrf(client)
    )
    assert renamed.status_code == 422
    assert renamed.json()["error"]["field"] == "code"
    changed = client.patch(
        "/api/policies/default/stages/firm", json={"tone": "formal"}, headers=csrf(client)
    )
    assert changed.status_code == 200
    assert next(s for s in changed.json()["stages"] if s["code"] == "firm")["tone"] == "formal"
    added = client.post(
        "/api/policies/default/stages",
        json={"code": "nudge", "offset": 1, "tone": "friendly", "actions": ["sms"]},
        headers=csrf(client),
    )
    assert added.status_code == 201
    removed = client.delete("/api/policies/default/stages/nudge", headers=csrf(client))
    assert removed.status_code == 200
    with world.session() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.company_id == world.a.id)
        ).all()
    assert {"policy.stage_changed", "policy.stage_added", "policy.stage_removed"} <= set(actions)


def test_viewers_read_but_cannot_change_or_run_for_real(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    as_role(client, world, "viewer")
    assert client.get("/api/policies/default").status_code == 200
    assert client.get("/policies/default").status_code == 200
    assert "stage-form" not in client.get("/policies/default").text
    assert (
        client.patch(
            "/api/policies/default/stages/firm", json={"tone": "formal"}, headers=csrf(client)
        ).status_code
        == 403
    )
    assert (
        client.put(
            "/api/templates/due.email", json={"sources": DRAFT}, headers=csrf(client)
        ).status_code
        == 403
    )
    for dry_run in (True, False):
        ran = client.post("/api/cycle/run", json={"dry_run": dry_run}, headers=csrf(client))
        assert ran.status_code == 403
    page = client.post("/policies/default/stages/firm", data=form(client, offset="20", tone="firm"))
    assert page.status_code == 403


def test_a_collector_runs_dry_but_not_for_real(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url)
    owe(world, world.a, {4: 100_00, 25: 300_00})
    as_role(client, world, "collector")
    dry = client.post("/api/cycle/run", json={"dry_run": True}, headers=csrf(client))
    assert dry.status_code == 200, dry.text
    body = dry.json()
    assert body["dry_run"]
    assert body["moved"] == 2
    assert body["created"] == 0
    assert sum(sum(stage["amounts"].values()) for stage in body["stages"]) == 400_00
    real = client.post("/api/cycle/run", json={"dry_run": False}, headers=csrf(client))
    assert real.status_code == 403
    with world.session() as session:
        count = select(func.count(Action.id)).where(Action.company_id == world.a.id)
        assert session.scalar(count) == 0


def test_a_manager_runs_for_real_once_and_the_run_is_audited(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    owe(world, world.a, {4: 100_00})
    as_role(client, world, "manager")
    unconfirmed = client.post("/cycle/run", data=form(client, mode="real"))
    assert unconfirmed.status_code == 422
    assert 'id="error-confirm"' in unconfirmed.text
    page = client.post("/cycle/run", data=form(client, mode="real", confirm="yes"))
    assert page.status_code == 200
    assert "/outbox?status=queued" in page.text
    again = client.post("/api/cycle/run", json={"dry_run": False}, headers=csrf(client))
    assert again.json()["created"] == 0  # the day had run
    ahead = client.post(
        "/api/cycle/run", json={"dry_run": False, "on": "2099-01-01"}, headers=csrf(client)
    )
    assert ahead.status_code == 409
    assert ahead.json()["error"]["field"] == "on"
    with world.session() as session:
        queued = select(func.count(Action.id)).where(Action.company_id == world.a.id)
        assert session.scalar(queued) == 1
        runs = select(func.count(AuditEvent.id)).where(
            AuditEvent.company_id == world.a.id, AuditEvent.action == "cycle.run"
        )
        assert session.scalar(runs) == 2


def test_another_companys_policy_and_template_are_not_found(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    secret_policy(world)
    as_role(client, world, "admin")
    for url in (
        "/api/policies/b-secret",
        "/policies/b-secret",
        "/api/templates/b-only.email",
        "/templates/b-only.email",
        "/api/policies/b-secret/stages/b-only/preview",
    ):
        answer = client.get(url)
        assert answer.status_code == 404, url
        assert "Secret" not in answer.text
    assert (
        client.patch(
            "/api/policies/b-secret/stages/b-only", json={"offset": 5}, headers=csrf(client)
        ).status_code
        == 404
    )
    assert (
        client.put(
            "/api/templates/b-only.email", json={"sources": DRAFT}, headers=csrf(client)
        ).status_code
        == 404
    )
    assert client.post("/policies/b-secret/dry-run", data=form(client)).status_code == 404
    listed = client.get("/api/templates?limit=200").json()["items"]
    assert "b-only.email" not in [t["name"] for t in listed]


def test_a_template_with_errors_is_not_saved_and_says_which_field(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    as_role(client, world, "manager")
    broken = {**DRAFT, "es": {"subject": "Hola", "text": ""}}
    refused = client.put("/api/templates/due.email", json={"sources": broken}, headers=csrf(client))
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "es.text"
    page = client.post(
        "/templates/due.email",
        data=form(
            client, **{"en.subject": "{% if %}", "en.text": "x", "es.subject": "y", "es.text": "z"}
        ),
    )
    assert page.status_code == 422
    assert 'id="error-en-subject">' in page.text
    assert "line 1" in page.text
    assert not client.get("/api/templates/due.email").json()["custom"]
    saved = client.put("/api/templates/due.email", json={"sources": DRAFT}, headers=csrf(client))
    assert saved.status_code == 200
    assert saved.json()["custom"]


def test_the_preview_shows_hostile_text_as_text(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url, customer_names=(HOSTILE,))
    owe(world, world.a, {0: 100_00})
    as_role(client, world, "collector")
    fields = {"en.subject": HOSTILE, "en.text": "Dear {{ customer_name }} " + HOSTILE,
              "es.subject": "Hola", "es.text": "Debe {{ amount_due }}"}  # fmt: skip
    part = client.post("/templates/due.email/preview", data=form(client, **fields))
    assert part.status_code == 200
    assert "<script>alert" not in part.text
    assert "<img src=x" not in part.text
    assert "&lt;script&gt;alert(" in part.text
    # the HTML version only ever inside a sandboxed frame, as an attribute's escaped text
    assert 'sandbox="" srcdoc="' in part.text
    assert 'hx-swap-oob="true"' in part.text
    api = client.post(
        "/api/templates/due.email/preview", json={"sources": DRAFT}, headers=csrf(client)
    )
    assert api.status_code == 200
    previews = {p["language"]: p for p in api.json()["previews"]}
    assert previews["es"]["subject"] == f"Hola {HOSTILE}"
    assert api.json()["errors"] == {}


def test_the_policy_page_previews_a_stage_and_runs_tomorrow(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    customer = owe(world, world.a, {9: 250_00})
    as_role(client, world, "manager")
    page = client.get("/policies/default?preview=reminder-1")
    assert page.status_code == 200
    assert customer in page.text
    assert 'class="text"' in page.text
    unknown = client.get("/policies/default?preview=reminder-1&customer=nobody")
    assert "no customer" in unknown.text
    edit = client.post(
        "/policies/default/stages/firm",
        data=form(client, offset="abc", tone="firm", actions=["email"]),
    )
    assert edit.status_code == 422
    assert 'id="error-firm-offset"' in edit.text
    moved = client.post(
        "/policies/default/stages/firm",
        data=form(client, offset="21", tone="firm", actions=["email", "call_task"]),
        follow_redirects=False,
    )
    assert moved.status_code == 303
    tomorrow = client.post("/policies/default/dry-run", data=form(client))
    assert tomorrow.status_code == 200
    assert "outcome-reminder-2" in tomorrow.text  # +10 tomorrow
    with world.session() as session:
        assert (
            session.scalar(select(func.count(Action.id)).where(Action.company_id == world.a.id))
            == 0
        )


def test_a_manager_sets_a_stage_s_fee_on_the_page_and_unticking_the_action_removes_it(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    as_role(client, world, "manager")
    half = client.post(
        "/policies/default/stages/firm",
        data=form(client, offset="20", tone="firm", actions=["email", "fee"]),
    )
    assert half.status_code == 422  # the fee action with no fee: said next to the fee fields
    assert "has the fee action but no fee" in half.text
    saved = client.post(
        "/policies/default/stages/firm",
        data=form(
            client,
            offset="20",
            tone="firm",
            actions=["email", "fee"],
            fee_fixed="10,00",
            fee_percent="1.5",
            fee_maximum="50",
            fee_per="notice",
        ),
        follow_redirects=False,
    )
    assert saved.status_code == 303
    firm = next(
        s for s in client.get("/api/policies/default").json()["stages"] if s["code"] == "firm"
    )
    assert firm["fee"] == {
        "per": "notice",
        "fixed": {"EUR": "10.00"},
        "maximum": {"EUR": "50.00"},
        "percent": "1.5",
    }
    page = client.get("/policies/default")
    assert 'name="fee_fixed" inputmode="decimal" maxlength="20" value="10.00"' in page.text
    bad = client.post(
        "/policies/default/stages/firm",
        data=form(client, offset="20", tone="firm", actions=["email", "fee"], fee_percent="500"),
    )
    assert bad.status_code == 422
    assert "percent" in bad.text
    removed = client.post(
        "/policies/default/stages/firm",
        data=form(client, offset="20", tone="firm", actions=["email"]),
        follow_redirects=False,
    )
    assert removed.status_code == 303
    firm = next(
        s for s in client.get("/api/policies/default").json()["stages"] if s["code"] == "firm"
    )
    assert firm["fee"] is None
    assert firm["actions"] == ["email"]
