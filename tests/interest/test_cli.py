"""`cobro interest`: the computation shown, the compensation and the total; bad input as one
line naming what is wrong (exit 1)."""

from __future__ import annotations

from functools import partial

from cobro.cli import app
from tests.support.cli import cli_ok, cli_refused

ok = partial(cli_ok, app)
refused = partial(cli_refused, app)


def test_the_german_vector_with_its_pauschale() -> None:
    out = ok("interest", "--amount", "10000", "--due", "2024-03-15", "--paid", "2024-05-14",
             "--jurisdiction", "DE", "--business")  # fmt: skip
    assert "DE law, business debtor, 60 days late" in out
    assert "2024-03-16" in out
    assert "2024-05-14" in out
    assert "12.62" in out
    assert "Interest: 207.45 EUR" in out
    assert "Fixed compensation: 40.00 EUR" in out
    assert "Total claim on top of the amount due: 247.45 EUR" in out


def test_each_half_year_on_its_own_line() -> None:
    out = ok("interest", "--amount", "5.000", "--due", "2024-06-10", "--paid", "2024-08-09",
             "-j", "es")  # fmt: skip
    assert "34.2466" in out
    assert "67.1233" in out
    assert "Interest: 101.37 EUR" in out


def test_a_consumer_gets_no_fixed_sum_and_act_act_counts_366() -> None:
    consumer = ok("interest", "--amount", "10000", "--due", "2024-03-15", "--paid",
                  "2024-05-14", "-j", "DE", "--consumer")  # fmt: skip
    assert "Interest: 141.70 EUR" in consumer
    assert "Fixed compensation: 0.00 EUR" in consumer
    leap = ok("interest", "--amount", "10000", "--due", "2024-03-15", "--paid", "2024-05-14",
              "-j", "DE", "--act-act")  # fmt: skip
    assert "Interest: 206.89 EUR" in leap


def test_the_uk_in_pounds_with_its_band() -> None:
    out = ok("interest", "--amount", "5000", "--due", "2025-07-31", "--paid", "2025-11-09",
             "-j", "UK")  # fmt: skip
    assert "Interest: 169.49 GBP" in out
    assert "Fixed compensation: 70.00 GBP" in out


def test_bad_input_is_one_line_naming_it() -> None:
    base = ["interest", "--due", "2024-03-15", "-j", "DE"]
    assert "not after the due date" in refused(*base, "--amount", "100", "--paid", "2024-03-01")
    assert "must be positive" in refused(*base, "--amount", "-5", "--paid", "2024-04-01")
    assert "use one of EU, FR, BE, DE, ES, GB" in refused(
        "interest", "--amount", "1", "--due", "2024-03-15", "--paid", "2024-04-01", "-j", "XX"
    )
    assert "the rates end on 2026-06-30" in refused(*base[:-2], "-j", "DE", "--amount", "100",
                                                     "--paid", "2026-08-01")  # fmt: skip
    assert "consumer" in refused(
        "interest",
        "--amount",
        "1",
        "--due",
        "2024-03-15",
        "--paid",
        "2024-04-01",
        "-j",
        "ES",
        "--consumer",
    )
