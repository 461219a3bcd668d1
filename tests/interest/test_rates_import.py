"""Importing rate periods: they extend a series where it has no rate, never change a rate it
has; the file is refused whole, each problem naming its row and field; the same file twice
adds nothing the second time."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.cli import app
from cobro.errors import Invalid, NotFound
from cobro.interest.law import published, shipped_series
from cobro.interest.models import RatePeriodRow
from cobro.interest.ratefile import RateFileInvalid, read_rate_file
from cobro.interest.rules import NoPublishedRate
from cobro.interest.service import (
    claim_for,
    import_rates,
    list_series,
    rate_table_for,
    series_spans,
)
from cobro.kit.dates import utcnow
from tests.support.cli import cli_database, cli_ok, cli_refused

HEADER = "series,starts_on,ends_on,rate,source\n"
MONTHLY = ["co_usura"]
ok = partial(cli_ok, app)
refused = partial(cli_refused, app)


def csv_file(tmp_path: Path, *lines: str, name: str = "rates.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def load(session: Session, path: Path) -> tuple[int, int]:
    """Import `path`: (periods added, periods already known)."""
    rows = read_rate_file(path, shipped_series(), MONTHLY)
    result = import_rates(session, rows, path.name, utcnow())
    return len(result.added), result.already_known


def stored(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(RatePeriodRow)) or 0


def test_an_imported_half_year_extends_the_shipped_table(session: Session, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "de_basiszinssatz,2026-07-01,2026-12-31,1.52,Bundesbank 30.6.2026")
    with pytest.raises(NoPublishedRate):
        rate_table_for(session, "DE", True, date(2026, 7, 1)).table.rate_on(date(2026, 8, 1))
    assert load(session, path) == (1, 0)
    table = rate_table_for(session, "DE", True, date(2026, 7, 1)).table
    assert table.rate_on(date(2026, 8, 1)) == Decimal("10.52")
    assert table.rate_on(date(2026, 6, 30)) == Decimal("10.27")
    assert table.ends_on == date(2026, 12, 31)
    result = claim_for(session, "DE", True, 10_000_00, date(2026, 6, 15), date(2026, 7, 15))
    assert [s.rate for s in result.accrual.stretches] == [Decimal("10.27"), Decimal("10.52")]
    row = session.scalars(select(RatePeriodRow)).one()
    assert (row.rate, row.source) == ("1.52", "Bundesbank 30.6.2026")
    assert row.imported_at.tzinfo is not None


def test_the_same_file_twice_adds_nothing_the_second_time(session: Session, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "ecb_mro_half_years,2026-07-01,2026-12-31,2.15,ECB",
        "ecb_mro_half_years,2027-01-01,2027-06-30,2.00,ECB",
    )
    assert load(session, path) == (2, 0)
    assert load(session, path) == (0, 2)
    assert stored(session) == 2


def test_a_known_rate_repeated_is_a_no_op_and_only_new_days_are_stored(
    session: Session, tmp_path: Path
) -> None:
    """H1 2026 is shipped at 1.27: a period over all of 2026 at 1.27 adds only H2."""
    path = csv_file(tmp_path, "de_basiszinssatz,2026-01-01,2026-12-31,1.27,Bundesbank")
    assert load(session, path) == (1, 0)
    row = session.scalars(select(RatePeriodRow)).one()
    assert (row.starts_on, row.ends_on) == (date(2026, 7, 1), date(2026, 12, 31))
    shipped = csv_file(tmp_path, "de_basiszinssatz,2025-07-01,2025-12-31,1.27,Bundesbank",
                       name="again.csv")  # fmt: skip
    assert load(session, shipped) == (0, 1)


def test_another_rate_for_a_known_day_is_refused(session: Session, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "de_basiszinssatz,2026-01-01,2026-06-30,1.52,a wrong page")
    with pytest.raises(RateFileInvalid) as refused_file:
        load(session, path)
    message = refused_file.value.message
    assert "row 2, rate: de_basiszinssatz already has 1.27 % from 2026-01-01 to 2026-06-30" in (
        message
    )
    assert "shipped with Cobro" in message
    assert refused_file.value.field == "rate"


def test_an_imported_rate_cannot_be_changed_by_a_later_import(
    session: Session, tmp_path: Path
) -> None:
    load(session, csv_file(tmp_path, "uk_reference_rate,2026-07-01,2026-12-31,3.75,BoE"))
    other = csv_file(tmp_path, "uk_reference_rate,2026-07-01,2026-12-31,3.50,BoE", name="b.csv")
    with pytest.raises(RateFileInvalid, match=r"already has 3.75 %.*\(imported "):
        load(session, other)


def test_a_gap_after_the_table_is_refused(session: Session, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "de_basiszinssatz,2027-01-01,2027-06-30,1.52,Bundesbank")
    with pytest.raises(RateFileInvalid, match=r"row 2, starts_on: leaves a gap: "
                       r"de_basiszinssatz has rates up to 2026-06-30"):  # fmt: skip
        load(session, path)
    assert stored(session) == 0


def test_periods_in_the_file_must_follow_each_other(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "ecb_mro_half_years,2026-07-01,2026-12-31,2.15,ECB",
        "ecb_mro_half_years,2026-12-01,2027-06-30,2.00,ECB",
        "ecb_mro_half_years,2027-08-01,2027-12-31,2.00,ECB",
    )
    with pytest.raises(RateFileInvalid) as refused_file:
        read_rate_file(path, shipped_series(), MONTHLY)
    problems = [str(p) for p in refused_file.value.problems]
    assert problems == [
        "row 3, starts_on: overlaps row 2 (2026-07-01 to 2026-12-31)",
        "row 4, starts_on: leaves a gap after row 3, which ends on 2027-06-30: the next "
        "period must start on 2027-07-01",
    ]


def test_every_bad_field_is_named_with_its_row_and_nothing_is_imported(
    session: Session, tmp_path: Path
) -> None:
    path = csv_file(
        tmp_path,
        "ecb_mro_half_years,2026-07-01,2026-12-31,2.15,ECB",  # good, but the file is refused
        "libor,2026-07-01,2026-12-31,2.15,somewhere",
        "ecb_mro_half_years,2027-02-30,2027-06-30,2.00,ECB",
        "de_basiszinssatz,2026-07-01,2026-06-01,1.00,Bundesbank",
        "uk_reference_rate,2026-07-01,2026-12-31,abc,BoE",
        "es_interes_demora,2026-07-01,2026-12-31,-1,BOE",
        "mx_interes_legal,2026-07-01,2026-12-31,101,DOF",
        "co_usura,2026-01-01,2026-01-15,25.00,SFC",
        "es_interes_legal,2026-01-01,2026-12-31,3.25,",
    )
    with pytest.raises(RateFileInvalid) as refused_file:
        load(session, path)
    where = [(p.row, p.field) for p in refused_file.value.problems]
    assert where == [(3, "series"), (4, "starts_on"), (5, "ends_on"), (6, "rate"), (7, "rate"),
                     (8, "rate"), (9, "starts_on"), (10, "source")]  # fmt: skip
    message = refused_file.value.message
    assert message.startswith("rates.csv: 8 problems, nothing imported:")
    assert "'libor' is not a rate series" in message
    assert "'2027-02-30' is not a day" in message
    assert "'abc' is not a number" in message
    assert "co_usura is certified by month" in message
    assert stored(session) == 0


def test_a_good_file_with_one_conflict_stores_nothing(session: Session, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "ecb_mro_half_years,2026-07-01,2026-12-31,2.15,ECB",
        "de_basiszinssatz,2026-01-01,2026-06-30,9.99,wrong",
    )
    with pytest.raises(RateFileInvalid):
        load(session, path)
    assert stored(session) == 0


def test_a_colombian_month_fills_its_gap_and_the_others_stay_unpublished(
    session: Session, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, "co_usura,2025-03-01,2025-03-31,28.00,SFC Res. (March 2025)")
    assert load(session, path) == (1, 0)
    table = rate_table_for(session, "CO", False, date(2025, 3, 1)).table
    assert table.compounding
    assert table.rate_on(date(2025, 3, 15)) == Decimal(28)
    for missing in (date(2025, 2, 10), date(2025, 4, 10), date(2025, 9, 1)):
        with pytest.raises(NoPublishedRate, match=f"{missing:%Y-%m} is not published"):
            table.rate_on(missing)
    capped = rate_table_for(session, "CO", True, date(2025, 3, 1), Decimal(30))
    assert capped.table.rate_on(date(2025, 3, 15)) == Decimal(28)


def test_a_json_file_like_the_shipped_ones_is_imported(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "ecb.json"
    path.write_text(
        '{"series": "ecb_mro_half_years", "source": "ECB", "ends_on": "2027-06-30",'
        ' "periods": [["2026-07-01", "2.15"], ["2027-01-01", "2.00"]]}',
        encoding="utf-8",
    )
    assert load(session, path) == (2, 0)
    table = rate_table_for(session, "EU", True, date(2027, 1, 1)).table
    assert table.rate_on(date(2027, 6, 30)) == Decimal("10.00")


def test_the_series_list_counts_imports_and_shows_each_period(
    session: Session, tmp_path: Path
) -> None:
    load(session, csv_file(tmp_path, "de_basiszinssatz,2026-07-01,2026-12-31,1.52,Bundesbank"))
    views = {view.series: view for view in list_series(session)}
    assert set(views) == set(shipped_series())
    assert (views["de_basiszinssatz"].last_day, views["de_basiszinssatz"].imported) == (
        date(2026, 12, 31),
        1,
    )
    assert views["mx_interes_legal"].last_day is None
    spans = series_spans(session, "de_basiszinssatz")
    assert spans[-1].source.startswith("imported ")
    assert spans[-2].source == "shipped"
    with pytest.raises(NotFound):
        series_spans(session, "libor")


def test_the_cli_imports_lists_and_refuses_by_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli_database(tmp_path, monkeypatch)
    ok("db", "upgrade")
    path = csv_file(tmp_path, "de_basiszinssatz,2026-07-01,2026-12-31,1.52,Bundesbank")
    assert "Would add 1 periods." in ok("rates", "import", str(path), "--dry-run")
    out = ok("rates", "import", str(path))
    assert "de_basiszinssatz: 2026-07-01 to 2026-12-31 at 1.52 %" in out
    assert "Added 1 periods." in out
    assert "Nothing new: all 1 periods are already known" in ok("rates", "import", str(path))
    listed = ok("rates", "list")
    assert "co_usura" in listed
    assert "2026-12-31" in listed
    periods = ok("rates", "list", "de_basiszinssatz")
    assert "imported" in periods
    bad = csv_file(tmp_path, "de_basiszinssatz,2027-01-01,2026-12-31,x,B", name="bad.csv")
    message = refused("rates", "import", str(bad))
    assert "bad.csv: 2 problems, nothing imported:" in message
    assert "row 2, ends_on" in message
    assert "row 2, rate" in message
    header = tmp_path / "header.csv"
    header.write_text("series,from,to,rate\n", encoding="utf-8")
    assert "the header must be series,starts_on,ends_on,rate,source" in refused(
        "rates", "import", str(header)
    )


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(Invalid, match="no rate periods"):
        read_rate_file(csv_file(tmp_path), shipped_series(), MONTHLY)


def test_each_shipped_series_loads_and_the_colombian_one_is_monthly() -> None:
    for series in shipped_series():
        table = published(series).table
        assert table.periods
    assert published("co_usura").monthly
    assert published("co_usura").table.ends_on == date(2025, 12, 31)
