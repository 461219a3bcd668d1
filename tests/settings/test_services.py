"""The settings services against the real migrated database: company details, channel
settings (secrets write-only, audited masked) and members (the last admin stays)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.models import AuditEvent
from cobro.auth.service import create_user, find_user, grant, role_in
from cobro.company.models import Company
from cobro.errors import Conflict, Invalid, NotFound
from cobro.kit.pagination import PageRequest
from cobro.settings import channels, chase, company, members
from tests.factories.ledger import make_company

NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)
PASSWORD = "correct horse battery"


def events(session: Session, action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(session.scalars(query))


def test_company_details_change_with_before_and_after_audited(session: Session) -> None:
    acme = make_company(session)
    company.update_company(
        session, acme.id, {"name": "Acme S.L.", "iban": "ES91 2100 0418 4502 0005 1332"}, NOW, None
    )
    assert acme.name == "Acme S.L."
    assert acme.iban == "ES9121000418450200051332"
    (event,) = events(session, "company.updated")
    assert event.company_id == acme.id
    assert event.before == {"name": "Acme Test S.L.", "iban": None}
    assert event.after == {"name": "Acme S.L.", "iban": "ES9121000418450200051332"}


def test_a_bad_iban_changes_nothing(session: Session) -> None:
    acme = make_company(session)
    with pytest.raises(Invalid) as refused:
        company.update_company(
            session, acme.id, {"name": "Renamed", "iban": "ES9121000418450200051333"}, NOW
        )
    assert refused.value.field == "iban"
    assert acme.name == "Acme Test S.L."
    assert events(session, "company.updated") == []


def test_the_name_and_time_zone_cannot_be_emptied_nor_the_currency_changed(
    session: Session,
) -> None:
    acme = make_company(session)
    for changes, field in (
        ({"name": " "}, "name"),
        ({"timezone": ""}, "timezone"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"currency": "USD"}, "currency"),
    ):
        with pytest.raises(Invalid) as refused:
            company.update_company(session, acme.id, changes, NOW)
        assert refused.value.field == field


SMTP = {
    "mail_from": "Cobros <cobros@acme.example>",
    "smtp_host": "smtp.acme.example",
    "smtp_port": 587,
    "smtp_security": "starttls",
    "smtp_username": "cobros",
    "smtp_password": "hunter2-secret",
}


def test_channel_secrets_are_kept_but_shown_and_audited_masked(session: Session) -> None:
    acme = make_company(session)
    row = channels.save_channels(session, acme.id, SMTP, NOW, None)
    assert row is not None
    assert row.smtp_password == "hunter2-secret"
    shown = channels.shown_values(row)
    assert shown["smtp_password"] == "set"
    assert shown["gateway_token"] == "not set"
    (event,) = events(session, "channels.updated")
    assert event.after is not None
    assert event.after["smtp_password"] == "set"
    assert "hunter2" not in str(event.before) + str(event.after)


def test_an_absent_secret_is_kept_an_empty_one_cleared_a_new_one_changed(
    session: Session,
) -> None:
    acme = make_company(session)
    channels.save_channels(session, acme.id, SMTP, NOW, None)
    kept = channels.save_channels(session, acme.id, {**SMTP, "smtp_password": None}, NOW)
    assert kept is not None
    assert kept.smtp_password == "hunter2-secret"
    changed = channels.save_channels(session, acme.id, {**SMTP, "smtp_password": "n3w"}, NOW)
    assert changed is not None
    assert changed.smtp_password == "n3w"
    last = events(session, "channels.updated")[-1]
    assert (last.before, last.after) == ({"smtp_password": "set"}, {"smtp_password": "changed"})
    cleared = channels.save_channels(session, acme.id, {**SMTP, "smtp_password": ""}, NOW)
    assert cleared is not None
    assert cleared.smtp_password is None


def test_emptying_every_channel_setting_goes_back_to_the_environment(session: Session) -> None:
    acme = make_company(session)
    channels.save_channels(session, acme.id, SMTP, NOW)
    assert channels.save_channels(session, acme.id, {"smtp_password": ""}, NOW) is None
    assert channels.channel_row(session, acme.id) is None


def test_bad_channel_settings_name_their_field(session: Session) -> None:
    acme = make_company(session)
    for values, field in (
        ({"mail_from": "nobody"}, "mail_from"),
        ({"smtp_host": "smtp://x"}, "smtp_host"),
        ({"smtp_host": "h.example", "smtp_port": "abc"}, "smtp_port"),
        ({"smtp_username": "me"}, "smtp_host"),
        ({"sms_gateway_url": "sms.example"}, "sms_gateway_url"),
    ):
        with pytest.raises(Invalid) as refused:
            channels.save_channels(session, acme.id, values, NOW)
        assert refused.value.field == field
    assert channels.channel_row(session, acme.id) is None


def company_with_admin(session: Session) -> tuple[Company, int]:
    acme = make_company(session)
    admin = create_user(session, f"admin-{acme.code}@example.com", "Admin", PASSWORD, NOW)
    grant(session, admin, acme, "admin", NOW)
    return acme, admin.id


def test_adding_a_new_person_gives_an_initial_password_once(session: Session) -> None:
    acme, admin = company_with_admin(session)
    added = members.add_member(
        session, acme.id, f"Lucia-{acme.code}@Example.com", "Lucía", "collector", NOW, admin
    )
    assert added.initial_password is not None
    assert len(added.initial_password) >= 12
    assert added.member.email == f"lucia-{acme.code}@example.com"
    assert added.member.role == "collector"
    user = find_user(session, added.member.email)
    assert user is not None
    assert added.initial_password not in user.password_hash
    granted = events(session, "membership.granted")[-1]
    assert granted.actor_id == admin
    assert added.initial_password not in str(granted.after)


def test_an_existing_user_is_given_the_role_and_keeps_their_password(session: Session) -> None:
    acme, admin = company_with_admin(session)
    other = make_company(session)
    person = create_user(session, f"p-{other.code}@example.com", "Pat", PASSWORD, NOW)
    grant(session, person, other, "viewer", NOW)
    added = members.add_member(session, acme.id, person.email, "", "manager", NOW, admin)
    assert added.initial_password is None
    assert role_in(session, person.id, acme.id) == "manager"
    assert role_in(session, person.id, other.id) == "viewer"
    with pytest.raises(Conflict):
        members.add_member(session, acme.id, person.email, "", "viewer", NOW, admin)


def test_roles_change_and_memberships_end_but_the_last_admin_stays(session: Session) -> None:
    acme, admin = company_with_admin(session)
    with pytest.raises(Conflict, match="last administrator"):
        members.change_role(session, acme.id, admin, "viewer", NOW, admin)
    with pytest.raises(Conflict, match="last administrator"):
        members.remove_member(session, acme.id, admin, NOW, admin)
    second = members.add_member(session, acme.id, f"b-{acme.code}@example.com", "B", "admin", NOW)
    members.change_role(session, acme.id, admin, "viewer", NOW, second.member.id)
    assert role_in(session, admin, acme.id) == "viewer"
    members.remove_member(session, acme.id, admin, NOW, second.member.id)
    assert role_in(session, admin, acme.id) is None
    listed = members.members_page(session, acme.id, PageRequest())
    assert [m.email for m in listed.items] == [f"b-{acme.code}@example.com"]


def test_another_companys_user_is_not_found(session: Session) -> None:
    acme, _admin = company_with_admin(session)
    other, theirs = company_with_admin(session)
    for act in (
        lambda: members.get_member(session, acme.id, theirs),
        lambda: members.change_role(session, acme.id, theirs, "viewer", NOW),
        lambda: members.remove_member(session, acme.id, theirs, NOW),
    ):
        with pytest.raises(NotFound):
            act()
    assert role_in(session, theirs, other.id) == "admin"


def test_the_company_chase_layer_is_changed_checked_and_audited(session: Session) -> None:
    acme = make_company(session)
    view = chase.update_chase(session, acme.id, {"window_start": "10:00"}, NOW, None)
    assert chase.chase_values(view)["values"]["window_start"] == "10:00"
    assert chase.chase_values(view)["applies"]["window_start"] == "10:00"
    (event,) = events(session, "chase_settings.updated")
    assert event.after == {"window_start": "10:00"}
    with pytest.raises(Invalid) as refused:
        chase.update_chase(session, acme.id, {"window_end": "25:00"}, NOW)
    assert refused.value.field is not None
    assert refused.value.field.endswith("window_end")
