"""The champion/challenger significance tests: Welch's t-test and the two-proportion z-test.

No database. The p-values are checked against scipy and against hand computations.
"""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from cobro.errors import Invalid
from cobro.scoring.significance import Significance, means_test, proportions_test


def test_welch_matches_scipy() -> None:
    rng = random.Random(7)
    a = [rng.gauss(30, 8) for _ in range(40)]
    b = [rng.gauss(26, 3) for _ in range(25)]
    result = means_test(a, b)
    expected = stats.ttest_ind(b, a, equal_var=False)
    assert result.p_value == pytest.approx(float(expected.pvalue), rel=1e-9)
    assert result.difference == pytest.approx(sum(b) / 25 - sum(a) / 40)
    assert result.significant == (result.p_value < 0.05)
    assert (result.n_a, result.n_b) == (40, 25)


def test_the_two_proportion_test_matches_a_hand_computation() -> None:
    result = proportions_test(45, 100, 60, 100)
    # pooled 105/200 = 0.525; se = √(0.525 × 0.475 × (1/100 + 1/100)) = 0.070622…
    # z = 0.15 / 0.070622 = 2.1240; two-sided p = erfc(z / √2) = 0.03367
    z = 0.15 / math.sqrt(0.525 * 0.475 * 0.02)
    assert result.p_value == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-9)
    assert result.p_value == pytest.approx(2 * float(stats.norm.sf(z)), rel=1e-9)
    assert round(result.p_value, 4) == 0.0337
    assert result.difference == pytest.approx(0.15)
    assert result.significant
    assert not proportions_test(45, 100, 60, 100, alpha=0.01).significant
    # unequal groups, 45 / 90 against 60 / 100: pooled 105/190 = 0.55263;
    # se = √(0.55263 × 0.44737 × (1/90 + 1/100)) = 0.072245; z = 0.1 / se = 1.3842; p = 0.1663
    uneven = proportions_test(45, 90, 60, 100)
    assert round(uneven.p_value, 4) == 0.1663
    assert (uneven.significant, uneven.n_a, uneven.n_b) == (False, 90, 100)


def test_degenerate_samples_are_never_significant() -> None:
    for result in (
        means_test([1.0], [2.0, 3.0]),
        means_test([], []),
        means_test([2.0, 2.0, 2.0], [5.0, 5.0]),
        proportions_test(0, 10, 0, 10),
        proportions_test(10, 10, 7, 7),
        proportions_test(0, 0, 0, 0),
        proportions_test(1, 1, 0, 5),
    ):
        assert (result.p_value, result.significant) == (1.0, False)
    assert means_test([2.0, 2.0, 2.0], [5.0, 5.0]).difference == 3.0


def test_impossible_counts_are_refused() -> None:
    with pytest.raises(Invalid, match="5 successes out of 3"):
        proportions_test(5, 3, 1, 2)
    with pytest.raises(Invalid, match="finite"):
        means_test([1.0, math.nan], [1.0, 2.0])


def test_the_result_in_words_names_the_groups_and_the_unit() -> None:
    sooner = Significance(-4.2, 0.003, True, 120, 118)
    assert sooner.words(unit="days", verb="pays", more="later", less="sooner") == (
        "challenger pays 4.2 days sooner than champion (p = 0.003, significant at 5 %)"
    )
    rate = Significance(0.031, 0.2, False, 500, 500, alpha=0.01)
    assert rate.words("letters", "emails", "points", "pay", scale=100) == (
        "emails pay 3.1 points more than letters (p = 0.200, not significant at 1 %)"
    )
    assert Significance(0.0, 1.0, False, 1, 1).words() == (
        "challenger is the same as champion (p = 1.000, not significant at 5 %)"
    )


# -- properties ---------------------------------------------------------------------------------


@given(
    st.integers(0, 200).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.integers(0, 200).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
)
def test_swapping_the_groups_of_a_proportion_test_only_flips_the_difference(
    a: tuple[int, int], b: tuple[int, int]
) -> None:
    forward = proportions_test(*a, *b)
    backward = proportions_test(*b, *a)
    assert backward.difference == -forward.difference
    assert backward.p_value == forward.p_value
    assert 0.0 <= forward.p_value <= 1.0
    assert forward.significant == (forward.p_value < 0.05)
