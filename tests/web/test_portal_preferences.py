"""Contact preferences on the portal: language and the channels the debtor accepts, through
the policy's opt_out/opt_in, audited, confirmed; opening the page changes nothing."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from cobro.audit.models import AuditEvent
from cobro.customer.models import Customer
from cobro.policy.models import OptOut
from cobro.portal.preferences import CHANNEL_NAMES, ERRORS, OFFERED
from cobro.web.i18n import catalog
from cobro.web.security import CSRF_COOKIE
from tests.web.conftest import client_of
from tests.web.portal_world import Portal, build_portal


@pytest.fixture
def portal(web_database_url: str) -> Portal:
    return build_portal(web_database_url)  # each test its own debtor: preferences change


def state(portal: Portal, customer_id: int) -> tuple[str, set[str], list[AuditEvent]]:
    with portal.world.session() as session:
        customer = session.get_one(Customer, customer_id)
        channels = set(
            session.scalars(select(OptOut.channel).where(OptOut.customer_id == customer_id))
        )
        events = list(
            session.scalars(
                select(AuditEvent).where(
                    AuditEvent.entity_type == "customer",
                    AuditEvent.entity_id == str(customer_id),
                    AuditEvent.action == "customer.preferences_changed",
                )
            )
        )
        session.expunge_all()
        return customer.language, channels, events


def save(client: TestClient, token: str, **fields: object) -> str:
    client.get(f"/portal/{token}/preferences")
    form: dict[str, object] = {"csrf_token": client.cookies[CSRF_COOKIE], **fields}
    answer = client.post(f"/portal/{token}/preferences", data=form)
    return f"{answer.status_code} {answer.text}"


def test_opening_the_page_changes_nothing(app: FastAPI, portal: Portal) -> None:
    with client_of(app) as client:
        page = client.get(f"/portal/{portal.token()}/preferences")
    assert page.status_code == 200
    for channel in OFFERED:
        assert re.search(rf'value="{channel}" id="channel-{channel}"\s+checked', page.text)
    assert "registered_letter" not in page.text
    assert state(portal, portal.customer)[1:] == (set(), [])


def test_opting_out_of_email_and_sms_is_saved_audited_and_confirmed(
    app: FastAPI, portal: Portal
) -> None:
    with client_of(app) as client:
        answer = save(client, portal.token(), language="en", channels=["whatsapp", "letter"])
    assert answer.startswith("200 ")
    assert "Your preferences are saved." in answer
    language, channels, events = state(portal, portal.customer)
    assert (language, channels) == ("en", {"email", "sms"})
    assert len(events) == 1
    assert events[0].source == "portal"
    assert events[0].company_id == portal.company_id
    assert events[0].before == {"language": "en", "opted_out": []}
    assert events[0].after == {"language": "en", "opted_out": ["email", "sms"]}
    with portal.world.session() as session:
        sources = set(
            session.scalars(select(OptOut.source).where(OptOut.customer_id == portal.customer))
        )
    assert sources == {"portal"}


def test_opting_back_in(app: FastAPI, portal: Portal) -> None:
    with client_of(app) as client:
        save(client, portal.token(), language="en", channels=[])
        assert state(portal, portal.customer)[1] == set(OFFERED)
        answer = save(client, portal.token(), language="en", channels=list(OFFERED))
    assert answer.startswith("200 ")
    assert state(portal, portal.customer)[1] == set()
    assert len(state(portal, portal.customer)[2]) == 2


def test_choosing_spanish_changes_the_customers_language_and_the_page(
    app: FastAPI, portal: Portal
) -> None:
    with client_of(app) as client:
        answer = save(client, portal.token(), language="es", channels=list(OFFERED))
        home = client.get(f"/portal/{portal.token()}")
    assert "Sus preferencias se han guardado." in answer
    assert state(portal, portal.customer)[0] == "es"
    assert "Facturas pendientes" in home.text


def test_saving_the_same_preferences_writes_no_event(app: FastAPI, portal: Portal) -> None:
    with client_of(app) as client:
        save(client, portal.token(), language="en", channels=list(OFFERED))
    assert state(portal, portal.customer)[2] == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"language": "fr", "channels": ["email"]}, "language"),
        ({"language": "", "channels": ["email"]}, "language"),
        ({"language": "en", "channels": ["registered_letter"]}, "channels"),
        ({"language": "en", "channels": ["pigeon"]}, "channels"),
    ],
)
def test_invalid_choices_are_shown_next_to_the_field(
    app: FastAPI, portal: Portal, fields: dict[str, object], field: str
) -> None:
    with client_of(app) as client:
        answer = save(client, portal.token(), **fields)
    assert answer.startswith("422 ")
    assert re.search(rf'<p class="problem" role="alert" id="{field}-error">', answer)
    assert state(portal, portal.customer)[1:] == (set(), [])


def test_without_csrf_nothing_changes(app: FastAPI, portal: Portal) -> None:
    with client_of(app) as client:
        client.get(f"/portal/{portal.token()}/preferences")
        answer = client.post(
            f"/portal/{portal.token()}/preferences", data={"language": "es", "channels": []}
        )
    assert answer.status_code == 403
    assert state(portal, portal.customer) == ("en", set(), [])


@pytest.mark.parametrize("kind", ["tampered", "expired", "foreign"])
def test_bad_links_change_nothing(app: FastAPI, portal: Portal, kind: str) -> None:
    good = portal.token()
    token = {
        "tampered": good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
        "expired": portal.token(days=-1),
        "foreign": portal.token(portal.foreign),  # a valid link: it changes only its own
    }[kind]
    with client_of(app) as client:
        page = client.get(f"/portal/{token}/preferences")
        client.get(f"/portal/{good}")
        form = {"csrf_token": client.cookies[CSRF_COOKIE], "language": "es", "channels": []}
        answer = client.post(f"/portal/{token}/preferences", data=form)
    if kind == "foreign":
        assert answer.status_code == 200
        assert state(portal, portal.foreign)[1] == set(OFFERED)
    else:
        assert page.status_code == 403
        assert answer.status_code == 403
    assert state(portal, portal.customer) == ("en", set(), [])


def test_the_texts_made_in_python_have_their_spanish() -> None:
    spanish = catalog("es")
    for text in [*CHANNEL_NAMES.values(), *ERRORS.values()]:
        assert text in spanish, text
