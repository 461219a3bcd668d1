"""Payment terms notation, and the dates and amounts it gives. No database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cobro.errors import Invalid
from cobro.terms.rules import Share, Terms, discount, due_date, parse_terms, schedule

JAN_15 = date(2026, 1, 15)


@pytest.mark.parametrize("text", ["NET30", "30", "net 30", " Net30 "])
def test_net_terms_are_due_days_after_issue(text: str) -> None:
    terms = parse_terms(text)
    assert terms == Terms(net_days=30)
    assert due_date(terms, JAN_15) == date(2026, 2, 14)


def test_net_zero_is_due_on_issue() -> None:
    assert due_date(parse_terms("NET0"), JAN_15) == JAN_15


def test_end_of_month_alone_is_due_at_the_month_end() -> None:
    terms = parse_terms("EOM")
    assert terms == Terms(net_days=0, end_of_month=True)
    assert due_date(terms, JAN_15) == date(2026, 1, 31)


@pytest.mark.parametrize("text", ["EOM+30", "EOM30", "eom +30", "EOM + 30", "EOM+ 30"])
def test_end_of_month_plus_days_counts_from_the_month_end(text: str) -> None:
    terms = parse_terms(text)
    assert terms == Terms(net_days=30, end_of_month=True)
    assert due_date(terms, JAN_15) == date(2026, 3, 2)


def test_end_of_month_in_february_of_a_leap_year() -> None:
    assert due_date(parse_terms("EOM+1"), date(2028, 2, 10)) == date(2028, 3, 1)


def test_an_early_payment_discount_gives_its_last_day_and_amount() -> None:
    terms = parse_terms("2/10 NET30")
    assert terms == Terms(30, False, Decimal(2), 10)
    assert due_date(terms, JAN_15) == date(2026, 2, 14)
    assert discount(terms, JAN_15, 1000_00) == (date(2026, 1, 25), 20_00)


def test_the_discount_is_rounded_half_up_to_the_minor_unit() -> None:
    terms = parse_terms("2%10 NET30")
    assert discount(terms, JAN_15, 125) == (date(2026, 1, 25), 3)  # 2.5 → 3
    assert discount(terms, JAN_15, 124) == (date(2026, 1, 25), 2)  # 2.48 → 2
    assert discount(parse_terms("1.5/10 NET30"), JAN_15, 100) == (date(2026, 1, 25), 2)  # 1.5 → 2


def test_terms_without_a_discount_offer_none() -> None:
    assert discount(parse_terms("NET30"), JAN_15, 1000_00) is None


def test_a_discount_may_run_to_the_end_of_month_terms() -> None:
    terms = parse_terms("3/40 EOM+30")
    assert discount(terms, JAN_15, 100_00) == (date(2026, 2, 24), 3_00)


def test_installments_by_percent_give_the_rounding_remainder_to_the_last_share() -> None:
    terms = parse_terms("33.33%@30 33.33%@60 33.34%@90")
    assert schedule(terms, JAN_15, 100_01, 2) == [
        (date(2026, 2, 14), 33_33),
        (date(2026, 3, 16), 33_33),
        (date(2026, 4, 15), 33_35),
    ]
    assert due_date(terms, JAN_15) == date(2026, 4, 15)


def test_installments_by_amount_leave_the_rest_to_the_rest_share() -> None:
    terms = parse_terms("1000.00@30 REST@60")
    assert schedule(terms, JAN_15, 2500_00, 2) == [
        (date(2026, 2, 14), 1000_00),
        (date(2026, 3, 16), 1500_00),
    ]


def test_the_rest_share_may_come_first() -> None:
    terms = parse_terms("REST@30 50%@60")
    assert schedule(terms, JAN_15, 101, 2) == [(date(2026, 2, 14), 51), (date(2026, 3, 16), 50)]


def test_fixed_amounts_follow_the_currency_exponent() -> None:
    terms = parse_terms("1000@30 REST@60")
    assert schedule(terms, JAN_15, 5000, 0) == [
        (date(2026, 2, 14), 1000),
        (date(2026, 3, 16), 4000),
    ]
    assert schedule(terms, JAN_15, 5_000_000, 3)[0] == (date(2026, 2, 14), 1_000_000)


def test_a_fixed_amount_with_more_decimals_than_the_currency_is_refused() -> None:
    with pytest.raises(Invalid, match="decimals"):
        schedule(parse_terms("10.005@30 REST@60"), JAN_15, 100_00, 2)


def test_installments_that_do_not_fit_the_total_are_refused() -> None:
    with pytest.raises(Invalid, match="do not fit"):
        schedule(parse_terms("1000.00@30 REST@60"), JAN_15, 500_00, 2)
    with pytest.raises(Invalid, match="do not fit"):
        schedule(parse_terms("50%@30 50%@60"), JAN_15, 1, 2)


def test_plain_terms_schedule_one_payment_of_everything() -> None:
    assert schedule(parse_terms("NET30"), JAN_15, 100, 2) == [(date(2026, 2, 14), 100)]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("NET", "not understood"),
        ("NET1000", "not understood"),
        ("NET-5", "not understood"),
        ("30 NET", "not understood"),
        ("NET30 2/10", "not understood"),
        ("2/10 NET30 EOM", "not understood"),
        ("2/40 NET30", "within the net days"),
        ("0/10 NET30", "0–100"),
        ("50%@30 40%@60", "add up to 90 %"),
        ("60%@30 60%@60", "add up to 120 %"),
        ("50%@60 50%@30", "increasing days"),
        ("50%@30 50%@30", "increasing days"),
        ("REST@30 REST@60", "at most one REST"),
        ("0%@30 REST@60", "positive"),
        ("50%@30 50%@60 REST@90", "nothing left"),
        ("100%@30 REST@60", "nothing left"),
        ("0@30 REST@60", "positive"),
        ("50%@30 NET30", "not understood"),
        ("half@30", "not understood"),
    ],
)
def test_notations_that_break_a_rule_are_invalid(text: str, why: str) -> None:
    with pytest.raises(Invalid, match=why):
        parse_terms(text)


def test_the_code_is_the_canonical_notation() -> None:
    assert parse_terms("net 30").code == "NET30"
    assert parse_terms("eom30").code == "EOM+30"
    assert parse_terms("2.50%10 net30").code == "2.5/10 NET30"
    assert parse_terms("50.0%@30 rest@60").code == "50%@30 REST@60"
    assert parse_terms("1000.00@30 REST@60").code == "1000.00@30 REST@60"


days = st.integers(min_value=0, max_value=999)
percents = st.integers(min_value=1, max_value=9999).map(lambda n: Decimal(n).scaleb(-2))


@st.composite
def simple_terms(draw: st.DrawFn) -> Terms:
    net = draw(days)
    eom = draw(st.booleans())
    if not draw(st.booleans()):
        return Terms(net, eom)
    percent = draw(percents)
    discount_days = draw(days if eom else st.integers(min_value=0, max_value=net))
    return Terms(net, eom, percent, discount_days)


@st.composite
def installment_terms(draw: st.DrawFn) -> Terms:
    when = sorted(draw(st.sets(days, min_size=1, max_size=6)))
    kind = draw(st.sampled_from(["percent", "amount", "mixed"]))
    if kind == "percent":
        cuts = sorted(
            draw(st.sets(st.integers(1, 9999), min_size=len(when) - 1, max_size=len(when) - 1))
        )
        bounds = [0, *cuts, 10000]
        parts = [Decimal(b - a).scaleb(-2) for a, b in pairwise(bounds)]
        return Terms(
            0, installments=tuple(Share(d, percent=p) for d, p in zip(when, parts, strict=True))
        )
    rest_at = draw(st.integers(0, len(when) - 1))
    shares: list[Share] = []
    for index, day in enumerate(when):
        if index == rest_at:
            shares.append(Share(day))
        elif kind == "mixed" and draw(st.booleans()):
            shares.append(Share(day, percent=draw(st.integers(1, 15).map(Decimal))))
        else:
            cents = draw(st.integers(min_value=1, max_value=10**9))
            shares.append(Share(day, amount=Decimal(cents).scaleb(-2)))
    return Terms(0, installments=tuple(shares))


any_terms = st.one_of(simple_terms(), installment_terms())


@given(any_terms)
def test_any_terms_read_back_from_their_code(terms: Terms) -> None:
    assert parse_terms(terms.code) == terms
    assert parse_terms(terms.code.lower()).code == terms.code


@given(
    terms=installment_terms(),
    total=st.integers(min_value=1, max_value=10**13),
    exponent=st.sampled_from([2, 3]),
    issued=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
)
def test_a_schedule_adds_up_to_the_total_exactly_with_positive_parts(
    terms: Terms, total: int, exponent: int, issued: date
) -> None:
    try:
        parts = schedule(terms, issued, total, exponent)
    except Invalid as exc:  # a share would get nothing: too small a total for these terms
        message = exc.message
        assert "do not fit" in message
        return
    assert sum(amount for _, amount in parts) == total
    assert all(type(amount) is int and amount > 0 for _, amount in parts)
    assert [day for day, _ in parts] == sorted({day for day, _ in parts})
    assert parts[-1][0] == due_date(terms, issued)


@given(terms=installment_terms(), total=st.integers(min_value=10**8, max_value=10**13))
def test_percent_schedules_always_fit_a_large_enough_total(terms: Terms, total: int) -> None:
    if any(share.percent is None for share in terms.installments):
        return
    assert sum(amount for _, amount in schedule(terms, JAN_15, total, 2)) == total


@given(terms=simple_terms(), total=st.integers(min_value=1, max_value=10**13))
def test_a_discount_never_exceeds_the_total_and_ends_before_the_due_date_unless_eom(
    terms: Terms, total: int
) -> None:
    offer = discount(terms, JAN_15, total)
    if not terms.discount_percent:
        assert offer is None
        return
    assert offer is not None
    last_day, amount = offer
    assert 0 <= amount < total
    assert type(amount) is int
    exact = Decimal(total) * terms.discount_percent / 100
    assert abs(Decimal(amount) - exact) <= Decimal("0.5") or amount == total - 1
    if not terms.end_of_month:
        assert last_day <= due_date(terms, JAN_15)
