"""POST /api/customers/{external_id}/portal-link: a collector's link for one customer of
their own company, signed and expiring, audited; readers and other companies get none."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from cobro.app import create_app
from cobro.audit.models import AuditEvent
from cobro.config import Settings
from cobro.customer.models import Customer
from cobro.kit.dates import utcnow
from cobro.notice.links import PortalLinkRefused
from cobro.portal.links import read_portal_token
from cobro.web.security import CSRF_COOKIE
from tests.web.access import sign_in
from tests.web.conftest import SECRET, client_of
from tests.web.portal_world import Portal, build_portal

BASE = "https://cobro.example"


@pytest.fixture(scope="module")
def portal(web_database_url: str) -> Portal:
    return build_portal(web_database_url)


@pytest.fixture
def linking_app(web_database_url: str) -> FastAPI:
    return create_app(
        Settings(database_url=web_database_url, company=None, secret_key=SECRET, base_url=BASE)
    )


def external_id(portal: Portal, customer_id: int) -> str:
    with portal.world.session() as session:
        return session.get_one(Customer, customer_id).external_id


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_collector_gets_a_working_link(linking_app: FastAPI, portal: Portal) -> None:
    who = external_id(portal, portal.customer)
    headers = bearer(portal.world.token("collector", ("write",)))
    with client_of(linking_app) as client:
        answer = client.post(f"/api/customers/{who}/portal-link", json={"days": 7}, headers=headers)
        assert answer.status_code == 200, answer.text
        url = answer.json()["url"]
        assert url.startswith(f"{BASE}/portal/")
        token = url.rsplit("/", 1)[1]
        assert read_portal_token(SECRET, token, utcnow()) == (portal.company_id, portal.customer)
        assert read_portal_token(SECRET, token, utcnow() + timedelta(days=6, hours=23))
        page = client.get(f"/portal/{token}")
    assert page.status_code == 200
    assert portal.euro in page.text
    with portal.world.session() as session:
        events = list(
            session.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "portal.link_made",
                    AuditEvent.entity_id == str(portal.customer),
                )
            )
        )
    assert len(events) >= 1
    assert events[-1].actor_id is not None


def test_days_are_checked(linking_app: FastAPI, portal: Portal) -> None:
    who = external_id(portal, portal.customer)
    headers = bearer(portal.world.token("collector", ("write",)))
    with client_of(linking_app) as client:
        answer = client.post(f"/api/customers/{who}/portal-link", json={"days": 0}, headers=headers)
    assert answer.status_code == 422
    assert "days" in answer.text


@pytest.mark.parametrize(("role", "scopes"), [("viewer", ("read",)), ("collector", ("read",))])
def test_readers_get_no_link(
    linking_app: FastAPI, portal: Portal, role: str, scopes: tuple[str, ...]
) -> None:
    who = external_id(portal, portal.customer)
    with client_of(linking_app) as client:
        answer = client.post(
            f"/api/customers/{who}/portal-link", headers=bearer(portal.world.token(role, scopes))
        )
    assert answer.status_code == 403
    assert "/portal/" not in answer.text


def test_another_companys_customer_is_not_found(linking_app: FastAPI, portal: Portal) -> None:
    who = external_id(portal, portal.foreign)
    headers = bearer(portal.world.token("admin", ("write",)))
    with client_of(linking_app) as client:
        answer = client.post(f"/api/customers/{who}/portal-link", headers=headers)
    assert answer.status_code == 404
    assert "/portal/" not in answer.text


def test_without_a_secret_key_no_link(web_database_url: str, portal: Portal) -> None:
    app = create_app(Settings(database_url=web_database_url, company=None))
    who = external_id(portal, portal.customer)
    headers = bearer(portal.world.token("collector", ("write",)))
    with client_of(app) as client:
        answer = client.post(f"/api/customers/{who}/portal-link", headers=headers)
    assert answer.status_code == 409
    assert "COBRO_SECRET_KEY" in answer.text


def test_the_customer_page_makes_a_link_for_a_collector_only(
    linking_app: FastAPI, portal: Portal
) -> None:
    who = external_id(portal, portal.customer)
    with client_of(linking_app) as client:
        assert sign_in(client, portal.world.a.users["collector"]).status_code == 303
        page = client.get(f"/customers/{who}")
        assert f'action="/customers/{who}/portal-link"' in page.text
        made = client.post(
            f"/customers/{who}/portal-link",
            data={"days": "3", "csrf_token": client.cookies.get(CSRF_COOKIE, "")},
        )
        assert made.status_code == 200, made.text
        assert f'value="{BASE}/portal/' in made.text
        token = made.text.split(f'value="{BASE}/portal/', 1)[1].split('"', 1)[0]
        assert read_portal_token(SECRET, token, utcnow()) == (portal.company_id, portal.customer)
        with pytest.raises(PortalLinkRefused):
            read_portal_token(SECRET, token, utcnow() + timedelta(days=4))
    with client_of(linking_app) as viewer:
        assert sign_in(viewer, portal.world.a.users["viewer"]).status_code == 303
        assert "portal-link" not in viewer.get(f"/customers/{who}").text
        refused = viewer.post(
            f"/customers/{who}/portal-link",
            data={"csrf_token": viewer.cookies.get(CSRF_COOKIE, "")},
        )
        assert refused.status_code == 403
