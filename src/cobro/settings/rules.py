"""What the settings pages accept: bank details with their check digits (python-stdnum), email
addresses, SMTP servers and gateway URLs, and how secrets are shown. Pure: no database, no
clock, no I/O. Every error names its field, as the form and the API show it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

from cobro.channel.base import PermanentFailure
from cobro.channel.checks import email_address
from cobro.errors import Invalid

SECURITIES = ("plain", "starttls", "ssl")
DEFAULT_PORTS = {"plain": 25, "starttls": 587, "ssl": 465}
# shown instead of a secret: whether one is set, never what it is
SET, NOT_SET = "set", "not set"
SECRETS = frozenset({"smtp_password", "gateway_token"})
_IBAN_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$")
_HOST_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-:[]")


def clean_text(value: str | None) -> str | None:
    """Trimmed text, None when nothing is left (an emptied field unsets the setting)."""
    if value is None:
        return None
    clean = value.strip()
    return clean or None


def check_iban(value: str | None) -> str | None:
    """The IBAN in its compact form (no spaces, upper case), its check digits verified."""
    clean = clean_text(value)
    if clean is None:
        return None
    if not _IBAN_SHAPE.match(stdnum_iban.compact(clean)):
        raise Invalid(
            f"IBAN {value!r} is not valid: it is not an IBAN (two letters, two check digits, "
            "then the account)",
            field="iban",
        )
    try:
        return str(stdnum_iban.validate(clean))
    except InvalidChecksum:
        reason = "its check digits do not match (a digit mistyped or missing?)"
    except InvalidLength:
        reason = "it is too long or too short for its country"
    except ValidationError:
        reason = "it is not an IBAN (two letters, two check digits, then the account)"
    raise Invalid(f"IBAN {value!r} is not valid: {reason}", field="iban")


def check_bic(value: str | None) -> str | None:
    clean = clean_text(value)
    if clean is None:
        return None
    try:
        return str(stdnum_bic.validate(clean))
    except ValidationError:
        raise Invalid(
            f"BIC {value!r} is not valid: 8 or 11 letters and digits, e.g. CAIXESBBXXX",
            field="bic",
        ) from None


def check_bank_country(iban: str | None, bic: str | None) -> None:
    """A BIC names its bank's country in letters 5–6; an IBAN in its first two."""
    if iban and bic and iban[:2] != bic[4:6]:
        raise Invalid(
            f"the BIC {bic} is of a bank in {bic[4:6]}, the IBAN of an account in {iban[:2]}",
            field="bic",
        )


def check_email(value: str | None, field: str) -> str | None:
    """A mailbox ("Name <addr>" or "addr"), as typed once checked."""
    clean = clean_text(value)
    if clean is None:
        return None
    try:
        email_address(clean)
    except PermanentFailure as error:
        raise Invalid(f"{field}: {error.reason}", field=field) from None
    return clean


def check_name(value: str | None) -> str:
    clean = clean_text(value)
    if clean is None:
        raise Invalid("name: the company needs a name", field="name")
    return clean


def check_phone(value: str | None) -> str | None:
    clean = clean_text(value)
    if clean is not None and not any(ch.isdigit() for ch in clean):
        raise Invalid(f"phone {value!r} has no digits", field="phone")
    return clean


def check_host(value: str | None) -> str | None:
    """A host name or address, without scheme, port or path."""
    clean = clean_text(value)
    if clean is None:
        return None
    lowered = clean.lower()
    if not set(lowered) <= _HOST_CHARACTERS or lowered.startswith(("-", ".")):
        raise Invalid(
            f"SMTP server {value!r}: give only the host name, e.g. smtp.example.com "
            "(the port and the security have fields of their own)",
            field="smtp_host",
        )
    return lowered


def check_port(value: int | None) -> int | None:
    if value is not None and not 1 <= value <= 65535:
        raise Invalid(f"SMTP port {value}: use a number from 1 to 65535", field="smtp_port")
    return value


def check_security(value: str | None) -> str | None:
    clean = clean_text(value)
    if clean is None:
        return None
    lowered = clean.lower()
    if lowered not in SECURITIES:
        raise Invalid(
            f"SMTP security {value!r}: use {', '.join(SECURITIES)}", field="smtp_security"
        )
    return lowered


def check_gateway_url(value: str | None, field: str) -> str | None:
    clean = clean_text(value)
    if clean is None:
        return None
    parts = urlsplit(clean)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid(f"{field}: expected an http(s):// URL", field=field)
    return clean


def check_smtp(values: Mapping[str, Any]) -> None:
    """The SMTP fields together: a user, a password or a port need a server to go with."""
    if values.get("smtp_host"):
        return
    for name in ("smtp_port", "smtp_security", "smtp_username", "smtp_password"):
        if values.get(name):
            raise Invalid(
                f"{name.replace('_', ' ')} is set but the SMTP server is not: give the server, "
                "or clear the other SMTP fields",
                field="smtp_host",
            )


def smtp_url(
    host: str,
    port: int | None,
    security: str | None,
    username: str | None,
    password: str | None,
) -> str:
    """The URL `cobro.channel.smtp.SmtpChannel` reads, the user and password quoted."""
    chosen = security or "starttls"
    scheme = "smtps" if chosen == "ssl" else "smtp"
    login = ""
    if username:
        login = quote(username, safe="")
        if password:
            login += ":" + quote(password, safe="")
        login += "@"
    where = f"[{host}]" if ":" in host and not host.startswith("[") else host
    query = "?starttls=1" if chosen == "starttls" else ""
    return f"{scheme}://{login}{where}:{port or DEFAULT_PORTS[chosen]}{query}"


def masked(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values with every secret replaced by "set" or "not set": what screens, the API and
    the audit trail may show."""
    return {
        name: (SET if value else NOT_SET) if name in SECRETS else value
        for name, value in values.items()
    }
