"""`cobro templates save|list|remove` end to end on a migrated SQLite file: a folder of
templates saved whole or not at all, refusals as one line, and the saved wording in use."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from cobro.db import make_engine, transaction
from cobro.notice.cli import templates_app
from cobro.notice.models import Template
from tests.factories.ledger import make_customer, make_invoice
from tests.support.cli import acme, cli_database, run_cli

ES_TEXT = "Hola {{ recipient }}: nos debe {{ amount_due }}.\n"
EN_TEXT = "Hello {{ recipient }}, you owe {{ amount_due }}.\n"


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A Spanish company with a Spanish and an English customer: templates need es and en."""
    url = cli_database(tmp_path, monkeypatch)
    with acme(url) as (session, company):
        ana = make_customer(session, company, "C-1", name="Ana Pérez S.L.")
        make_invoice(session, company, ana, 1_234_56, date(2026, 1, 1), date(2026, 1, 31), "F-1")
        make_customer(session, company, "C-2", name="Bob Ltd", country="GB")
    return url


def write(folder: Path, relative: str, text: str) -> None:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def saved(url: str) -> list[tuple[str, str, str, str]]:
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            return sorted(
                (t.stage, t.channel, t.language, t.part) for t in session.scalars(select(Template))
            )
    finally:
        engine.dispose()


def invoke(*args: str) -> tuple[int, str]:
    return run_cli(templates_app, *args)


def test_a_folder_of_templates_is_saved_listed_used_and_removed(
    db_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "templates"
    write(folder, "reminder-1/email/es.text.j2", ES_TEXT)
    write(folder, "reminder-1/email/es.subject.j2", "Recordatorio {{ customer_ref }}")
    write(folder, "reminder-1/email/en.text.j2", EN_TEXT)
    write(folder, "reminder-1/email/en.subject.j2", "Reminder {{ customer_ref }}")
    write(folder, "reminder-2/sms/es.text.j2", "Debe {{ amount_due }}")
    write(folder, "reminder-2/sms/en.text.j2", "You owe {{ amount_due }}")
    write(folder, ".DS_Store", "")  # hidden files are not templates

    code, output = invoke("save", str(folder))

    assert code == 0, output
    assert "Saved reminder-1/email: en subject, en text, es subject, es text." in output
    assert "Saved reminder-2/sms: en text, es text." in output
    assert len(saved(db_url)) == 6
    code, listing = invoke("list")
    assert code == 0, listing
    assert "reminder-1   email     es         subject, text" in listing
    code, preview = invoke(
        "preview", "reminder-1", "--customer", "C-1", "--on", "2026-02-05", "--out", str(tmp_path)
    )
    assert code == 0, preview
    assert "Subject: Recordatorio C-1" in preview
    assert "Hola Ana Pérez S.L.: nos debe 1.234,56" in preview

    code, output = invoke("remove", "reminder-1", "email")
    assert code == 0, output
    assert "Removed 4 templates of reminder-1/email." in output
    assert {row[:2] for row in saved(db_url)} == {("reminder-2", "sms")}
    code, output = invoke("remove", "reminder-1", "email")
    assert (code, "no custom templates for reminder-1/email" in output) == (1, True)


def test_one_bad_template_and_nothing_of_the_folder_is_saved(db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    write(folder, "due/email/es.text.j2", ES_TEXT)
    write(folder, "due/email/en.text.j2", EN_TEXT)
    write(folder, "firm/email/es.text.j2", "Hola {{ recipent }}")  # a typo
    write(folder, "firm/email/en.text.j2", EN_TEXT)

    code, output = invoke("save", str(folder))

    assert code == 1
    assert "unknown variable 'recipent' (did you mean 'recipient'?)" in output
    assert "(nothing was saved)" in output
    assert saved(db_url) == []


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"due/email/es.text.j2": ES_TEXT}, "missing translation into en"),
        ({"due/email/es.txt": ES_TEXT}, "expected a file named <language>.<part>.j2"),
        ({"due/es.text.j2": ES_TEXT}, "expected a folder here"),
        (
            {"due/sms/es.subject.j2": "x", "due/sms/en.subject.j2": "x"},
            "a sms template has no 'subject' part",
        ),
        ({"due/email/es.text.j2": "{% if %}", "due/email/en.text.j2": EN_TEXT}, "line 1"),
        ({}, "no templates in it"),
    ],
)
def test_a_folder_that_cannot_be_saved_is_one_clear_line(
    db_url: str, tmp_path: Path, files: dict[str, str], message: str
) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    for relative, text in files.items():
        write(folder, relative, text)
    code, output = invoke("save", str(folder))
    assert code == 1
    assert message in output.replace("\n", " ")
    assert saved(db_url) == []


def test_templates_for_a_stage_no_policy_has_are_saved_with_a_note(
    db_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "templates"
    write(folder, "nudge/email/es.text.j2", ES_TEXT)
    write(folder, "nudge/email/en.text.j2", EN_TEXT)
    code, output = invoke("save", str(folder))
    assert code == 0, output
    assert "Note: no policy has a stage 'nudge'" in output
    assert len(saved(db_url)) == 2


def test_no_custom_templates_is_said_plainly(db_url: str) -> None:
    code, output = invoke("list")
    assert (code, "No custom templates" in output) == (0, True)
