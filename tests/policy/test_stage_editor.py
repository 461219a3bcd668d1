"""The policy editor: a stage changed, added or removed, checked as a policy file is, with
errors naming the stage's own field; every change audited with the stage before and after."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.models import AuditEvent
from cobro.cycle.service import run_cycle
from cobro.errors import Conflict, Invalid, NotFound
from cobro.kit.dates import utcnow
from cobro.policy import stages as edit
from cobro.policy.assign import AssignmentRule
from cobro.policy.defaults import default_policy
from cobro.policy.document import policy_to_mapping
from cobro.policy.editor import (
    Editor,
    add_stage,
    change_stage,
    items_at,
    policy_view,
    policy_views,
    remove_stage,
)
from cobro.policy.service import add_rule, assign_to_customer, get_policy, save_policy
from tests.factories.ledger import make_company, make_customer, make_invoice

EDITOR = Editor(actor_id=None, now=datetime(2026, 3, 1, 9, tzinfo=utcnow().tzinfo), source="test")


def default() -> dict[str, Any]:
    return policy_to_mapping(default_policy())


def codes(policy: dict[str, Any]) -> list[str]:
    return [stage["code"] for stage in policy["stages"]]


# ---- pure edits ---------------------------------------------------------------------------


def test_a_stage_moved_past_another_is_put_back_in_order() -> None:
    moved = edit.change_stage(default(), "reminder-1", {"offset": 15})
    assert codes(moved)[2:5] == ["reminder-2", "reminder-1", "firm"]
    assert edit.stage_of(moved, "reminder-1")["offset"] == 15


def test_two_stages_on_one_day_are_refused_naming_the_offset() -> None:
    with pytest.raises(Invalid, match="overlap") as refused:
        edit.change_stage(default(), "due", {"offset": 3})
    assert refused.value.field == "offset"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"tone": "rude"}, "tone"),
        ({"actions": ["pigeon"]}, "actions"),
        ({"actions": []}, "actions"),
        ({"offset": 9999}, "offset"),
        ({"offset": "soon"}, "offset"),
        ({"code": "renamed"}, "code"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_wrong_field_is_refused_by_its_name(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as refused:
        edit.change_stage(default(), "firm", changes)
    assert refused.value.field == field


def test_a_new_stage_goes_in_by_its_offset_and_needs_a_fresh_code() -> None:
    added = edit.add_stage(
        default(), {"code": "reminder-3", "offset": 15, "tone": "firm", "actions": ["sms"]}
    )
    assert codes(added).index("reminder-3") == codes(added).index("reminder-2") + 1
    with pytest.raises(Invalid) as taken:
        edit.add_stage(default(), {"code": "due", "offset": 1, "tone": "firm", "actions": ["sms"]})
    assert taken.value.field == "code"
    with pytest.raises(Invalid) as nameless:
        edit.add_stage(default(), {"code": " ", "offset": 1, "tone": "firm", "actions": ["sms"]})
    assert nameless.value.field == "code"


def test_the_last_stage_cannot_go_and_an_unknown_one_is_not_found() -> None:
    single = {"code": "one", "name": "One", "stages": [default()["stages"][1]]}
    with pytest.raises(Invalid, match="only stage"):
        edit.remove_stage(single, "due")
    with pytest.raises(NotFound):
        edit.remove_stage(default(), "nope")
    assert "firm" not in codes(edit.remove_stage(default(), "firm"))


def test_removing_the_first_stage_leaves_one_that_needs_a_predecessor_refused() -> None:
    policy = {
        "code": "p",
        "name": "p",
        "stages": [
            {"code": "a", "offset": 0, "tone": "friendly", "actions": ["email"]},
            {"code": "b", "offset": 5, "tone": "formal", "actions": ["letter"],
             "when": {"previous_delivered": True}},
        ],
    }  # fmt: skip
    with pytest.raises(Invalid, match="is the first"):
        edit.remove_stage(policy, "a")


# ---- services -----------------------------------------------------------------------------


def events(session: Session, company_id: int) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.company_id == company_id).order_by(AuditEvent.id)
        )
    )


def test_a_change_is_saved_and_audited_with_before_and_after(session: Session) -> None:
    company = make_company(session)
    saved = change_stage(session, company, "default", "firm", {"tone": "formal"}, EDITOR)
    assert saved["tone"] == "formal"
    assert policy_view(session, company, "default").stages[4]["tone"] == "formal"
    [event] = events(session, company.id)
    assert event.action == "policy.stage_changed"
    assert event.entity_type == "policy"
    assert event.entity_id == "default"
    assert event.before is not None
    assert event.after is not None
    assert (event.before["tone"], event.after["tone"]) == ("firm", "formal")
    assert event.after["stage"] == "firm"


def test_a_refused_change_saves_nothing_and_audits_nothing(session: Session) -> None:
    company = make_company(session)
    with pytest.raises(Invalid):
        change_stage(session, company, "default", "firm", {"offset": 30}, EDITOR)
    assert policy_view(session, company, "default").stages[4]["offset"] == 20
    assert events(session, company.id) == []


def test_add_and_remove_are_audited(session: Session) -> None:
    company = make_company(session)
    stage = {"code": "nudge", "offset": 1, "tone": "friendly", "actions": ["sms"]}
    add_stage(session, company, "default", stage, EDITOR)
    remove_stage(session, company, "default", "nudge", EDITOR)
    assert [e.action for e in events(session, company.id)] == [
        "policy.stage_added",
        "policy.stage_removed",
    ]
    assert "nudge" not in [s["code"] for s in policy_view(session, company, "default").stages]


def test_a_stage_open_items_are_at_cannot_be_removed(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company)
    make_invoice(session, company, customer, 100_00, date(2026, 1, 1), date(2026, 2, 1))
    run_cycle(session, company, date(2026, 2, 5))  # the item reaches reminder-1 (+3)
    policy = get_policy(session, company, "default")
    assert items_at(session, policy.id, "reminder-1") == 1
    with pytest.raises(Conflict, match="1 open items"):
        remove_stage(session, company, "default", "reminder-1", EDITOR)
    remove_stage(session, company, "default", "reminder-2", EDITOR)  # nobody is there


def test_another_companys_policy_is_not_found(session: Session) -> None:
    mine, theirs = make_company(session), make_company(session)
    save_policy(session, theirs, {**default(), "code": "secret"})
    with pytest.raises(NotFound):
        policy_view(session, mine, "secret")
    with pytest.raises(NotFound):
        change_stage(session, mine, "secret", "due", {"offset": 1}, EDITOR)


def test_the_list_says_whom_each_policy_applies_to(session: Session) -> None:
    company = make_company(session)
    save_policy(session, company, {**default(), "code": "b2b", "name": "Business"})
    add_rule(session, company, "b2b", AssignmentRule(policy_id=0, segment="wholesale"))
    assign_to_customer(session, company, make_customer(session, company), "b2b")
    views = {view.code: view for view in policy_views(session, company)}
    assert views["default"].is_default
    assert not views["b2b"].is_default
    assert [rule.criteria.segment for rule in views["b2b"].rules] == ["wholesale"]
    assert (views["b2b"].customers, views["default"].customers) == (1, 0)
