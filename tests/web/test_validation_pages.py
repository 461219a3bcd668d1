"""The validation notices page: the caller's company's notices with their dates (the period
marked while still open), totals, disputes and a link to the letter; the forms (a new notice, a
dispute, "Verification sent") for roles that may work only; each move a redirect back to the
list; a refused one a 422 with the error shown; another company's notice or dispute a 404 that
changes nothing; in Spanish too."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.kit.dates import today_in
from cobro.policy.models import Hold
from cobro.validation.models import ValidationDispute, ValidationNotice
from cobro.validation.rules import Itemization
from cobro.validation.service import record_dispute, send_notice
from tests.factories.ledger import make_customer
from tests.web.access import Tenant, World, build_world, speak
from tests.web.test_holds_tasks_pages import main_of, signed_in


def today() -> date:
    """The company's today when a test runs, not when the module was collected (a run may
    cross midnight in Madrid)."""
    return today_in("Europe/Madrid")


SENT = date(2025, 11, 3)  # vector R1: the validation period ends 2025-12-10


def consumer(world: World, tenant: Tenant, kind: str = "consumer") -> str:
    """A new US customer of `tenant`'s; its external id."""
    external_id = f"US-{uuid.uuid4().hex[:8]}"
    with world.session() as session:
        company = session.get_one(Company, tenant.id)
        make_customer(session, company, external_id, name="Jane Doe", kind=kind, country="US")
    return external_id


def add_notice(world: World, tenant: Tenant, sent: date = SENT) -> tuple[int, str]:
    """A notice sent on `sent` to a new US consumer of `tenant`'s: its id and the customer."""
    external_id = consumer(world, tenant)
    with world.session() as session:
        company = session.get_one(Company, tenant.id)
        customer = session.scalars(
            select(Customer).where(
                Customer.company_id == company.id, Customer.external_id == external_id
            )
        ).one()
        item = Itemization.of("charge_off", sent - timedelta(days=30), 2234_56, 75_00, 25_00, 50_00)
        return send_notice(session, company, customer, sent, item).notice.id, external_id


def add_dispute(world: World, tenant: Tenant, notice_id: int, received_on: date) -> int:
    with world.session() as session:
        company = session.get_one(Company, tenant.id)
        return record_dispute(session, company, notice_id, received_on).dispute.id


def dispute_of(world: World, dispute_id: int) -> ValidationDispute:
    with world.session() as session:
        session.expire_on_commit = False
        return session.get_one(ValidationDispute, dispute_id)


def disputes_of(world: World, notice_id: int) -> list[ValidationDispute]:
    with world.session() as session:
        session.expire_on_commit = False
        query = select(ValidationDispute).where(ValidationDispute.notice_id == notice_id)
        return list(session.scalars(query.order_by(ValidationDispute.id)))


def hold_of(world: World, hold_id: int | None) -> Hold:
    assert hold_id is not None
    with world.session() as session:
        session.expire_on_commit = False
        return session.get_one(Hold, hold_id)


# ---- who sees what ------------------------------------------------------------------------------


def test_a_viewer_sees_the_notices_with_their_disputes_and_no_forms(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    old, customer = add_notice(world, world.a)
    dispute = add_dispute(world, world.a, old, date(2025, 12, 10))
    fresh, _ = add_notice(world, world.a, sent=today())
    theirs, their_customer = add_notice(world, world.b)
    signed_in(client, world, "viewer")
    page = client.get("/validation", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert 'href="/validation">Validation notices</a>' in page.text
    html = main_of(page.text)
    assert f'id="notice-{old}" class="validation-notice"' in html
    assert f'id="notice-{fresh}" class="validation-notice open"' in html  # the period is open
    assert html.index(f'id="notice-{fresh}"') < html.index(f'id="notice-{old}"')  # newest first
    assert f'id="notice-{theirs}"' not in html
    assert their_customer not in html
    assert f'href="/customers/{customer}"' in html
    assert f'href="/api/validation/notices/{old}/document"' in html
    assert f">VN-{old}</a>" in html
    assert "2025-12-10</time></td>" in html  # closed: not highlighted
    assert "still open" in html
    assert "$2,284.56" in html
    assert f'id="dispute-{dispute}" class="dispute held"' in html
    assert "in time" in html
    assert "collection stopped until verification" in html
    assert 'method="post"' not in html
    document = client.get(f"/api/validation/notices/{old}/document")
    assert document.status_code == 200
    assert "December 10, 2025" in document.text


# ---- disputes and verification ------------------------------------------------------------------


def test_a_collector_records_a_dispute_and_then_the_verification(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    notice, _ = add_notice(world, world.a)
    token = signed_in(client, world, "collector")
    html = main_of(client.get("/validation").text)
    assert f'action="/validation/notices/{notice}/disputes"' in html
    assert f'name="csrf_token" value="{token}"' in html
    form = {"csrf_token": token, "received_on": "2025-12-10", "amount": "", "note": "not mine"}
    recorded = client.post(
        f"/validation/notices/{notice}/disputes", data=form, follow_redirects=False
    )
    assert recorded.status_code == 303, recorded.text
    assert recorded.headers["location"] == "/validation"
    (dispute,) = disputes_of(world, notice)
    assert (dispute.timely, dispute.amount, dispute.note) == (True, None, "not mine")
    hold = hold_of(world, dispute.hold_id)
    assert (hold.kind, hold.released_on) == ("dispute", None)
    listed = main_of(client.get("/validation").text)
    assert f'id="dispute-{dispute.id}" class="dispute held"' in listed
    assert f'action="/validation/disputes/{dispute.id}/verified"' in listed

    done = client.post(
        f"/validation/disputes/{dispute.id}/verified",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert dispute_of(world, dispute.id).verification_sent_on == today()
    assert hold_of(world, dispute.hold_id).released_on == today()
    after = main_of(client.get("/validation").text)
    assert f'id="dispute-{dispute.id}" class="dispute verified"' in after
    assert f'action="/validation/disputes/{dispute.id}/verified"' not in after
    again = client.post(f"/validation/disputes/{dispute.id}/verified", data={"csrf_token": token})
    assert again.status_code == 422
    assert f"Dispute {dispute.id}: verification for dispute" in main_of(again.text)


def test_a_late_dispute_with_an_amount_is_held_when_honoured(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    notice, _ = add_notice(world, world.a)
    token = signed_in(client, world, "manager")
    url = f"/validation/notices/{notice}/disputes"
    late = {"csrf_token": token, "received_on": "2025-12-11", "amount": "300.00"}
    assert client.post(url, data=late, follow_redirects=False).status_code == 303
    honoured = late | {"honour_late": "yes"}
    assert client.post(url, data=honoured, follow_redirects=False).status_code == 303
    first, second = disputes_of(world, notice)
    assert (first.timely, first.hold_id, first.amount) == (False, None, 300_00)
    assert (second.timely, second.amount) == (False, 300_00)
    assert second.hold_id is not None
    html = main_of(client.get("/validation").text)
    assert f'id="dispute-{first.id}" class="dispute not_held"' in html
    assert "late" in html
    assert "$300.00" in html


def test_a_refused_dispute_is_a_422_with_the_form_as_typed(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    notice, _ = add_notice(world, world.a)
    token = signed_in(client, world, "admin")
    url = f"/validation/notices/{notice}/disputes"
    cases = [
        ({"received_on": "2025-11-02"}, "before the notice was sent"),
        ({"received_on": "2025-11-20", "amount": "lots"}, "is not an amount"),
        ({"received_on": "2025-11-20", "amount": "9,999.00"}, "is more than the debt"),
        ({"received_on": "someday"}, "give the day as YYYY-MM-DD"),
    ]
    for typed, words in cases:
        refused = client.post(url, data={"csrf_token": token, **typed})
        assert refused.status_code == 422, typed
        html = main_of(refused.text)
        assert 'id="dispute-error"' in html, typed
        assert f"VN-{notice}: " in html
        assert words in html, typed
        assert 'aria-describedby="dispute-error"' in html
    assert disputes_of(world, notice) == []


def test_viewers_may_not_record_and_another_companys_is_a_404(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    mine, _ = add_notice(world, world.a)
    theirs, _ = add_notice(world, world.b)
    their_dispute = add_dispute(world, world.b, theirs, date(2025, 11, 20))
    token = signed_in(client, world, "viewer")
    form = {"csrf_token": token, "received_on": "2025-11-20"}
    assert client.post(f"/validation/notices/{mine}/disputes", data=form).status_code == 403
    notice_form = {"csrf_token": token, "customer": "X"}
    assert client.post("/validation/notices", data=notice_form).status_code == 403
    assert disputes_of(world, mine) == []

    client.cookies.clear()
    token = signed_in(client, world, "collector")
    form = {"csrf_token": token, "received_on": "2025-11-20"}
    assert client.post(f"/validation/notices/{theirs}/disputes", data=form).status_code == 404
    verified = client.post(
        f"/validation/disputes/{their_dispute}/verified", data={"csrf_token": token}
    )
    assert verified.status_code == 404
    assert len(disputes_of(world, theirs)) == 1
    assert dispute_of(world, their_dispute).verification_sent_on is None


# ---- sending a notice ---------------------------------------------------------------------------


def test_a_notice_is_sent_from_the_page(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url)
    customer = consumer(world, world.a)
    token = signed_in(client, world, "collector")
    assert 'action="/validation/notices"' in main_of(client.get("/validation").text)
    form = {
        "csrf_token": token, "customer": customer, "sent_on": "2025-11-03",
        "itemization_kind": "charge_off", "itemization_on": "2025-06-30", "owed": "2,234.56",
        "interest": "75", "fees": "25.00", "payments": "50", "creditor": "Big Bank",
    }  # fmt: skip
    sent = client.post("/validation/notices", data=form, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    with world.session() as session:
        notice = session.scalars(
            select(ValidationNotice)
            .join(Customer, Customer.id == ValidationNotice.customer_id)
            .where(Customer.external_id == customer)
        ).one()
        assert (notice.total, notice.ends_on) == (2284_56, date(2025, 12, 10))
        assert "Big Bank" in notice.document
        notice_id = notice.id
    assert f'id="notice-{notice_id}"' in main_of(client.get("/validation").text)


def test_a_refused_notice_is_a_422_next_to_its_field(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    business = consumer(world, world.a, kind="business")
    customer = consumer(world, world.a)
    token = signed_in(client, world, "collector")
    base = {
        "csrf_token": token, "customer": customer, "sent_on": "2025-11-03",
        "itemization_kind": "charge_off", "itemization_on": "2025-06-30", "owed": "100",
    }  # fmt: skip
    cases = [
        ({"customer": business}, "customer", "is a business"),
        ({"customer": "NO-SUCH"}, "customer", "no customer"),
        ({"owed": ""}, "owed", "give an amount"),
        ({"fees": "lots"}, "fees", "is not an amount"),
        ({"itemization_on": "2025-12-01"}, "itemization_on", "after the notice is sent"),
        ({"sent_on": ""}, "sent_on", "give the day"),
    ]
    for typed, field, words in cases:
        refused = client.post("/validation/notices", data=base | typed)
        assert refused.status_code == 422, typed
        html = main_of(refused.text)
        assert f'id="notice-error-{field}"' in html, typed
        assert words in html, typed
        assert html.count('class="problem"') == 1, typed
    with world.session() as session:
        assert (
            session.scalars(
                select(ValidationNotice).where(ValidationNotice.company_id == world.a.id)
            ).all()
            == []
        )


# ---- language -----------------------------------------------------------------------------------


def test_the_validation_page_speaks_spanish(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url)
    notice, _ = add_notice(world, world.a)
    add_dispute(world, world.a, notice, date(2025, 12, 11))
    signed_in(client, world, "collector")
    speak(client, "es")
    page = client.get("/validation")
    assert page.headers["content-language"] == "es"
    assert 'href="/validation">Avisos de validación</a>' in page.text
    html = main_of(page.text)
    assert "<h1>Avisos de validación</h1>" in html
    assert "Fin del período de validación" in html
    assert "fuera de plazo" in html
    assert "sin bloqueo" in html
    assert "Registrar disputa" in html
    assert "fecha de cancelación contable" in html
    assert "2.284,56" in html
