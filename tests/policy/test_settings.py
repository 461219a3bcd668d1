"""Chase settings: inheritance, profiles, Regulation F clamps and parsing. No database."""

from __future__ import annotations

import json
import tomllib
from datetime import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cobro.errors import Invalid
from cobro.policy.contact import DEFAULT_CAPS, REG_F, REG_F_WINDOW, ContactCaps
from cobro.policy.settings import (
    DEFAULT_MIN_DAYS_BETWEEN_STAGES,
    DEFAULT_WINDOW,
    EMPTY,
    ChaseSettings,
    Resolved,
    check_settings,
    merge,
    resolve,
    settings_from_mapping,
    settings_to_mapping,
)
from cobro.policy.timing import SendWindow


def resolved_for(
    *layers: ChaseSettings | None, country: str = "ES", consumer: bool = False
) -> Resolved:
    company, segment, customer, invoice = (*layers, None, None, None, None)[:4]
    return resolve(company, segment, customer, invoice, country=country, consumer=consumer)


def test_a_later_layer_wins_where_it_sets_a_value() -> None:
    company = ChaseSettings(window_start=time(10), max_messages=2, weekends=True)
    segment = ChaseSettings(window_start=time(11))
    customer = ChaseSettings(max_messages=4)
    invoice = ChaseSettings(window_start=time(12), weekends=False)
    assert merge(company, segment, customer, invoice) == ChaseSettings(
        window_start=time(12), max_messages=4, weekends=False
    )


def test_an_unset_value_inherits_and_nothing_merged_is_empty() -> None:
    company = ChaseSettings(max_calls=2)
    assert merge(company, EMPTY, EMPTY) == company
    assert merge() == EMPTY


def test_resolve_inherits_company_then_segment_then_customer_then_invoice() -> None:
    resolved = resolved_for(
        ChaseSettings(window_start=time(10), window_end=time(18), min_days_between_stages=5),
        ChaseSettings(window_start=time(11), max_calls=1),
        None,
        ChaseSettings(window_end=time(17)),
    )
    assert resolved.window == SendWindow(time(11), time(17))
    assert resolved.caps.max_calls == 1
    assert resolved.min_days_between_stages == 5


def test_a_business_with_no_settings_gets_the_business_profile() -> None:
    assert resolved_for(country="ES") == Resolved(
        window=DEFAULT_WINDOW,
        caps=DEFAULT_CAPS,
        min_days_between_stages=DEFAULT_MIN_DAYS_BETWEEN_STAGES,
        regulation="none",
    )
    assert SendWindow(time(9), time(19), weekends=False, holidays=False) == DEFAULT_WINDOW


def test_a_us_business_and_a_spanish_consumer_are_not_under_regulation_f() -> None:
    assert resolved_for(country="US").regulation == "none"
    assert resolved_for(country="ES", consumer=True).regulation == "none"


def test_a_us_consumer_gets_regulation_f() -> None:
    resolved = resolved_for(country="US", consumer=True)
    assert resolved.regulation == "reg_f"
    assert resolved.window == REG_F_WINDOW
    assert resolved.caps == REG_F
    assert resolved.clamped == ()


def test_a_consumer_in_a_us_territory_gets_regulation_f() -> None:
    assert resolved_for(country="pr", consumer=True).regulation == "reg_f"


def test_any_layer_may_choose_regulation_f_for_other_debtors() -> None:
    resolved = resolved_for(ChaseSettings(regulation="reg_f"), country="MX", consumer=True)
    assert resolved.regulation == "reg_f"
    assert resolved.caps == REG_F


def test_stricter_settings_apply_to_a_us_consumer() -> None:
    stricter = ChaseSettings(
        window_start=time(9),
        window_end=time(20),
        weekends=False,
        holidays=False,
        max_calls=3,
        call_period_days=10,
        quiet_after_conversation_days=14,
        max_messages=2,
    )
    resolved = resolved_for(stricter, country="US", consumer=True)
    assert resolved.window == SendWindow(time(9), time(20), weekends=False, holidays=False)
    assert resolved.caps == ContactCaps(
        max_messages=2,
        period_days=7,
        max_calls=3,
        call_period_days=10,
        quiet_after_conversation_days=14,
    )
    assert resolved.clamped == ()


def test_looser_settings_are_clamped_to_regulation_f_for_a_us_consumer_and_named() -> None:
    looser = ChaseSettings(
        window_start=time(7, 30),
        window_end=time(22),
        max_calls=10,
        call_period_days=3,
        quiet_after_conversation_days=1,
        regulation="none",
    )
    resolved = resolved_for(looser, country="US", consumer=True)
    assert resolved.regulation == "reg_f"
    assert resolved.window == REG_F_WINDOW
    assert resolved.caps == REG_F
    assert resolved.clamped == (
        "window_start",
        "window_end",
        "max_calls",
        "call_period_days",
        "quiet_after_conversation_days",
        "regulation",
    )


def test_the_same_looser_settings_apply_as_written_to_a_business() -> None:
    looser = ChaseSettings(window_start=time(7, 30), window_end=time(22), max_calls=10)
    resolved = resolved_for(looser, country="US")
    assert resolved.window == SendWindow(time(7, 30), time(22))
    assert resolved.caps.max_calls == 10


def test_layers_that_together_close_the_window_are_refused() -> None:
    with pytest.raises(Invalid, match="must end after it starts") as caught:
        resolved_for(ChaseSettings(window_start=time(20)))  # the default end is 19:00
    assert caught.value.field == "window"


def test_a_bad_layer_is_named_in_the_error() -> None:
    with pytest.raises(Invalid) as caught:
        resolved_for(None, None, ChaseSettings(max_calls=0))
    assert caught.value.field == "customer.max_calls"


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        (ChaseSettings(window_start=time(9, 0, 30)), "layer.window_start"),
        (ChaseSettings(window_start=time(19), window_end=time(9)), "layer.window_end"),
        (ChaseSettings(max_messages=0), "layer.max_messages"),
        (ChaseSettings(period_days=0), "layer.period_days"),
        (ChaseSettings(quiet_after_conversation_days=-1), "layer.quiet_after_conversation_days"),
        (ChaseSettings(min_days_between_stages=400), "layer.min_days_between_stages"),
        (ChaseSettings(regulation="gdpr"), "layer.regulation"),
    ],
)
def test_settings_that_cannot_be_applied_are_refused(settings: ChaseSettings, field: str) -> None:
    with pytest.raises(Invalid) as caught:
        check_settings(settings, "layer")
    assert caught.value.field == field


def test_settings_are_read_from_a_json_table() -> None:
    data = json.loads(
        '{"window_start": "09:30", "window_end": "18:00", "weekends": false,'
        ' "max_calls": 3, "quiet_after_conversation_days": null, "regulation": "reg_f"}'
    )
    assert settings_from_mapping(data, "company") == ChaseSettings(
        window_start=time(9, 30),
        window_end=time(18),
        weekends=False,
        max_calls=3,
        regulation="reg_f",
    )


def test_settings_are_read_from_a_toml_table_with_local_times() -> None:
    data = tomllib.loads("window_start = 09:00:00\nholidays = true\nmin_days_between_stages = 0")
    assert settings_from_mapping(data, "segment") == ChaseSettings(
        window_start=time(9), holidays=True, min_days_between_stages=0
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"colour": "red"}, "company.colour", "unknown setting 'colour'"),
        ({"window_start": 9}, "company.window_start", "must be a time like 09:00"),
        ({"window_end": "25:00"}, "company.window_end", "must be a time like 09:00"),
        ({"window_end": "9am"}, "company.window_end", "must be a time like 09:00"),
        ({"weekends": 1}, "company.weekends", "must be true or false"),
        ({"max_calls": "3"}, "company.max_calls", "must be a whole number"),
        ({"max_calls": True}, "company.max_calls", "must be a whole number"),
        ({"max_calls": 2.5}, "company.max_calls", "must be a whole number"),
        ({"period_days": -7}, "company.period_days", "between 1 and 365"),
        ({"max_messages": -1}, "company.max_messages", "at least 1"),
        ({"regulation": 1}, "company.regulation", "must be one of none, reg_f"),
        ({"regulation": "REG_F"}, "company.regulation", "unknown regulation"),
    ],
)
def test_parse_errors_name_the_key(data: dict[str, object], field: str, message: str) -> None:
    with pytest.raises(Invalid, match=message) as caught:
        settings_from_mapping(data, "company")
    assert caught.value.field == field


def test_settings_are_written_as_they_are_read() -> None:
    settings = ChaseSettings(window_end=time(18, 30), holidays=False, max_calls=2)
    assert settings_to_mapping(settings) == {
        "window_end": "18:30",
        "holidays": False,
        "max_calls": 2,
    }
    assert settings_to_mapping(EMPTY) == {}


# Properties

minutes = st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60))
layers = st.builds(
    ChaseSettings,
    window_start=st.none() | minutes.filter(lambda t: t < time(12)),
    window_end=st.none() | minutes.filter(lambda t: t >= time(12)),
    weekends=st.none() | st.booleans(),
    holidays=st.none() | st.booleans(),
    max_messages=st.none() | st.integers(1, 20),
    period_days=st.none() | st.integers(1, 30),
    max_calls=st.none() | st.integers(1, 20),
    call_period_days=st.none() | st.integers(1, 30),
    quiet_after_conversation_days=st.none() | st.integers(0, 30),
    min_days_between_stages=st.none() | st.integers(0, 30),
    regulation=st.none() | st.sampled_from(["none", "reg_f"]),
)


@given(layers)
def test_a_layer_survives_being_written_and_read_back(layer: ChaseSettings) -> None:
    mapping = settings_to_mapping(layer)
    assert settings_from_mapping(json.loads(json.dumps(mapping)), "layer") == layer


@given(st.lists(layers, min_size=4, max_size=4), st.sampled_from(["US", "PR", "ES", "MX"]))
def test_a_us_consumer_is_never_chased_more_loosely_than_regulation_f_allows(
    four: list[ChaseSettings], country: str
) -> None:
    resolved = resolve(*four, country=country, consumer=True)
    if country not in {"US", "PR"} and resolved.regulation == "none":
        return
    assert resolved.regulation == "reg_f"
    assert resolved.window.start >= REG_F_WINDOW.start
    assert resolved.window.end <= REG_F_WINDOW.end
    assert resolved.caps.max_calls is not None
    assert resolved.caps.max_calls <= 7
    assert resolved.caps.call_period_days >= 7
    assert resolved.caps.quiet_after_conversation_days is not None
    assert resolved.caps.quiet_after_conversation_days >= 7


@given(st.lists(layers, min_size=1, max_size=4))
def test_merging_is_associative_and_the_last_set_value_wins(some: list[ChaseSettings]) -> None:
    merged = merge(*some)
    assert merged == merge(merge(*some[:-1]), some[-1])
    for name, value in settings_to_mapping(some[-1]).items():
        assert settings_to_mapping(merged)[name] == value
