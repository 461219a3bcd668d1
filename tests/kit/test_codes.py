"""The ISO codes people type: countries, languages, time zones."""

from __future__ import annotations

import pytest

from cobro.errors import Invalid
from cobro.kit.codes import COUNTRY_DEFAULTS, check_country, check_language, check_timezone
from cobro.kit.money import check_currency


def test_countries_are_upper_cased_iso_codes() -> None:
    assert check_country("es") == "ES"
    assert check_country(" De ") == "DE"
    assert check_country("XK") == "XK"  # Kosovo: user-assigned, but used by banks and CLDR


@pytest.mark.parametrize("code", ["", "E", "ESP", "Spain", "EU", "EZ", "UN", "ZZ", "QO", "001"])
def test_what_is_not_a_country_is_refused_by_name(code: str) -> None:
    with pytest.raises(Invalid, match="unknown country") as caught:
        check_country(code)
    assert repr(code) in caught.value.message


@pytest.mark.parametrize(
    ("code", "stored"),
    [("es", "es"), ("en-GB", "en_GB"), ("pt_BR", "pt_BR"), ("EN", "en"), ("de-AT", "de_AT")],
)
def test_language_tags_are_stored_as_babel_writes_them(code: str, stored: str) -> None:
    assert check_language(code) == stored


@pytest.mark.parametrize("code", ["", "xx", "zz-ZZ", "123", "english"])
def test_unknown_languages_are_refused_by_name(code: str) -> None:
    with pytest.raises(Invalid, match="unknown language") as caught:
        check_language(code)
    assert repr(code) in caught.value.message


def test_time_zones_are_iana_names() -> None:
    assert check_timezone(" Europe/Madrid ") == "Europe/Madrid"
    assert check_timezone("America/Argentina/Buenos_Aires") == "America/Argentina/Buenos_Aires"
    assert check_timezone("UTC") == "UTC"


@pytest.mark.parametrize(
    "name", ["", "Europe/Atlantis", "europe/madrid", "CET+1", "localtime", "Factory"]
)
def test_unknown_or_machine_dependent_time_zones_are_refused(name: str) -> None:
    with pytest.raises(Invalid, match="unknown time zone"):
        check_timezone(name)


def test_every_country_default_is_itself_valid() -> None:
    for country, (language, zone, currency) in COUNTRY_DEFAULTS.items():
        assert check_country(country) == country
        assert check_language(language) == language
        assert check_timezone(zone) == zone
        assert check_currency(currency) == currency
