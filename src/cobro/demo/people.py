"""Names, addresses, phones, mailboxes and tax ids drawn for one demo customer.

Every draw takes the caller's `random.Random`, so a seed gives the same people. Mail goes to
the reserved `.example` domain and GB/US phone numbers to the ranges set aside for fiction, so
a demo that sends reminders reaches nobody real.
"""

from __future__ import annotations

import random
import string
import unicodedata
from dataclasses import dataclass

from stdnum import luhn
from stdnum.es import cif
from stdnum.fr import siren
from stdnum.iso7064 import mod_11_10
from stdnum.mx import rfc

from cobro.demo.countries import City, Country
from cobro.kit.codes import COUNTRY_DEFAULTS

_GB_INWARD = "ABDEFGHJLNPQRSTUWXYZ"  # letters a UK inward code may use
_GB_WEIGHTS = (8, 7, 6, 5, 4, 3, 2)


@dataclass(frozen=True)
class Address:
    street: str
    building_number: str
    postal_code: str
    city: str
    region: str
    country: str
    timezone: str


@dataclass(frozen=True)
class Person:
    first: str
    last: str

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"


def weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def person(rng: random.Random, country: Country) -> Person:
    last = rng.choice(country.surnames)
    if country.two_surnames:
        last = f"{last} {rng.choice([s for s in country.surnames if s != last])}"
    return Person(rng.choice(country.first_names), last)


def brand(rng: random.Random, country: Country) -> str:
    parts = rng.sample(country.syllables, rng.choice((2, 2, 3)))
    return "".join(parts).capitalize()


def business_name(rng: random.Random, country: Country) -> tuple[str, str]:
    """(full name, name without the legal form): "Transportes Ruiz S.L.", "Transportes Ruiz"."""
    pattern = rng.choice(country.patterns)
    surname, other = rng.sample(country.surnames, 2)
    form = weighted(rng, country.legal_forms)
    full = pattern.format(
        trade=rng.choice(country.trades),
        surname=surname,
        surname2=other,
        brand=brand(rng, country),
        form=form,
    )
    return full, full.removesuffix(form).strip()


def ascii_slug(text: str, joiner: str = "-") -> str:
    """ "Müller & Söhne GmbH" → "muller-sohne-gmbh": what a domain or mailbox can hold."""
    folded = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    words = "".join(ch if ch.isalnum() else " " for ch in plain).split()
    return joiner.join(words)


def domain(core_name: str) -> str:
    """The firm's mail domain, on the reserved .example top-level domain."""
    words = [word for word in ascii_slug(core_name).split("-") if len(word) > 1]
    return "-".join(words[:3]) + ".example"


def address(rng: random.Random, country: Country) -> Address:
    city: City = rng.choice(country.cities)
    prefix = rng.choice(city.postal)
    if country.code == "GB":
        postal = f"{prefix} {rng.randint(1, 9)}{rng.choice(_GB_INWARD)}{rng.choice(_GB_INWARD)}"
    elif country.code == "FR":  # arrondissement-like endings: 75001–75016
        postal = f"{prefix}{rng.randint(1, 16):02d}"
    else:
        postal = prefix + "".join(rng.choice(string.digits) for _ in range(5 - len(prefix)))
    return Address(
        street=rng.choice(country.streets),
        building_number=str(rng.randint(1, 180)),
        postal_code=postal,
        city=city.name,
        region=city.region,
        country=country.code,
        timezone=city.timezone or COUNTRY_DEFAULTS[country.code][1],
    )


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(count))


def phone(rng: random.Random, country: Country, mobile: bool) -> str:
    code = country.code
    if code == "GB":  # Ofcom's drama ranges: 020 7946 0xxx and 07700 900xxx
        return f"+44 7700 900{_digits(rng, 3)}" if mobile else f"+44 20 7946 0{_digits(rng, 3)}"
    if code == "US":  # 555-0100 to 555-0199 are reserved for fiction
        return f"+1 {rng.choice(('212', '312', '415', '617', '713'))} 555 01{_digits(rng, 2)}"
    if code == "ES":
        return f"+34 {'6' if mobile else '9'}{_digits(rng, 2)} {_digits(rng, 3)} {_digits(rng, 3)}"
    if code == "DE":
        return f"+49 {'151' if mobile else '30'} {_digits(rng, 8 if mobile else 7)}"
    if code == "FR":
        pairs = " ".join(_digits(rng, 2) for _ in range(4))
        return f"+33 {'6' if mobile else '1'} {pairs}"
    return f"+52 {rng.choice(('55', '33', '81'))} {_digits(rng, 4)} {_digits(rng, 4)}"


def tax_id(rng: random.Random, country: Country, name: str) -> str:
    """A VAT or tax number with correct check digits for the country (python-stdnum
    validates every one of them)."""
    code = country.code
    if code == "ES":  # CIF of a limited company: B + 7 digits + check
        body = "B" + _digits(rng, 7)
        return "ES" + body + cif.calc_check_digits(body)[0]
    if code == "DE":
        body = str(rng.randint(1, 9)) + _digits(rng, 7)
        return "DE" + body + mod_11_10.calc_check_digit(body)
    if code == "FR":  # TVA: key + SIREN (Luhn)
        body = str(rng.randint(1, 9)) + _digits(rng, 7)
        number = body + luhn.calc_check_digit(body)
        return "FR" + siren.to_tva(number)
    if code == "GB":  # weighted sum of 7 digits plus the last two is a multiple of 97
        body = str(rng.randint(1, 9)) + _digits(rng, 6)
        total = sum(w * int(d) for w, d in zip(_GB_WEIGHTS, body, strict=True))
        return f"GB{body}{-total % 97:02d}"
    if code == "US":  # EIN: the prefix names an IRS campus
        return f"{rng.choice(('12', '20', '27', '45', '46', '81', '84'))}-{_digits(rng, 7)}"
    letters = [ch for ch in ascii_slug(name, "").upper() if ch.isalpha()] + ["X"] * 3
    founded = f"{rng.randint(80, 99)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = "".join(letters[:3]) + founded + rng.choice(string.ascii_uppercase) + _digits(rng, 1)
    return body + rfc.calc_check_digit(body)
