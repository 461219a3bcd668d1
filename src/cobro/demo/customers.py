"""The demo's customers: who they are (rows for `customer` and `contact`) and how they buy and
pay (a `Profile` the invoice stream reads). No database."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from cobro.demo.behaviours import BEHAVIOUR_WEIGHTS, Behaviour, Payer, spread
from cobro.demo.countries import COUNTRIES, SALES_TAX_BP, Country
from cobro.demo.people import address, ascii_slug, business_name, domain, person, phone, tax_id
from cobro.kit.codes import COUNTRY_DEFAULTS
from cobro.kit.dates import add_months
from cobro.kit.money import exponent
from cobro.terms.rules import due_date, parse_terms

# (terms notation, weight): NET30 mostly; consumers get shorter terms
BUSINESS_TERMS = (
    ("NET30", 55),
    ("NET60", 13),
    ("EOM+30", 13),
    ("2/10 NET30", 8),
    ("NET15", 5),
    ("50%@30 50%@60", 4),
    ("40%@30 30%@60 30%@90", 2),
)
CONSUMER_TERMS = (("NET15", 60), ("NET30", 35), ("50%@30 50%@60", 5))
TERMS_CODES = tuple(code for code, _ in BUSINESS_TERMS)

# rough value of one unit of each currency in euros: invoice sizes look alike everywhere
EURO_VALUE = {"EUR": 1.0, "GBP": 1.16, "USD": 0.92, "MXN": 0.054}
SECTORS = (
    "construction",
    "logistics",
    "manufacturing",
    "retail",
    "hospitality",
    "services",
    "wholesale",
    "public-sector",
)
COLLECTORS = {
    "ES": ("lucia.martin", "pablo.ortega"),
    "DE": ("jonas.weber",),
    "FR": ("claire.moreau",),
    "GB": ("oliver.bennett",),
    "US": ("oliver.bennett", "sofia.ramirez"),
    "MX": ("sofia.ramirez",),
}
KEY_ACCOUNTS_COLLECTOR = "marta.vidal"
NINE_AM = time(9, tzinfo=UTC)
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Profile:
    """What the invoice stream needs of a customer, read once per invoice."""

    index: int
    id: int
    name: str
    kind: str
    country: Country
    currency: str
    terms: str
    payer: Payer
    weight: float  # relative number of invoices
    mu: float  # invoice net amounts are lognormal(mu, sigma) minor units
    sigma: float
    tax_bp: int
    joined: int  # first month (index in the history) it buys in
    left: int  # month it stops buying (exclusive)
    overpays: bool  # now and then sends a rounded-up amount: unapplied cash
    method: str
    purchase_orders: bool
    payer_name: str  # as the bank statement shows it


@dataclass(frozen=True)
class Drawn:
    profiles: list[Profile]
    customers: list[dict[str, Any]]
    contacts: list[dict[str, Any]]


def draw_customers(
    rng: random.Random,
    count: int,
    invoices: int,
    start: date,
    last_day: datetime,
    months: int,
    home_country: str,
    first_customer_id: int,
    first_contact_id: int,
    company_id: int,
    terms_ids: dict[str, int],
) -> Drawn:
    """`count` customers across the six countries (each present when there are six or more)
    with every behaviour present (when there are seven or more)."""
    countries = _shuffled(rng, COUNTRIES, [c.weight for c in COUNTRIES], count)
    behaviours = _shuffled(rng, list(Behaviour), list(BEHAVIOUR_WEIGHTS.values()), count)
    profiles: list[Profile] = []
    customers: list[dict[str, Any]] = []
    contacts: list[dict[str, Any]] = []
    weights = [_draw_weight(rng, country) for country in countries]
    heavy = sorted(weights, reverse=True)[max(0, count // 20 - 1)] if count else 0.0
    total_weight = sum(abs(w) for w in weights) or 1.0
    for index, (country, behaviour, weight) in enumerate(
        zip(countries, behaviours, weights, strict=True)
    ):
        kind = "consumer" if weight < 0 else "business"
        share = abs(weight) / total_weight
        tenure = _tenure(rng, months)
        profile, row, people = _draw_one(
            rng, index, first_customer_id + index, country, behaviour, kind, abs(weight), tenure
        )
        key_account = kind == "business" and abs(weight) >= heavy
        joined_on = min(_joined_on(rng, profile.joined, start), last_day)
        row.update(
            company_id=company_id,
            external_id=f"C{index + 1:05d}",
            terms_id=terms_ids[profile.terms],
            credit_limit=_credit_limit(rng, profile, share * invoices / months),
            collector=_collector(rng, country.code, kind, key_account),
            tags=_tags(rng, profile, key_account, home_country, joined_on, start, months),
            created_at=joined_on,
            updated_at=joined_on,
        )
        profiles.append(profile)
        customers.append(row)
        for person_row in people:
            person_row.update(id=first_contact_id + len(contacts), customer_id=profile.id)
            contacts.append(person_row)
    return Drawn(profiles, customers, contacts)


def _shuffled(rng: random.Random, values: Sequence[_T], weights: list[int], count: int) -> list[_T]:
    """Exactly proportional counts, in random order: small demos still have every kind."""
    items = [v for v, n in zip(values, spread(count, weights, True), strict=True) for _ in range(n)]
    rng.shuffle(items)
    return items


def _draw_weight(rng: random.Random, country: Country) -> float:
    """Invoices a customer gets, relatively; negative marks a consumer (few, small invoices)."""
    if rng.random() < 0.18:
        return -0.12 * rng.lognormvariate(0, 0.4)
    return rng.lognormvariate(0, 1.1)


def _draw_one(
    rng: random.Random,
    index: int,
    customer_id: int,
    country: Country,
    behaviour: Behaviour,
    kind: str,
    weight: float,
    tenure: tuple[int, int],
) -> tuple[Profile, dict[str, Any], list[dict[str, Any]]]:
    language, _zone, currency = COUNTRY_DEFAULTS[country.code]
    place = address(rng, country)
    contact = person(rng, country)
    euro = EURO_VALUE[currency]
    if kind == "business":
        name, core = business_name(rng, country)
        terms = _weighted(rng, BUSINESS_TERMS)
        mu = math.log(120_000 / euro) + rng.gauss(0, 0.9)
        sigma = rng.uniform(0.35, 0.9)
        mail = domain(core)
        people = [
            _contact(None, "billing", f"{country.mailbox}@{mail}", phone(rng, country, False)),
            _contact(
                contact.full, "finance", f"{_local(contact.full)}@{mail}", phone(rng, country, True)
            ),
        ]
        tax_bp = country.vat_bp
    else:
        name = contact.full
        terms = _weighted(rng, CONSUMER_TERMS)
        mu = math.log(9_000 / euro) + rng.gauss(0, 0.5)
        sigma = 0.4
        mailbox = f"{_local(contact.full)}{rng.randint(1, 99)}@{rng.choice(country.consumer_mail)}"
        people = [_contact(name, "billing", mailbox, phone(rng, country, True))]
        tax_bp = SALES_TAX_BP.get(place.region, country.vat_bp)
    for contact_row in people:
        contact_row.update(
            street=place.street,
            building_number=place.building_number,
            postal_code=place.postal_code,
            city=place.city,
            region=place.region,
            country=place.country,
        )
    payer = _payer(rng, behaviour, kind, currency, weight)
    method = _method(rng, payer, kind, country.code)
    profile = Profile(
        index=index,
        id=customer_id,
        name=name,
        kind=kind,
        country=country,
        currency=currency,
        terms=terms,
        payer=payer,
        weight=weight,
        mu=mu,
        sigma=sigma,
        tax_bp=tax_bp,
        joined=tenure[0],
        left=tenure[1],
        overpays=behaviour is not Behaviour.NEVER and rng.random() < 0.06,
        method=method,
        purchase_orders=kind == "business" and rng.random() < 0.35,
        payer_name=name.upper() if rng.random() < 0.3 else name,  # some banks shout
    )
    row: dict[str, Any] = {
        "id": customer_id,
        "name": name,
        "kind": kind,
        "country": country.code,
        "language": language,
        "timezone": place.timezone,
        "currency": currency,
        "tax_id": tax_id(rng, country, name) if kind == "business" else None,
    }
    return profile, row, people


def _weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _local(full_name: str) -> str:
    return ascii_slug(full_name, ".")


def _contact(name: str | None, role: str, email: str, phone_number: str) -> dict[str, Any]:
    return {"name": name, "role": role, "email": email, "phone": phone_number}


def _payer(
    rng: random.Random, behaviour: Behaviour, kind: str, currency: str, weight: float
) -> Payer:
    regular = behaviour in (Behaviour.PUNCTUAL, Behaviour.SLOW, Behaviour.CHRONIC)
    if kind == "business" and regular and weight > 1.0 and rng.random() < 0.4:
        # larger firms pay on a weekly payment run, several invoices in one transfer
        return Payer(behaviour, run_weekday=rng.choice((1, 3, 4)))
    if behaviour is Behaviour.PUNCTUAL and currency == "EUR" and rng.random() < 0.25:
        return Payer(behaviour, direct_debit=True)
    return Payer(behaviour)


def _method(rng: random.Random, payer: Payer, kind: str, country: str) -> str:
    if payer.direct_debit:
        return "sepa_dd"
    if kind == "consumer":
        return "card" if rng.random() < 0.6 else "transfer"
    if country == "US":
        return "ach" if rng.random() < 0.6 else "check"
    return "transfer"


def _tenure(rng: random.Random, months: int) -> tuple[int, int]:
    """(first month it buys in, month it stops): most were customers before the history
    starts; some join during it, a few leave."""
    joined = 0 if months < 2 or rng.random() < 0.85 else rng.randint(1, months - 1)
    left = rng.randint(joined + 1, months) if rng.random() < 0.06 else months
    return joined, left


def _joined_on(rng: random.Random, joined: int, start: date) -> datetime:
    if joined == 0:
        day = start - timedelta(days=rng.randint(30, 1500))
    else:
        day = add_months(start, joined) + timedelta(days=rng.randint(0, 20))
    return datetime.combine(day, NINE_AM)


def _credit_limit(rng: random.Random, profile: Profile, invoices_per_month: float) -> int | None:
    """Enough for the customer's usual exposure over its terms, rounded to 1,000 units."""
    unit: int = 10 ** exponent(profile.currency)
    if profile.kind == "consumer":
        return None if rng.random() < 0.5 else rng.choice((500, 1_000, 2_000)) * unit
    if rng.random() < 0.1:
        return None  # no limit set
    terms = parse_terms(profile.terms)
    days = (due_date(terms, date(2025, 1, 15)) - date(2025, 1, 15)).days
    monthly = invoices_per_month * math.exp(profile.mu + profile.sigma**2 / 2)
    exposure = monthly * (days / 30 + 1) * rng.uniform(1.2, 2.0)
    step = 1_000 * unit
    return max(step, math.ceil(exposure / step) * step)


def _collector(rng: random.Random, country: str, kind: str, key_account: bool) -> str | None:
    if key_account:
        return KEY_ACCOUNTS_COLLECTOR
    if kind == "consumer" and rng.random() < 0.7:
        return None  # small consumer debts are left to automatic reminders
    return rng.choice(COLLECTORS[country])


def _tags(
    rng: random.Random,
    profile: Profile,
    key_account: bool,
    home_country: str,
    joined_on: datetime,
    start: date,
    months: int,
) -> list[str]:
    tags: set[str] = set()
    if profile.kind == "business":
        tags.add(rng.choice(SECTORS))
    if key_account:
        tags.add("key-account")
    if profile.country.code != home_country:
        tags.add("export")
    if joined_on.date() >= start + timedelta(days=(months - 3) * 30):
        tags.add("new")
    if profile.purchase_orders:
        tags.add("po-required")
    return sorted(tags)
