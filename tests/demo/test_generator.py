"""The demo's draws, without a database: customers, invoices and the fate of each invoice."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from stdnum.de import vat as de_vat
from stdnum.es import vat as es_vat
from stdnum.fr import tva as fr_vat
from stdnum.gb import vat as gb_vat
from stdnum.mx import rfc as mx_rfc
from stdnum.us import ein as us_ein

from cobro.customer.rules import ContactIn, CustomerIn, normalise_customer
from cobro.demo.behaviours import PAY, WRITE_OFF, Behaviour, Payer, fate, spread, weekday
from cobro.demo.countries import COUNTRIES
from cobro.demo.customers import CONSUMER_TERMS, TERMS_CODES, Drawn, draw_customers
from cobro.demo.generator import COLUMNS, HISTORY_MONTHS, Batch, Ledger, history, invoices_per_day
from cobro.invoice.rules import InvoiceIn, prepare_invoice
from cobro.kit.codes import COUNTRY_DEFAULTS
from cobro.terms.rules import parse_terms

ON = date(2026, 11, 24)
CODES = sorted({*TERMS_CODES, *(code for code, _ in CONSUMER_TERMS)})
TERMS = {code: (index + 1, parse_terms(code)) for index, code in enumerate(CODES)}
TAX_IDS = {"ES": es_vat, "DE": de_vat, "FR": fr_vat, "GB": gb_vat, "US": us_ein, "MX": mx_rfc}


def customers(seed: int = 42, count: int = 60, invoices: int = 1_200) -> Drawn:
    first, _ = history(ON)
    return draw_customers(
        random.Random(f"{seed}:customers"),
        count,
        invoices,
        first,
        datetime(2026, 11, 24, 9, tzinfo=UTC),
        HISTORY_MONTHS,
        "ES",
        1,
        1,
        1,
        {code: terms_id for code, (terms_id, _) in TERMS.items()},
    )


def ledger(seed: int = 42, count: int = 60, invoices: int = 1_200) -> list[Batch]:
    drawn = customers(seed, count, invoices)
    stream = Ledger(
        random.Random(f"{seed}:ledger"), drawn.profiles, invoices, ON, 1, "demo", TERMS, {}
    )
    return list(stream)


def rows(batches: list[Batch], table: str) -> list[dict[str, Any]]:
    return [dict(zip(COLUMNS[table], row, strict=True)) for b in batches for row in b.rows[table]]


def test_the_same_seed_draws_the_same_rows_and_another_seed_other_rows() -> None:
    first, again, other = ledger(7), ledger(7), ledger(8)
    assert [b.rows for b in first] == [b.rows for b in again]
    assert customers(7) == customers(7)
    assert rows(first, "invoice") != rows(other, "invoice")
    assert customers(7).customers != customers(8).customers


def test_exactly_the_asked_number_of_invoices_is_spread_over_the_days() -> None:
    first, last = history(ON)
    counts = invoices_per_day(first, last, 100_000)
    assert sum(counts) == 100_000
    assert (first, last) == (date(2025, 5, 25), ON)
    days = [date.fromordinal(first.toordinal() + i) for i in range(len(counts))]
    per_day = {
        month: sum(c for d, c in zip(days, counts, strict=True) if d.month == month)
        / sum(1 for d in days if d.month == month)
        for month in (3, 8, 11)
    }
    assert per_day[8] < per_day[3]
    assert per_day[8] < per_day[11]
    weekends = sum(c for d, c in zip(days, counts, strict=True) if d.weekday() >= 5)
    assert weekends < 0.05 * 100_000
    assert len(rows(ledger(invoices=777), "invoice")) == 777


def test_every_country_and_every_behaviour_is_present_even_in_a_small_demo() -> None:
    drawn = customers(count=60)
    assert {p.country.code for p in drawn.profiles} == {"ES", "DE", "FR", "GB", "US", "MX"}
    assert {p.payer.behaviour for p in drawn.profiles} == set(Behaviour)
    assert {p.kind for p in drawn.profiles} == {"business", "consumer"}
    assert spread(7, [40, 22, 12, 9, 7, 7, 3], True) == [1] * 7


def test_customers_have_their_country_s_language_currency_time_zone_and_valid_details() -> None:
    drawn = customers(count=200)
    zones = {
        country.code: {COUNTRY_DEFAULTS[country.code][1]}
        | {city.timezone for city in country.cities if city.timezone}
        for country in COUNTRIES
    }
    contacts = {row["customer_id"]: row for row in drawn.contacts if row["role"] == "billing"}
    for row in drawn.customers:
        language, _zone, currency = COUNTRY_DEFAULTS[row["country"]]
        assert (row["language"], row["currency"]) == (language, currency)
        assert row["timezone"] in zones[row["country"]]
        if row["kind"] == "business":
            assert TAX_IDS[row["country"]].is_valid(row["tax_id"]), row["tax_id"]
        contact = contacts[row["id"]]
        assert contact["email"].endswith(".example")  # nobody real gets demo reminders
        # the customer rules accept every drawn customer as it is
        fields = {k: v for k, v in contact.items() if k not in ("id", "customer_id", "role")}
        clean = normalise_customer(
            CustomerIn(
                external_id=row["external_id"],
                name=row["name"],
                country=row["country"],
                kind=row["kind"],
                language=row["language"],
                timezone=row["timezone"],
                currency=row["currency"],
                credit_limit=row["credit_limit"],
                tags=tuple(row["tags"]),
                contact=ContactIn(**fields),
            ),
            "EUR",
        )
        assert (clean.name, clean.language, clean.timezone) == (
            row["name"],
            row["language"],
            row["timezone"],
        )


def test_due_dates_discounts_installments_and_references_are_prepare_invoice_s() -> None:
    """The stream composes the terms rules itself (once per terms and day, for speed); it must
    give exactly what `prepare_invoice` gives."""
    batches = ledger()
    codes = {terms_id: code for code, (terms_id, _) in TERMS.items()}
    installments: dict[int, list[tuple[date, int]]] = {}
    for part in rows(batches, "installment"):
        installments.setdefault(part["invoice_id"], []).append((part["due_date"], part["amount"]))
    seen_codes = set()
    for row in rows(batches, "invoice"):
        issued, total, currency = row["issue_date"], row["total"], row["currency"]
        assert isinstance(issued, date)
        assert isinstance(total, int)
        assert isinstance(currency, str)
        code = codes[int(str(row["terms_id"]))]
        seen_codes.add(code)
        prepared = prepare_invoice(
            InvoiceIn(str(row["number"]), "", issued, total, currency, int(str(row["tax"]))),
            parse_terms(code),
            "demo",
            2,
        )
        assert row["due_date"] == prepared.due_date
        assert (row["discount_until"], row["discount_amount"]) == (
            prepared.discount_until,
            prepared.discount_amount,
        )
        assert row["payment_reference"] == prepared.payment_reference
        assert tuple(installments.get(row["id"], [])) == prepared.installments
    assert seen_codes == set(CODES)


def test_settled_invoices_are_settled_on_their_last_reduction_and_open_ones_are_not() -> None:
    batches = ledger()
    reductions: dict[int, list[tuple[date, int]]] = {}
    payments = {p["id"]: p for p in rows(batches, "payment")}
    for a in rows(batches, "allocation"):
        assert a["applied_on"] == payments[a["payment_id"]]["received_on"]
        reductions.setdefault(a["invoice_id"], []).append((a["applied_on"], a["amount"]))
    for table, day in (("credit_note", "issue_date"), ("write_off", "written_off_on")):
        for r in rows(batches, table):
            reductions.setdefault(r["invoice_id"], []).append((r[day], r["amount"]))
    for invoice in rows(batches, "invoice"):
        taken = reductions.get(invoice["id"], [])
        assert invoice["open_amount"] == invoice["total"] - sum(a for _, a in taken)
        if invoice["open_amount"] == 0:
            assert invoice["settled_on"] == max(d for d, _ in taken)
        else:
            assert invoice["settled_on"] is None
        assert all(d <= ON for d, _ in taken)


@given(
    seed=st.integers(0, 10_000),
    behaviour=st.sampled_from(list(Behaviour)),
    run=st.sampled_from([None, 1, 4]),
    total=st.integers(1, 10_000_000),
    net_days=st.integers(0, 90),
    installments=st.booleans(),
    offer=st.booleans(),
)
def test_a_fate_never_takes_more_than_the_total_nor_happens_before_the_invoice(
    seed: int,
    behaviour: Behaviour,
    run: int | None,
    total: int,
    net_days: int,
    installments: bool,
    offer: bool,
) -> None:
    issued = date(2026, 3, 2).toordinal() + seed % 7
    due = issued + net_days
    parts = [(due, total // 2), (due + 30, total - total // 2)] if installments else [(due, total)]
    parts = [p for p in parts if p[1] > 0]
    payer = Payer(behaviour, run_weekday=run)
    events = fate(
        random.Random(seed),
        payer,
        issued,
        total,
        parts,
        (issued + 10, total // 50) if offer else None,
    )
    assert sum(amount for _, _, amount, _ in events) <= total
    assert all(amount > 0 and day >= issued for day, _, amount, _ in events)
    for day, kind, _, _ in events:
        if kind == PAY and run is not None and not offer:
            assert weekday(day) == run  # a payment run pays on its weekday
    if behaviour is Behaviour.NEVER:
        assert all(kind == WRITE_OFF for _, kind, _, _ in events)
