"""The legal page: the caller's company's cases and placements, escaped; forms (with the CSRF
token), moves, case files and exports for roles that may work only; each move a redirect back;
a refused one a 422 with its error; another company's case or placement a 404; in Spanish."""

from __future__ import annotations

import io
import zipfile
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.legal.cases import CaseIn, open_case
from cobro.legal.models import LegalCase, Placement
from cobro.legal.placements import place
from cobro.web.security import CSRF_COOKIE
from tests.factories.ledger import make_invoice
from tests.web.access import Tenant, World, build_world, sign_in, speak

HOSTILE = "<script>alert('x')</script> Ñandú"


def owing(world: World, tenant: Tenant) -> str:
    external_id = next(iter(tenant.customers))
    with world.session() as session:
        company = session.get_one(Company, tenant.id)
        customer = session.scalars(
            select(Customer).where(
                Customer.company_id == tenant.id, Customer.external_id == external_id
            )
        ).one()
        make_invoice(session, company, customer, 250_00, date(2026, 1, 1), date(2026, 1, 31))
    return external_id


def signed_in(client: TestClient, world: World, role: str) -> str:
    assert sign_in(client, world.a.users[role]).status_code == 303
    client.get("/account")
    return client.cookies.get(CSRF_COOKIE) or ""


def main_of(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def test_a_viewer_sees_the_company_s_cases_and_placements_without_forms(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    mine, theirs = owing(world, world.a), owing(world, world.b)
    with world.session() as session:
        a = session.get_one(Company, world.a.id)
        b = session.get_one(Company, world.b.id)
        case = open_case(session, a, mine, date(2026, 4, 1), CaseIn(guarantees=HOSTILE)).id
        placement = place(session, a, mine, "Recobros Norte", date(2026, 4, 1)).id
        their_case = open_case(session, b, theirs, date(2026, 4, 1)).id
    signed_in(client, world, "viewer")
    page = client.get("/legal", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = main_of(page.text)
    assert f'id="case-{case}"' in html
    assert f'id="placement-{placement}"' in html
    assert f'id="case-{their_case}"' not in html
    assert "Secret" not in html
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    assert "Pre-legal demand" in html
    assert 'method="post"' not in html
    assert "/file" not in html
    assert "/export" not in html
    assert client.get(f"/legal/cases/{case}/file").status_code == 403


def test_a_collector_opens_moves_files_places_exports_and_recalls(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    customer = owing(world, world.a)
    token = signed_in(client, world, "collector")
    page = main_of(client.get("/legal").text)
    assert f'name="csrf_token" value="{token}"' in page
    opened = client.post("/legal/cases", data={"csrf_token": token, "customer": customer,
                         "lawyer": "L. Gómez"}, follow_redirects=False)  # fmt: skip
    assert opened.status_code == 303
    with world.session() as session:
        case = session.scalars(select(LegalCase).where(LegalCase.company_id == world.a.id)).one()
        case_id = case.id
    html = main_of(client.get("/legal").text)
    assert f'href="/legal/cases/{case_id}/file"' in html
    assert "Case file (ZIP)" in html
    skipped = client.post(f"/legal/cases/{case_id}/move",
                          data={"csrf_token": token, "stage": "judgment"})  # fmt: skip
    assert skipped.status_code == 422
    assert "next stage is claim_filed" in skipped.text
    move = {"csrf_token": token, "stage": "claim_filed", "note": "123"}
    moved = client.post(f"/legal/cases/{case_id}/move", data=move, follow_redirects=False)
    assert moved.status_code == 303
    download = client.get(f"/legal/cases/{case_id}/file")
    assert download.headers["content-type"] == "application/zip"
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    refused = client.post("/legal/placements", data={"csrf_token": token, "customer": customer,
                          "agency": "Recobros Norte", "commission": "150"})  # fmt: skip
    assert refused.status_code == 422
    assert "give 0 to 100" in refused.text
    placed = client.post("/legal/placements", follow_redirects=False,
                         data={"csrf_token": token, "customer": customer,
                               "agency": "Recobros Norte", "commission": "15"})  # fmt: skip
    assert placed.status_code == 303
    with world.session() as session:
        placement_id = session.scalars(
            select(Placement.id).where(Placement.company_id == world.a.id)
        ).one()
    exported = client.get(f"/legal/placements/{placement_id}/export?format=csv")
    assert exported.status_code == 200
    assert customer in exported.text
    recalled = client.post(f"/legal/placements/{placement_id}/recall",
                           data={"csrf_token": token}, follow_redirects=False)  # fmt: skip
    assert recalled.status_code == 303
    again = client.post(f"/legal/placements/{placement_id}/recall", data={"csrf_token": token})
    assert again.status_code == 422
    assert "nothing to recall" in again.text


def test_a_post_without_the_csrf_token_changes_nothing(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    customer = owing(world, world.a)
    signed_in(client, world, "manager")
    refused = client.post("/legal/cases", data={"customer": customer})
    assert refused.status_code == 403
    with world.session() as session:
        assert (
            session.scalars(select(LegalCase).where(LegalCase.company_id == world.a.id)).all() == []
        )


def test_another_company_s_case_and_placement_are_not_found(
    client: TestClient, web_database_url: str
) -> None:
    world = build_world(web_database_url)
    theirs = owing(world, world.b)
    with world.session() as session:
        b = session.get_one(Company, world.b.id)
        case = open_case(session, b, theirs, date(2026, 4, 1)).id
        placement = place(session, b, theirs, "X", date(2026, 4, 1)).id
    token = signed_in(client, world, "admin")
    form = {"csrf_token": token, "stage": "closed"}
    assert client.post(f"/legal/cases/{case}/move", data=form).status_code == 404
    assert client.get(f"/legal/cases/{case}/file").status_code == 404
    assert client.post(f"/legal/placements/{placement}/recall", data=form).status_code == 404
    assert client.get(f"/legal/placements/{placement}/export").status_code == 404
    with world.session() as session:
        assert session.get_one(LegalCase, case).stage == "pre_legal"
        assert session.get_one(Placement, placement).status == "placed"


def test_the_page_speaks_spanish(client: TestClient, web_database_url: str) -> None:
    world = build_world(web_database_url)
    signed_in(client, world, "collector")
    speak(client, "es")
    html = main_of(client.get("/legal").text)
    for text in ("Vía judicial y agencias", "Abrir un expediente judicial", "Ceder a una agencia",
                 "No hay expedientes judiciales.", "No hay cesiones a agencias."):  # fmt: skip
        assert text in html
