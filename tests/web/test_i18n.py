"""The interface's Spanish: every text a template marks for translation has one, and the
catalogs of the areas never disagree."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2.ext import babel_extract

from cobro.web import i18n
from cobro.web.templates import environment

TEMPLATES = Path(i18n.__file__).parent / "templates"


def marked_texts() -> dict[str, str]:
    """Every literal text given to `_()` or `gettext()` in a template, with where it is."""
    texts: dict[str, str] = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        with path.open("rb") as file:
            for line, _function, message, _comments in babel_extract(
                file, ("_", "gettext"), [], {"trimmed": "false"}
            ):
                if isinstance(message, str):
                    texts.setdefault(message, f"{path.relative_to(TEMPLATES)}:{line}")
    return texts


def test_the_templates_mark_texts_for_translation() -> None:
    assert len(marked_texts()) > 50


def test_every_marked_text_has_its_spanish() -> None:
    spanish = i18n.catalog("es")
    missing = {where: text for text, where in marked_texts().items() if text not in spanish}
    assert missing == {}


def test_english_is_the_fallback_for_an_unknown_text() -> None:
    assert i18n.translator("es")("No such text, anywhere") == "No such text, anywhere"
    assert i18n.translator("es")("Sign in") == "Iniciar sesión"


def test_two_catalogs_that_disagree_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "es").mkdir()
    for name, text in (("a.po", "Iniciar sesión"), ("b.po", "Entrar")):
        (tmp_path / "es" / name).write_text(f'msgid "Sign in"\nmsgstr "{text}"\n', "utf-8")
    monkeypatch.setattr(i18n, "LOCALE", tmp_path)
    with pytest.raises(i18n.CatalogConflict, match=r"b\.po"):
        i18n.read_catalog("es")


def test_every_template_compiles() -> None:
    for path in TEMPLATES.rglob("*.html"):
        environment.get_template(str(path.relative_to(TEMPLATES)))
