"""The settings' rules: bank details with their check digits, SMTP fields, masked secrets."""

from __future__ import annotations

import pytest

from cobro.channel.smtp import parse_smtp_url
from cobro.errors import Invalid
from cobro.settings.rules import (
    check_bank_country,
    check_bic,
    check_email,
    check_gateway_url,
    check_host,
    check_iban,
    check_port,
    check_security,
    check_smtp,
    masked,
    smtp_url,
)


def test_an_iban_is_stored_compact_once_its_check_digits_match() -> None:
    assert check_iban(" es91 2100 0418 4502 0005 1332 ") == "ES9121000418450200051332"


@pytest.mark.parametrize(
    ("iban", "reason"),
    [
        ("ES9121000418450200051333", "check digits"),
        ("ES91210004184502000513", "missing"),
        ("hello", "not an IBAN"),
    ],
)
def test_a_bad_iban_is_refused_naming_the_field_and_why(iban: str, reason: str) -> None:
    with pytest.raises(Invalid, match=reason) as refused:
        check_iban(iban)
    assert refused.value.field == "iban"


def test_an_empty_iban_or_bic_clears_it() -> None:
    assert check_iban("  ") is None
    assert check_bic("") is None


def test_a_bic_is_checked_and_upper_cased() -> None:
    assert check_bic("caixesbbxxx") == "CAIXESBBXXX"
    with pytest.raises(Invalid) as refused:
        check_bic("CAIX")
    assert refused.value.field == "bic"


def test_the_bic_must_be_of_the_ibans_country() -> None:
    check_bank_country("ES9121000418450200051332", "CAIXESBBXXX")
    with pytest.raises(Invalid, match="bank in DE") as refused:
        check_bank_country("ES9121000418450200051332", "DEUTDEFFXXX")
    assert refused.value.field == "bic"


def test_emails_are_checked_with_the_field_named() -> None:
    assert (
        check_email("Cobros <cobros@acme.example>", "mail_from") == "Cobros <cobros@acme.example>"
    )
    with pytest.raises(Invalid) as refused:
        check_email("not an address", "mail_from")
    assert refused.value.field == "mail_from"


def test_an_smtp_host_is_a_host_name_only() -> None:
    assert check_host(" SMTP.Example.com ") == "smtp.example.com"
    for bad in ("smtp://smtp.example.com", "smtp.example.com/path", "a b"):
        with pytest.raises(Invalid) as refused:
            check_host(bad)
        assert refused.value.field == "smtp_host"


def test_ports_and_security_are_checked() -> None:
    assert check_port(587) == 587
    with pytest.raises(Invalid):
        check_port(70000)
    assert check_security("SSL") == "ssl"
    with pytest.raises(Invalid):
        check_security("tls1.3")


def test_a_gateway_is_an_http_url() -> None:
    assert check_gateway_url("https://sms.example/send", "sms_gateway_url")
    with pytest.raises(Invalid) as refused:
        check_gateway_url("ftp://sms.example", "sms_gateway_url")
    assert refused.value.field == "sms_gateway_url"


def test_smtp_fields_without_a_server_are_refused() -> None:
    check_smtp({"smtp_host": "smtp.example.com", "smtp_password": "x"})
    check_smtp({})
    with pytest.raises(Invalid, match="smtp password") as refused:
        check_smtp({"smtp_host": None, "smtp_password": "secret"})
    assert refused.value.field == "smtp_host"


def test_the_smtp_url_round_trips_through_the_channels_parser() -> None:
    url = smtp_url("smtp.example.com", None, "starttls", "me@acme.example", "p@ss:w/rd?")
    parsed = parse_smtp_url(url)
    assert (parsed.host, parsed.port, parsed.security) == ("smtp.example.com", 587, "starttls")
    assert (parsed.username, parsed.password) == ("me@acme.example", "p@ss:w/rd?")
    assert parse_smtp_url(smtp_url("mail.example", 2525, "plain", None, None)).port == 2525
    assert parse_smtp_url(smtp_url("mail.example", None, "ssl", None, None)).security == "ssl"


def test_secrets_show_as_set_or_not_set() -> None:
    shown = masked({"smtp_host": "h", "smtp_password": "hunter2", "gateway_token": None})
    assert shown == {"smtp_host": "h", "smtp_password": "set", "gateway_token": "not set"}
