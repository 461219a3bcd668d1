"""The template editor: every field checked on its own (errors by "<language>.<part>"), a
missing translation refused, nothing saved on any error, saves and resets audited, and the
preview rendered for a real customer in every language."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.models import AuditEvent
from cobro.errors import Invalid, NotFound
from cobro.kit.dates import utcnow
from cobro.notice.editor import (
    TemplateErrors,
    check_draft,
    preview_draft,
    reset_template,
    save_draft,
    split_name,
    template_summaries,
    template_view,
)
from cobro.notice.preview import pick_sample, stage_preview
from cobro.notice.service import custom_templates
from tests.factories.ledger import make_company, make_customer, make_invoice

NOW = datetime(2026, 3, 5, 9, tzinfo=utcnow().tzinfo)
ON = date(2026, 3, 5)
GOOD = {
    ("en", "subject"): "Reminder from {{ company_name }}",
    ("en", "text"): "Hello {{ recipient }}, {{ amount_due }} please.",
    ("es", "subject"): "Recordatorio de {{ company_name }}",
    ("es", "text"): "Hola {{ recipient }}, {{ amount_due }}, por favor.",
}


def test_names_are_stage_dot_channel() -> None:
    assert split_name("reminder-1.email") == ("reminder-1", "email")
    assert split_name("a.b.registered_letter") == ("a.b", "registered_letter")
    for wrong in ("due", "due.pigeon", ".email"):
        with pytest.raises(NotFound):
            split_name(wrong)


def test_each_field_has_its_own_error() -> None:
    draft = {
        **GOOD,
        ("es", "text"): "Hola {{ custmer_name }}",
        ("en", "subject"): "{% if %}",
    }
    errors = check_draft(draft, "email", ["en", "es"])
    assert set(errors) == {"es.text", "en.subject"}
    assert "custmer_name" in errors["es.text"]
    assert "customer_name" in errors["es.text"]
    assert "line 1" in errors["en.subject"]


def test_a_part_written_in_one_language_only_is_a_missing_translation() -> None:
    draft = {**GOOD, ("es", "text"): "  "}
    assert check_draft(draft, "email", ["en", "es"]) == {
        "es.text": "missing translation: the text in es"
    }
    only_subjects = {k: v for k, v in GOOD.items() if k[1] == "subject"}
    assert check_draft(only_subjects, "email", ["en", "es"]) == {}  # text stays built-in
    assert "en.subject" in check_draft({}, "email", ["en", "es"])


def test_the_company_lists_the_templates_its_policies_use(session: Session) -> None:
    company = make_company(session)
    names = {t.name: t for t in template_summaries(session, company)}
    assert {"due.email", "reminder-2.sms", "final.registered_letter"} <= set(names)
    assert "firm.call_task" not in names  # a task is no message
    assert names["due.email"].policies == ["default"]
    assert not names["due.email"].custom
    with pytest.raises(NotFound):
        template_view(session, company, "nostage.email")


def test_a_draft_is_saved_whole_and_audited(session: Session) -> None:
    company = make_company(session)
    view = save_draft(session, company, "due.email", GOOD, 7, NOW)
    assert view.summary.custom
    assert view.sources == GOOD
    assert (
        custom_templates(session, company.id)[("due", "email", "es", "text")]
        == GOOD[("es", "text")]
    )
    event = session.scalars(select(AuditEvent).where(AuditEvent.company_id == company.id)).one()
    assert (event.action, event.entity_id, event.actor_id) == ("template.saved", "due.email", 7)
    assert event.before == {}
    assert event.after is not None
    assert event.after["es.subject"] == GOOD[("es", "subject")]


def test_one_error_and_nothing_is_saved(session: Session) -> None:
    company = make_company(session)
    with pytest.raises(TemplateErrors) as refused:
        save_draft(session, company, "due.email", {**GOOD, ("es", "text"): ""}, None, NOW)
    assert refused.value.field == "es.text"
    assert refused.value.status == 422
    assert custom_templates(session, company.id) == {}


def test_a_part_emptied_everywhere_goes_back_to_built_in_and_reset_removes_all(
    session: Session,
) -> None:
    company = make_company(session)
    save_draft(session, company, "due.email", GOOD, None, NOW)
    subjects_only = {k: (v if k[1] == "subject" else "") for k, v in GOOD.items()}
    view = save_draft(session, company, "due.email", subjects_only, None, NOW)
    assert set(view.sources) == {("en", "subject"), ("es", "subject")}
    assert reset_template(session, company, "due.email", None, NOW) == 2
    assert custom_templates(session, company.id) == {}


def test_the_preview_uses_a_real_customer_in_both_languages(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company, "C-9", name="Ferretería López S.L.")
    make_invoice(session, company, customer, 1_234_56, date(2026, 1, 1), date(2026, 3, 5))
    sample, previews = preview_draft(session, company, "due.email", GOOD, ON)
    assert sample.real
    assert sample.customer == "C-9"
    by_language = {p.language: p.rendered for p in previews}
    assert by_language["en"] is not None
    assert by_language["es"] is not None
    assert by_language["en"].subject == "Reminder from Acme Test S.L."
    assert by_language["es"].text.startswith("Hola Ferretería López S.L., 1.234,56\u00a0€")
    assert custom_templates(session, company.id) == {}  # a preview saves nothing


def test_a_broken_draft_previews_its_error_not_a_crash(session: Session) -> None:
    company = make_company(session)
    draft = {**GOOD, ("en", "text"): "{{ items[9].number }}"}
    _, previews = preview_draft(session, company, "due.email", draft, ON)
    english = next(p for p in previews if p.language == "en")
    assert english.rendered is None
    assert english.error


def test_without_anything_open_the_preview_uses_sample_data(session: Session) -> None:
    company = make_company(session)
    sample = pick_sample(session, company, "due", "friendly", "email", ON)
    assert not sample.real
    assert sample.context.company_name == "Acme Test S.L."
    with pytest.raises(Invalid) as unknown:
        pick_sample(session, company, "due", "friendly", "email", ON, customer="nobody")
    assert unknown.value.field == "customer"


def test_a_stage_preview_picks_the_customer_nearest_the_stage(session: Session) -> None:
    company = make_company(session)
    early = make_customer(session, company, "EARLY", name="Early Bird", language="en")
    late = make_customer(session, company, "LATE", name="Late Payer", language="es")
    make_invoice(session, company, early, 50_00, date(2026, 2, 1), date(2026, 3, 4))
    make_invoice(session, company, late, 70_00, date(2026, 1, 1), date(2026, 2, 12))
    firm = stage_preview(session, company, "default", "firm", ON, None)  # +20: 21 days late
    assert firm.sample.customer == "LATE"
    assert [p.channel for p in firm.previews] == ["email"]
    rendered = firm.previews[0].rendered
    assert rendered is not None
    assert rendered.language == "es"
    assert stage_preview(session, company, "default", "due", ON, None).sample.customer == "EARLY"
    chosen = stage_preview(session, company, "default", "firm", ON, "EARLY")
    assert chosen.sample.customer == "EARLY"
    assert stage_preview(session, company, "default", "escalation", ON, None).previews == []
    with pytest.raises(NotFound):
        stage_preview(session, company, "default", "nope", ON, None)
