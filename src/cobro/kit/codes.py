"""Validation of the ISO codes people type: countries, languages, time zones."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from babel import Locale, UnknownLocaleError

from cobro.errors import Invalid

# CLDR territories that are no country: groupings (EU, EZ, UN), "unknown" (ZZ), "outlying
# Oceania" (QO) and the pseudo-locale regions (XA, XB)
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"})
# tzdata entries that name no place: "localtime" is whatever the machine is set to
_NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})


@cache
def _countries() -> frozenset[str]:
    codes = (str(code) for code in Locale("en").territories)
    return frozenset(
        code for code in codes if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    )


@cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones()) - _NOT_ZONES


def check_country(code: str) -> str:
    clean = code.strip().upper()
    if clean not in _countries():
        raise Invalid(f"unknown country {code!r} (expected an ISO 3166 code such as ES, DE, US)")
    return clean


def check_language(code: str) -> str:
    """A language tag Babel knows ("es", "en-GB", "pt_BR"); stored as Babel writes it ("en_GB")."""
    try:
        return str(Locale.parse(code.strip().replace("-", "_")))
    except (ValueError, UnknownLocaleError):
        raise Invalid(
            f"unknown language {code!r} (expected a code such as en, es, de-AT)"
        ) from None


def check_timezone(name: str) -> str:
    clean = name.strip()
    if clean not in _timezones():
        raise Invalid(f"unknown time zone {name!r} (expected an IANA name such as Europe/Madrid)")
    return clean


COUNTRY_DEFAULTS: dict[str, tuple[str, str, str]] = {
    # country: (language, time zone, currency) — used when a row names only the country
    "ES": ("es", "Europe/Madrid", "EUR"),
    "DE": ("de", "Europe/Berlin", "EUR"),
    "FR": ("fr", "Europe/Paris", "EUR"),
    "IT": ("it", "Europe/Rome", "EUR"),
    "PT": ("pt", "Europe/Lisbon", "EUR"),
    "NL": ("nl", "Europe/Amsterdam", "EUR"),
    "BE": ("fr", "Europe/Brussels", "EUR"),
    "AT": ("de", "Europe/Vienna", "EUR"),
    "IE": ("en", "Europe/Dublin", "EUR"),
    "GB": ("en", "Europe/London", "GBP"),
    "US": ("en", "America/New_York", "USD"),
    "MX": ("es", "America/Mexico_City", "MXN"),
    "CO": ("es", "America/Bogota", "COP"),
    "AR": ("es", "America/Argentina/Buenos_Aires", "ARS"),
    "CL": ("es", "America/Santiago", "CLP"),
    "CH": ("de", "Europe/Zurich", "CHF"),
}
