"""A stage's fee: fixed, a percentage of the open amount, bounded, per invoice or per notice;
written in a policy file and checked with the policy."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cobro.errors import Invalid
from cobro.policy.document import policy_from_mapping, policy_to_mapping
from cobro.policy.fees import Fee, FeeBasis, check_fee, fee_amount
from cobro.policy.rules import ActionKind, Policy, Stage, Tone, check_policy


def test_a_fixed_fee_is_charged_in_its_currency_only() -> None:
    fee = Fee(fixed={"EUR": 10_00})
    assert fee_amount(fee, 100_00, "EUR") == 10_00
    assert fee_amount(fee, 100_00, "USD") is None  # a euro amount is not guessed into dollars


def test_a_percentage_is_of_the_open_amount_rounded_half_up() -> None:
    fee = Fee(percent=Decimal("1.5"))
    assert fee_amount(fee, 1_000_00, "EUR") == 15_00
    assert fee_amount(fee, 33_33, "USD") == 50  # 49.995 cents → 50
    assert fee_amount(fee, 1_000, "JPY") == 15


def test_fixed_and_percentage_add_up_within_the_bounds() -> None:
    fee = Fee(
        fixed={"EUR": 5_00}, percent=Decimal(2), minimum={"EUR": 10_00}, maximum={"EUR": 50_00}
    )
    assert fee_amount(fee, 100_00, "EUR") == 10_00  # 5 + 2 = 7, raised to the minimum
    assert fee_amount(fee, 1_000_00, "EUR") == 25_00  # 5 + 20
    assert fee_amount(fee, 10_000_00, "EUR") == 50_00  # 5 + 200, capped
    # bounds in another currency do not apply to this one
    assert fee_amount(fee, 100_00, "USD") == 2_00


def test_tryton_s_cumulative_fees_add_up_on_the_original_amount() -> None:
    """account_dunning_fee's scenario: 10 fixed at level 1, 15 % at level 2, on 100 → 125."""
    owed = 100_00
    first = fee_amount(Fee(fixed={"EUR": 10_00}), owed, "EUR")
    second = fee_amount(Fee(percent=Decimal(15)), owed, "EUR")
    assert (first, second) == (10_00, 15_00)


def test_the_rule_is_described_for_the_charge() -> None:
    fee = Fee(fixed={"EUR": 10_00}, percent=Decimal("1.50"), maximum={"EUR": 50_00})
    assert fee.describe("EUR") == "10.00 + 1.5 % of the open amount (max 50.00)"


@pytest.mark.parametrize(
    ("fee", "field"),
    [
        (Fee(), "fee"),
        (Fee(percent=Decimal(0)), "fee.percent"),
        (Fee(percent=Decimal(101)), "fee.percent"),
        (Fee(fixed={"EUR": -1}), "fee.fixed"),
        (Fee(fixed={"EUR": 1}, minimum={"EUR": 10_00}, maximum={"EUR": 5_00}), "fee.maximum"),
    ],
)
def test_a_fee_that_cannot_be_charged_is_refused_by_name(fee: Fee, field: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_fee(fee, "fee")
    assert refused.value.field == field


def stage(actions: tuple[ActionKind, ...], fee: Fee | None) -> Policy:
    return Policy("p", "P", (Stage("demand", 30, Tone.FORMAL, actions, fee=fee),))


def test_the_fee_action_and_the_fee_go_together() -> None:
    with pytest.raises(Invalid, match="has the fee action but no fee") as refused:
        check_policy(stage((ActionKind.LETTER, ActionKind.FEE), None))
    assert refused.value.field == "stages[0].fee"
    with pytest.raises(Invalid, match="does not list the fee action"):
        check_policy(stage((ActionKind.LETTER,), Fee(fixed={"EUR": 1_00})))
    assert check_policy(stage((ActionKind.FEE,), Fee(fixed={"EUR": 1_00})))


def test_a_fee_is_written_in_major_units_and_reads_back_the_same() -> None:
    data = {
        "code": "b2b",
        "stages": [
            {
                "code": "demand",
                "offset": 30,
                "tone": "formal",
                "actions": ["letter", "fee"],
                "fee": {
                    "fixed": {"EUR": "10.00"},
                    "percent": "1.5",
                    "maximum": {"EUR": "50"},
                    "per": "notice",
                },
            }
        ],
    }
    policy = policy_from_mapping(data)
    assert policy.stages[0].fee == Fee(
        fixed={"EUR": 10_00}, percent=Decimal("1.5"), maximum={"EUR": 50_00}, per=FeeBasis.NOTICE
    )
    again = policy_to_mapping(policy)
    assert again["stages"][0]["fee"] == {
        "per": "notice",
        "fixed": {"EUR": "10.00"},
        "maximum": {"EUR": "50.00"},
        "percent": "1.5",
    }
    assert policy_from_mapping(again) == policy


@pytest.mark.parametrize(
    ("fee", "field"),
    [
        ({"fixed": {"EUR": "ten"}}, "stages[0].fee.fixed"),
        ({"percent": "a lot"}, "stages[0].fee"),
        ({"percent": True}, "stages[0].fee"),
        ({"per": "month", "percent": "1"}, "stages[0].fee.per"),
        ({"fixed": {"EUR": "1"}, "flat": "1"}, "stages[0].fee.flat"),
        ("10 EUR", "stages[0].fee"),
    ],
)
def test_a_mistyped_fee_names_its_key(fee: object, field: str) -> None:
    data = {
        "code": "p",
        "stages": [
            {"code": "s", "offset": 5, "tone": "firm", "actions": ["email", "fee"], "fee": fee}
        ],
    }
    with pytest.raises(Invalid) as refused:
        policy_from_mapping(data)
    assert refused.value.field == field
