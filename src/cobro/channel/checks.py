"""Checks every channel shares: addresses, phone numbers, and file names made from keys.

A bad address or number never becomes deliverable by trying again, so the checks raise
`PermanentFailure` naming the value at fault: the collector reads that reason in the delivery log.
"""

from __future__ import annotations

import hashlib
import re
from email.errors import HeaderParseError, MessageDefect
from email.headerregistry import Address

from cobro.channel.base import PermanentFailure

# "Name <addr>" or a bare "addr"; the display name may be quoted.
_NAMED = re.compile(r'\s*(?:"(?P<quoted>[^"]*)"|(?P<name>[^<>"]*?))\s*<(?P<addr>[^<>]*)>\s*')
_BARE = re.compile(r"\s*(?P<addr>[^<>\s]+)\s*")
# A deliberately plain addr-spec: what mail servers accept in practice, Unicode (SMTPUTF8) allowed.
_LOCAL = re.compile(r"[^\s@\"(),:;<>\[\]\\.]+(?:\.[^\s@\"(),:;<>\[\]\\.]+)*")
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_PHONE_SEPARATORS = re.compile(r"[\s.()\-]")
_E164 = re.compile(r"\+[1-9]\d{7,14}")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def email_address(value: str) -> Address:
    """Parse one mailbox ("Name <a@b.example>" or "a@b.example"), or say why it is not one."""
    named = _NAMED.fullmatch(value)
    bare = None if named else _BARE.fullmatch(value)
    match = named or bare
    if match is None:
        raise PermanentFailure(f"invalid email address {value!r}")
    display = (match.groupdict().get("quoted") or match.groupdict().get("name") or "").strip()
    spec = match["addr"].strip()
    local, at, domain = spec.rpartition("@")
    if not at or not _LOCAL.fullmatch(local) or not _DOMAIN.fullmatch(domain) or len(spec) > 254:
        raise PermanentFailure(f"invalid email address {value!r}")
    if not local.isascii():
        # Python's email package cannot write such headers; rare enough to refuse clearly.
        raise PermanentFailure(f"invalid email address {value!r}: non-ASCII mailbox name")
    try:
        # International domains travel as punycode, which keeps every message plain ASCII.
        ascii_domain = domain.encode("idna").decode("ascii")
        # The stdlib parser is the last word: it is what will write the header.
        return Address(display_name=display, username=local, domain=ascii_domain)
    except (ValueError, HeaderParseError, MessageDefect) as error:
        raise PermanentFailure(f"invalid email address {value!r}: {error}") from error


def phone_number(value: str) -> str:
    """The number in E.164 form ("+" and 8–15 digits); spaces, dots, dashes and brackets are
    dropped first because imported contact lists are full of them."""
    compact = _PHONE_SEPARATORS.sub("", value)
    if not _E164.fullmatch(compact):
        raise PermanentFailure(
            f"invalid phone number {value!r}: expected E.164, '+' then 8 to 15 digits"
        )
    return compact


def safe_name(key: str) -> str:
    """A file name for an idempotency key: readable, stable, and distinct for distinct keys.

    Keys may hold "/" or ":"; those are replaced, and a short hash of the key is appended
    whenever anything had to change, so "a/b" and "a_b" never land in the same file.
    """
    cleaned = _UNSAFE.sub("_", key).lstrip(".")[:80]
    if cleaned == key and cleaned:
        return cleaned
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
    return f"{cleaned}-{digest}" if cleaned else digest
