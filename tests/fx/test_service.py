"""FX rates in the database: the rate in force on a day is the latest one on or before it; a
missing one stops the conversion naming the currency, the reporting currency and the day; a
day's rate is set, replaced and removed, each audited; a CSV is imported all or nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.audit.actor import Actor
from cobro.audit.models import AuditEvent
from cobro.company.models import Company
from cobro.errors import Invalid, NotFound
from cobro.fx.models import FxRate
from cobro.fx.service import (
    MissingRate,
    RatesRefused,
    import_rates,
    list_rates,
    rates_on,
    remove_rate,
    set_rate,
)
from tests.factories.ledger import make_company

ME = Actor(7, "finance@example.com")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def company(session: Session) -> Company:
    return make_company(session)  # reports in EUR


def put(session: Session, company: Company, currency: str, day: date, rate: str) -> FxRate:
    return set_rate(session, company.id, currency, day, Decimal(rate), "ECB", ME, NOW)


def count(session: Session, company: Company) -> int:
    query = select(func.count()).select_from(FxRate).where(FxRate.company_id == company.id)
    return session.scalar(query) or 0


def events(session: Session, company: Company) -> list[str]:
    query = select(AuditEvent.action).where(AuditEvent.company_id == company.id)
    return list(session.scalars(query.order_by(AuditEvent.id)))


# ---- the rate in force --------------------------------------------------------------------------


def test_the_latest_rate_on_or_before_the_day_is_chosen(session: Session, company: Company) -> None:
    put(session, company, "USD", date(2026, 11, 1), "0.90")
    put(session, company, "USD", date(2026, 11, 20), "0.92")
    put(session, company, "USD", date(2026, 11, 25), "0.95")  # after the day: ignored
    put(session, company, "GBP", date(2026, 10, 31), "1.15")
    assert rates_on(session, company.id, ["USD", "GBP"], date(2026, 11, 24)) == {
        "USD": Decimal("0.92"),
        "GBP": Decimal("1.15"),
    }
    assert rates_on(session, company.id, ["USD"], date(2026, 11, 20)) == {"USD": Decimal("0.92")}
    assert rates_on(session, company.id, ["usd"], date(2026, 11, 19)) == {"USD": Decimal("0.9")}


def test_the_rate_keeps_all_its_decimals(session: Session, company: Company) -> None:
    put(session, company, "JPY", date(2026, 1, 1), "0.0061919505")
    put(session, company, "KWD", date(2026, 1, 1), "9999999999.9999999999")
    found = rates_on(session, company.id, ["JPY", "KWD"], date(2026, 1, 1))
    assert found == {"JPY": Decimal("0.0061919505"), "KWD": Decimal("9999999999.9999999999")}


def test_the_reporting_currency_is_one(session: Session, company: Company) -> None:
    assert rates_on(session, company.id, ["EUR"], date(2026, 1, 1)) == {"EUR": Decimal(1)}
    assert rates_on(session, company.id, [], date(2026, 1, 1)) == {}


def test_another_companys_rate_is_not_used(session: Session, company: Company) -> None:
    other = make_company(session)
    put(session, other, "USD", date(2026, 1, 1), "0.9")
    with pytest.raises(MissingRate):
        rates_on(session, company.id, ["USD"], date(2026, 6, 1))


def test_a_missing_rate_names_every_currency_the_day_and_how_to_add_one(
    session: Session, company: Company
) -> None:
    put(session, company, "USD", date(2026, 11, 25), "0.95")  # only after the day
    put(session, company, "GBP", date(2026, 11, 1), "1.15")
    with pytest.raises(MissingRate) as caught:
        rates_on(session, company.id, iter(["USD", "GBP", "CHF"]), date(2026, 11, 24))
    refused = caught.value
    assert isinstance(refused, Invalid)
    assert (refused.field, refused.currencies, refused.on) == (
        "fx",
        ("CHF", "USD"),
        date(2026, 11, 24),
    )
    assert "CHF, USD" in refused.message
    assert "EUR" in refused.message
    assert "2026-11-24" in refused.message
    assert "cobro fx add CHF 0.92 --on 2026-11-24" in refused.message
    assert "GBP" not in refused.message


# ---- setting, replacing, removing ---------------------------------------------------------------


def test_setting_a_days_rate_again_replaces_it(session: Session, company: Company) -> None:
    first = put(session, company, "usd", date(2026, 3, 1), "0.91")
    second = set_rate(session, company.id, "USD", date(2026, 3, 1), Decimal("0.93"), None, ME, NOW)
    assert second.id == first.id
    assert count(session, company) == 1
    assert (second.currency, second.rate, second.source) == ("USD", Decimal("0.93"), None)
    assert events(session, company) == ["fx_rate.set", "fx_rate.replaced"]
    replaced = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "fx_rate.replaced")
    ).one()
    assert replaced.before is not None
    assert replaced.after is not None
    assert (replaced.before["rate"], replaced.after["rate"]) == ("0.91", "0.93")
    assert (replaced.actor_id, replaced.entity_id) == (7, "USD:2026-03-01")


def test_a_rate_for_the_reporting_currency_is_refused(session: Session, company: Company) -> None:
    with pytest.raises(Invalid, match="reporting currency") as caught:
        put(session, company, "EUR", date(2026, 3, 1), "1")
    assert caught.value.field == "currency"


@pytest.mark.parametrize(("currency", "rate", "field"), [
    ("XYZ", "1", "currency"), ("USD", "0", "rate"), ("USD", "0.123456789012", "rate"),
])  # fmt: skip
def test_a_bad_currency_or_rate_is_refused(
    session: Session, company: Company, currency: str, rate: str, field: str
) -> None:
    with pytest.raises(Invalid) as caught:
        put(session, company, currency, date(2026, 3, 1), rate)
    assert caught.value.field == field
    assert count(session, company) == 0


def test_a_source_too_long_is_refused(session: Session, company: Company) -> None:
    with pytest.raises(Invalid) as caught:
        set_rate(session, company.id, "USD", date(2026, 3, 1), Decimal(1), "x" * 41, ME, NOW)
    assert caught.value.field == "source"


def test_removing_a_rate_brings_back_the_one_before(session: Session, company: Company) -> None:
    put(session, company, "USD", date(2026, 3, 1), "0.91")
    put(session, company, "USD", date(2026, 3, 10), "0.93")
    remove_rate(session, company.id, "usd", date(2026, 3, 10), ME, NOW)
    assert rates_on(session, company.id, ["USD"], date(2026, 3, 20)) == {"USD": Decimal("0.91")}
    assert events(session, company)[-1] == "fx_rate.removed"
    with pytest.raises(NotFound):
        remove_rate(session, company.id, "USD", date(2026, 3, 10), ME, NOW)


def test_the_list_is_latest_first_and_filtered(session: Session, company: Company) -> None:
    put(session, company, "USD", date(2026, 3, 1), "0.91")
    put(session, company, "GBP", date(2026, 3, 5), "1.1")
    put(session, company, "USD", date(2026, 3, 10), "0.93")
    listed = [(r.day.day, r.currency) for r in list_rates(session, company.id)]
    assert listed == [(10, "USD"), (5, "GBP"), (1, "USD")]
    assert [r.day.day for r in list_rates(session, company.id, "usd", limit=1)] == [10]
    with pytest.raises(Invalid):
        list_rates(session, company.id, limit=0)


# ---- importing a file ---------------------------------------------------------------------------


def test_a_good_file_is_imported_and_replaces_known_days(
    session: Session, company: Company
) -> None:
    put(session, company, "USD", date(2026, 3, 1), "0.5")
    text = (
        "\ufeffDate,Currency,Rate,Source\n"
        "2026-03-01,USD,0.91,ECB\n"
        "\n"
        "2026-03-01,JPY,0.0061919505,\n"
        "2026-03-02,usd,0.92,bank\n"
    )
    done = import_rates(session, company.id, text, ME, NOW)
    assert (done.added, done.replaced) == (2, 1)
    found = rates_on(session, company.id, ["USD", "JPY"], date(2026, 3, 1))
    assert found == {"USD": Decimal("0.91"), "JPY": Decimal("0.0061919505")}
    sources = {(r.currency, r.day.day): r.source for r in list_rates(session, company.id)}
    assert sources == {("USD", 1): "ECB", ("JPY", 1): None, ("USD", 2): "bank"}


def test_a_file_with_bad_rows_is_refused_whole_naming_each(
    session: Session, company: Company
) -> None:
    text = (
        "date,currency,rate\n"
        "2026-03-01,USD,0.91\n"  # good, but not written: the file is refused
        "2026-03-01,XYZ,1\n"
        "2026-03-01,EUR,1\n"
        "03/01/2026,GBP,1.1\n"
        "2026-02-30,GBP,1.1\n"
        "2026-03-02,GBP,abc\n"
        "2026-03-02,CHF,-1\n"
        "2026-03-01,usd,0.92\n"
    )
    with pytest.raises(RatesRefused) as caught:
        import_rates(session, company.id, text, ME, NOW)
    problems = [(p.row, p.field) for p in caught.value.problems]
    assert problems == [
        (3, "currency"),
        (4, "currency"),
        (5, "date"),
        (6, "date"),
        (7, "rate"),
        (8, "rate"),
        (9, "date"),
    ]
    message = caught.value.message
    assert message.startswith("7 problems, no rate imported")
    assert "row 4, currency: EUR is the reporting currency" in message
    assert "row 9, date: USD on 2026-03-01 is in the file twice (rows 2 and 9)" in message
    assert count(session, company) == 0
    assert events(session, company) == []


def test_a_file_without_the_columns_or_rows_is_refused(session: Session, company: Company) -> None:
    with pytest.raises(Invalid, match="missing: rate"):
        import_rates(session, company.id, "date,currency\n2026-03-01,USD\n", ME, NOW)
    with pytest.raises(Invalid, match="no rates"):
        import_rates(session, company.id, "date,currency,rate\n", ME, NOW)
    with pytest.raises(Invalid, match="header"):
        import_rates(session, company.id, "", ME, NOW)
