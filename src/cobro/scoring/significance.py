"""Whether two groups differ by more than chance: the significance tests of a champion/challenger
split. Pure.

An experiment (`scoring.experiment_report`) compares a challenger group with a holdout on two
measures, and each gets the test that fits its kind of number:

- A **share** (invoices paid within 30 days) is a count of successes out of a count of trials,
  so `proportions_test` is the two-proportion z-test: with the 30 or more invoices a side that
  the report asks for, the normal approximation is good enough, and under "no difference" both
  groups share one rate, so the standard error is taken from the pooled rate.
- A **mean** (days past due at settlement) comes from two groups of unequal size whose spread
  need not be the same (a firmer policy can bunch payments), so `means_test` is Welch's t-test,
  which does not assume equal variances; Student's pooled-variance test misleads when they
  differ, and Welch's loses next to nothing when they do not.

Both are two-sided (a challenger can be worse as well as better) and return a `Significance`:
the difference b − a, its p-value and whether it is below `alpha`. A group too small or without
any variance cannot tell anything, so such a test says p = 1, never significant; impossible
counts and values that are not finite numbers are refused.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist, fmean, variance

from cobro.errors import Invalid


@dataclass(frozen=True)
class Significance:
    difference: float  # b − a (a: champion, b: challenger)
    p_value: float  # two-sided
    significant: bool  # p_value < alpha
    n_a: int
    n_b: int
    alpha: float = 0.05

    def words(
        self,
        label_a: str = "champion",
        label_b: str = "challenger",
        unit: str = "",
        verb: str = "is",
        more: str = "more",
        less: str = "less",
        scale: float = 1.0,
    ) -> str:
        """ "challenger pays 4.2 days sooner than champion (p = 0.003, significant at 5 %)".

        `scale` turns the difference into `unit` (100 for percentage points of a proportion)."""
        size = abs(self.difference * scale)
        if round(size, 1) == 0:
            what = f"{label_b} {verb} the same as {label_a}"
        else:
            way = more if self.difference > 0 else less
            what = f"{label_b} {verb} {size:.1f} {unit} {way} than {label_a}".replace("  ", " ")
        p = "p < 0.001" if self.p_value < 0.001 else f"p = {self.p_value:.3f}"
        verdict = "significant" if self.significant else "not significant"
        return f"{what} ({p}, {verdict} at {self.alpha * 100:g} %)"


def proportions_test(
    successes_a: int, n_a: int, successes_b: int, n_b: int, alpha: float = 0.05
) -> Significance:
    """Two-proportion z-test (pooled), two-sided; difference = rate b − rate a. Fewer than two
    in a group, or all successes or none (no variance), cannot tell anything: p = 1."""
    for successes, n, name in ((successes_a, n_a, "a"), (successes_b, n_b, "b")):
        if n < 0 or not 0 <= successes <= n:
            raise Invalid(f"group {name}: {successes} successes out of {n}", field=f"n_{name}")
    difference = (successes_b / n_b if n_b else 0.0) - (successes_a / n_a if n_a else 0.0)
    pooled = (successes_a + successes_b) / (n_a + n_b) if n_a + n_b else 0.0
    if min(n_a, n_b) < 2 or pooled in (0.0, 1.0):
        return Significance(difference, 1.0, False, n_a, n_b, alpha)
    error = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    p_value = 2 * (1 - NormalDist().cdf(abs(difference) / error))
    return Significance(difference, p_value, p_value < alpha, n_a, n_b, alpha)


def means_test(a: Sequence[float], b: Sequence[float], alpha: float = 0.05) -> Significance:
    """Welch's t-test (unequal variances, Welch–Satterthwaite degrees of freedom), two-sided;
    difference = mean b − mean a. Fewer than two values a side or no variance at all: p = 1."""
    if not all(math.isfinite(value) for value in (*a, *b)):
        raise Invalid("the values to compare must be finite numbers", field="a")
    difference = (fmean(b) if b else 0.0) - (fmean(a) if a else 0.0)
    if min(len(a), len(b)) < 2:
        return Significance(difference, 1.0, False, len(a), len(b), alpha)
    share_a, share_b = variance(a) / len(a), variance(b) / len(b)
    if share_a + share_b == 0:
        return Significance(difference, 1.0, False, len(a), len(b), alpha)
    t = difference / math.sqrt(share_a + share_b)
    dof = (share_a + share_b) ** 2 / (share_a**2 / (len(a) - 1) + share_b**2 / (len(b) - 1))
    from scipy import stats  # noqa: PLC0415 (lazy: scipy.stats takes most of a second)

    p_value = float(2 * stats.t.sf(abs(t), dof))
    return Significance(difference, p_value, p_value < alpha, len(a), len(b), alpha)
