"""The rates page: every series, one series period by period, the upload form for roles that
may configure only (an import redirects with its result, a check writes nothing, a refused file
is a 422 listing its problems); the interest calculator page: the reference's S1, a bad input
next to its field (422); in Spanish too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import func, select

from cobro.interest.models import RatePeriodRow
from tests.support.databases import committing_database
from tests.web.access import World, build_world, speak
from tests.web.conftest import app_on, client_of
from tests.web.test_holds_tasks_pages import main_of, signed_in

HEADER = "series,starts_on,ends_on,rate,source\n"
S1 = {
    "amount": "10,000.00",
    "currency": "EUR",
    "due": "2024-03-15",
    "paid": "2024-05-14",
    "jurisdiction": "ES",
    "debtor": "business",
    "day_basis": "ACT/365",
    "count_payment_day": "1",
    "contract_rate": "",
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    # a database of its own: imported rates are every company's, and would change what the
    # other web tests compute
    with committing_database(Path(tmp_path_factory.mktemp("rates_pages"))) as url:
        yield build_world(url)


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with client_of(app_on(world.url)) as client:
        yield client


def upload(client: TestClient, token: str, *lines: str, check: bool = False) -> Response:
    content = (HEADER + "".join(f"{line}\n" for line in lines)).encode()
    form = {"csrf_token": token, **({"dry_run": "1"} if check else {})}
    files = {"file": ("rates.csv", content, "text/csv")}
    return client.post("/rates/import", data=form, files=files, follow_redirects=False)


def stored(world: World, series: str) -> int:
    with world.session() as session:
        query = select(func.count()).where(RatePeriodRow.series == series)
        return session.scalar(query) or 0


# ---- the rates page -----------------------------------------------------------------------------


def test_every_series_is_listed_and_a_collector_sees_no_form(
    client: TestClient, world: World
) -> None:
    token = signed_in(client, world, "collector")
    page = client.get("/rates", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert '<a href="/rates">Rates</a>' in page.text
    assert '<a href="/interest">Interest calculator</a>' in page.text
    html = main_of(page.text)
    assert 'id="series-de_basiszinssatz"' in html
    assert 'id="series-mx_interes_legal"' in html
    assert "open-ended" in html  # Mexico's legal rate has no last day
    assert 'datetime="2015-01-01"' in html
    assert 'action="/rates/import"' not in html
    answer = upload(client, token, "uk_reference_rate,2026-07-01,2026-12-31,3.50,BoE")
    assert answer.status_code == 403
    assert stored(world, "uk_reference_rate") == 0


def test_one_series_period_by_period(client: TestClient, world: World) -> None:
    signed_in(client, world, "viewer")
    html = main_of(client.get("/rates?series=es_interes_demora").text)
    assert '<table class="figures periods">' in html
    assert '<td class="amount rate">12.50</td>' in html
    assert '<td class="origin">shipped</td>' in html
    assert client.get("/rates?series=no_such_series").status_code == 404


def test_a_manager_uploads_a_file_and_sees_the_result(client: TestClient, world: World) -> None:
    token = signed_in(client, world, "manager")
    html = main_of(client.get("/rates").text)
    assert 'action="/rates/import"' in html
    assert 'enctype="multipart/form-data"' in html
    checked = upload(client, token, "ecb_mro_half_years,2026-07-01,2026-12-31,2.00,ECB", check=True)
    assert checked.status_code == 200
    assert "Checked: the file would add" in checked.text
    assert stored(world, "ecb_mro_half_years") == 0
    answer = upload(client, token, "ecb_mro_half_years,2026-07-01,2026-12-31,2.00,ECB press")
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location == "/rates?added=1&known=0"
    assert stored(world, "ecb_mro_half_years") == 1
    done = main_of(client.get(location).text)
    assert "Imported: the file added" in done
    assert '<span class="added">1</span>' in done
    series = main_of(client.get("/rates?series=ecb_mro_half_years").text)
    assert '<tr class="period imported">' in series
    assert "ECB press" in series
    again = upload(client, token, "ecb_mro_half_years,2026-07-01,2026-12-31,2.00,ECB press")
    assert again.status_code == 200
    assert "Nothing new" in again.text


def test_a_refused_upload_is_a_422_with_its_problems(client: TestClient, world: World) -> None:
    token = signed_in(client, world, "admin")
    answer = upload(client, token, "es_interes_demora,2026-01-01,2026-06-30,9.99,BOE",
                    "es_interes_demora,2026-07-01,2026-12-31,lots,BOE")  # fmt: skip
    assert answer.status_code == 422
    html = main_of(answer.text)
    assert "nothing imported" in html
    assert '<td class="amount row">3</td><td class="field">rate</td>' in html
    assert "&#39;lots&#39; is not a number" in html
    known = upload(client, token, "es_interes_demora,2026-01-01,2026-06-30,9.99,BOE")
    assert known.status_code == 422
    assert '<td class="amount row">2</td><td class="field">rate</td>' in known.text
    assert "a known rate is not changed by an import" in known.text
    assert stored(world, "es_interes_demora") == 0
    empty = client.post("/rates/import", data={"csrf_token": token}, follow_redirects=False)
    assert empty.status_code == 422
    assert 'id="rates-error-file"' in empty.text


# ---- the calculator page ------------------------------------------------------------------------


def test_the_calculator_computes_the_spanish_vector(client: TestClient, world: World) -> None:
    signed_in(client, world, "collector")
    empty = client.get("/interest", headers={"Accept-Language": "en"})
    assert empty.status_code == 200
    assert '<option value="ES" selected>' in empty.text  # the company's country's law
    assert 'placeholder="EUR"' in empty.text
    assert 'id="interest-result"' not in empty.text
    page = client.get("/interest", params=S1, headers={"Accept-Language": "en"})
    assert page.status_code == 200, page.text
    html = main_of(page.text)
    assert '<time datetime="2024-03-16">' in html
    assert '<td class="amount">60</td>' in html
    assert '<td class="amount rate">12.50</td>' in html
    assert '<td class="amount exact">205.4795</td>' in html
    assert '<dd class="interest">€205.48</dd>' in html
    assert '<dd class="fixed">€40.00</dd>' in html
    assert '<dd class="total">€245.48</dd>' in html
    assert 'value="10,000.00"' in html  # the form as typed


def test_a_bad_input_is_shown_next_to_its_field(client: TestClient, world: World) -> None:
    signed_in(client, world, "viewer")
    page = client.get("/interest", params={**S1, "paid": "2024-02-30"})
    assert page.status_code == 422
    html = main_of(page.text)
    assert 'id="interest-error-paid"' in html
    assert 'aria-describedby="interest-error-paid"' in html
    assert 'id="interest-result"' not in html
    late = client.get("/interest", params={**S1, "paid": "2024-03-01"})
    assert late.status_code == 422
    assert "nothing is late" in main_of(late.text)
    assert 'id="interest-error-paid"' in late.text
    wrong = client.get("/interest", params={**S1, "currency": "USD", "amount": "abc"})
    assert wrong.status_code == 422
    assert 'id="interest-error-currency"' in wrong.text


def test_the_pages_in_spanish(client: TestClient, world: World) -> None:
    signed_in(client, world, "manager")
    speak(client, "es")
    page = client.get("/interest", params={**S1, "amount": "10.000,00"})
    assert page.status_code == 200, page.text
    assert "Calculadora de intereses" in page.text
    html = main_of(page.text)
    assert '<dd class="interest">205,48\xa0€</dd>' in html
    assert '<dd class="total">245,48\xa0€</dd>' in html
    assert "Indemnización fija" in html
    rates = client.get("/rates").text
    assert "Series de tipos" in rates
    assert "Solo comprobar (no se guarda nada)" in rates
