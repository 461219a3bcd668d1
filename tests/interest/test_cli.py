"""`cobro interest`: the computation shown, the compensation and the total; bad input as one
line naming what is wrong (exit 1)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from cobro.cli import app
from cobro.db import upgrade
from tests.support.cli import cli_database, cli_ok, cli_refused

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
    assert "taux de l'intérêt légal" in refused(
        "interest", "--amount", "1", "--due", "2024-03-15", "--paid", "2024-04-01", "-j", "FR",
        "--consumer",
    )  # fmt: skip
    paid = ("--amount", "100", "--paid", "2024-04-01")
    assert "--contract-rate 'abc': not a rate" in refused(*base, *paid, "--contract-rate", "abc")
    assert "must be a rate of 0 % or more" in refused(*base, *paid, "--contract-rate", "-1")


def test_mexico_in_pesos_at_the_legal_rate_with_no_fixed_sum() -> None:
    """M1: MXN 100,000, 90 days at 6 %."""
    out = ok("interest", "--amount", "100000", "--due", "2025-01-01", "--paid", "2025-04-01",
             "-j", "MX", "--shipped-only")  # fmt: skip
    assert "MX law, business debtor, 90 days late" in out
    assert "Interest: 1,479.45 MXN" in out
    assert "Fixed compensation: 0.00 MXN" in out
    assert "Rates: shipped rates only." in out


def test_a_usurious_looking_mexican_rate_is_computed_and_flagged() -> None:
    out = ok("interest", "--amount", "100000", "--due", "2025-01-01", "--paid", "2025-04-01",
             "-j", "MX", "--contract-rate", "120", "--shipped-only")  # fmt: skip
    assert "agreed rate 120 %" in out
    assert "Warning: MX: the agreed rate 120 % a year (10.00 % a month)" in out
    assert "Interest: 29,589.04 MXN" in out


def test_colombia_compounds_the_cap_and_caps_an_agreed_rate() -> None:
    out = ok("interest", "--amount", "1000000", "--due", "2025-10-31", "--paid", "2025-11-30",
             "-j", "CO", "--consumer", "--shipped-only")  # fmt: skip
    assert "Interest: 18,503.09 COP" in out  # C3
    assert "Effective annual rates" in out
    capped = ok("interest", "--amount", "1000000", "--due", "2025-11-30", "--paid",
                "2025-12-30", "-j", "CO", "--contract-rate", "30", "--shipped-only")  # fmt: skip
    assert "25.02" in capped  # C4
    assert "Warning: CO: the agreed rate 30 % EA is above the usury cap in 2025-12 (25.02 %)" in (
        capped
    )
    assert "2025-11" not in capped.split("Warning")[1].split("\n")[0]
    gap = refused("interest", "--amount", "1000", "--due", "2025-02-27", "--paid", "2025-03-05",
                  "-j", "CO", "--shipped-only")  # fmt: skip
    assert "the rate for 2025-02 is not published" in gap


def test_the_calculator_reads_the_database_when_there_is_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = cli_database(tmp_path, monkeypatch)
    args = ("interest", "--amount", "1000", "--due", "2026-06-30", "--paid", "2026-07-30",
            "-j", "DE")  # fmt: skip
    covered = ("interest", "--amount", "1000", "--due", "2026-05-31", "--paid", "2026-06-30",
               "-j", "DE")  # fmt: skip
    assert "Rates: shipped rates only (no database file" in ok(*covered)
    assert "the rates end on 2026-06-30" in refused(*args)
    upgrade(url)
    rates = tmp_path / "de.csv"
    rates.write_text(
        "series,starts_on,ends_on,rate,source\n"
        "de_basiszinssatz,2026-07-01,2026-12-31,1.52,Bundesbank press release\n",
        encoding="utf-8",
    )
    assert "Added 1 periods" in ok("rates", "import", str(rates))
    out = ok(*args)
    assert "10.52" in out
    assert "Rates: shipped rates and those imported into the database." in out
    assert "the rates end on 2026-06-30" in refused(*args, "--shipped-only")
