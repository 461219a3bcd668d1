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
CONSUMER_SHARE = 0.18
DISCOUNT_TERMS = "2/10 NET30"
EURO_COUNTRIES = ("ES", "DE", "FR")  # where SEPA direct debits are collected
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
    kinds = ["consumer" if rng.random() < CONSUMER_SHARE else "business" for _ in range(count)]
    weights = [
        _draw_weight(rng, kind) * (3 if behaviour is Behaviour.NEVER else 1)
        for kind, behaviour in zip(kinds, behaviours, strict=True)
    ]
    terms = _terms(rng, kinds, behaviours, weights)
    payers, overpayers = _habits(rng, countries, behaviours, kinds, weights)
    heavy = sorted(weights, reverse=True)[max(0, count // 20 - 1)] if count else 0.0
    total_weight = sum(weights) or 1.0
    for index, (country, kind, weight, code, payer) in enumerate(
        zip(countries, kinds, weights, terms, payers, strict=True)
    ):
        tenure = _tenure(rng, months)
        if payer.behaviour is Behaviour.NEVER:
            # bought for months without paying (three times the usual), until the account was
            # put on hold: its debts are old enough to be written off
            tenure = (0, min(months, rng.randint(4, 10)))
        habits = (payer, index in overpayers)
        profile, row, people = _draw_one(
            rng, index, first_customer_id + index, country, kind, weight, tenure, code, habits
        )
        key_account = kind == "business" and weight >= heavy  # the top 5 %
        share = weight / total_weight
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


def _terms(
    rng: random.Random, kinds: list[str], behaviours: list[Behaviour], weights: list[float]
) -> list[str]:
    """Terms per customer: exact shares among firms (every kind of terms in a small demo),
    drawn for consumers. The largest punctual firm gets the early-payment discount, which it
    takes: a demo shows every feature, however small."""
    firms = [i for i, kind in enumerate(kinds) if kind == "business"]
    shares = [share for _, share in BUSINESS_TERMS]
    codes = _shuffled(rng, [code for code, _ in BUSINESS_TERMS], shares, len(firms))
    terms = [_weighted(rng, CONSUMER_TERMS) for _ in kinds]
    for index, code in zip(firms, codes, strict=True):
        terms[index] = code
    punctual = [i for i in firms if behaviours[i] is Behaviour.PUNCTUAL]
    discounted = [i for i in firms if terms[i] == DISCOUNT_TERMS]
    if punctual and discounted:
        largest = max(punctual, key=lambda i: weights[i])
        other = discounted[0]
        terms[largest], terms[other] = terms[other], terms[largest]
    return terms


def _draw_weight(rng: random.Random, kind: str) -> float:
    """How many invoices a customer gets, relatively: firms vary a lot, consumers buy little."""
    if kind == "consumer":
        return 0.12 * rng.lognormvariate(0, 0.4)
    return rng.lognormvariate(0, 1.1)


def _draw_one(
    rng: random.Random,
    index: int,
    customer_id: int,
    country: Country,
    kind: str,
    weight: float,
    tenure: tuple[int, int],
    terms: str,
    habits: tuple[Payer, bool],
) -> tuple[Profile, dict[str, Any], list[dict[str, Any]]]:
    language, _zone, currency = COUNTRY_DEFAULTS[country.code]
    place = address(rng, country)
    contact = person(rng, country)
    euro = EURO_VALUE[currency]
    if kind == "business":
        name, core = business_name(rng, country)
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
    payer, overpays = habits
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
        overpays=overpays,
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


def _habits(
    rng: random.Random,
    countries: list[Country],
    behaviours: list[Behaviour],
    kinds: list[str],
    weights: list[float],
) -> tuple[list[Payer], set[int]]:
    """How each customer pays, and who sometimes pays too much. Shares are exact (at least one
    customer each), so even a small demo has payment runs, direct debits and unapplied cash."""
    everyone = range(len(kinds))
    regular = (Behaviour.PUNCTUAL, Behaviour.SLOW, Behaviour.CHRONIC)
    # larger firms pay on a weekly payment run: several invoices in one transfer
    runs = _pick(
        rng,
        [i for i in everyone if kinds[i] == "business" and behaviours[i] in regular
         and weights[i] > 1.0],
        0.4,
    )  # fmt: skip
    debits = _pick(
        rng,
        [i for i in everyone if kinds[i] == "business" and i not in runs
         and behaviours[i] is Behaviour.PUNCTUAL and countries[i].code in EURO_COUNTRIES],
        0.25,
    )  # fmt: skip
    # busy firms that round their transfers up or pay an invoice twice
    firms = [i for i in everyone if kinds[i] == "business" and behaviours[i] is not Behaviour.NEVER]
    middle = sorted(weights[i] for i in firms)[len(firms) // 2] if firms else 0.0
    overpayers = _pick(rng, [i for i in firms if weights[i] >= middle], 0.1)
    weekdays = (1, 3, 4)  # Tuesday, Thursday, Friday
    payers = [
        Payer(
            behaviours[i],
            run_weekday=rng.choice(weekdays) if i in runs else None,
            direct_debit=i in debits,
        )
        for i in everyone
    ]
    return payers, overpayers


def _pick(rng: random.Random, candidates: list[int], share: float) -> set[int]:
    """`share` of the candidates, at least one when there is any."""
    if not candidates:
        return set()
    return set(rng.sample(candidates, max(1, round(share * len(candidates)))))


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
