"""POST /api/imports/{kind}: check first, then import, all-or-nothing unless partial; the
report names row, column and reason; uploads are size-limited (413) and type-checked (415);
only admins and managers import."""

from __future__ import annotations

import io
import zipfile

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cobro.audit.models import AuditEvent
from cobro.invoice.models import Invoice
from tests.web.access import World, build_world


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def invoices_csv(world: World, bad: bool = True) -> bytes:
    customer = next(iter(world.a.customers))
    tag = world.a.code
    rows = [
        "invoice number,customer id,issue date,due date,amount",
        f"IMP-1-{tag},{customer},2026-01-05,2026-02-04,1210.00",
        f"IMP-2-{tag},{customer},2026-01-06,2026-02-05,99.50",
        f"IMP-3-{tag},{customer},{'not a date' if bad else '2026-01-07'},2026-02-06,10.00",
    ]
    return ("\n".join(rows) + "\n").encode()


def invoices_of(world: World) -> int:
    with world.session() as session:
        query = select(func.count(Invoice.id)).where(Invoice.company_id == world.a.id)
        return session.scalar(query) or 0


@pytest.fixture
def world(web_database_url: str) -> World:
    return build_world(web_database_url)


def test_a_check_reports_the_bad_row_by_row_and_column_and_writes_nothing(
    client: TestClient, world: World
) -> None:
    token = world.token("manager", ("write",))
    response = client.post(
        "/api/imports/invoices",
        headers=bearer(token),
        files={"file": ("facturas.csv", invoices_csv(world), "text/csv")},
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["dry_run"], report["written"], report["rows"]) == (True, False, 3)
    (problem,) = report["problems"]
    assert problem["row"] == 4
    assert problem["column"] == "issue date"
    assert problem["value"] == "not a date"
    assert report["file"] == "facturas.csv"
    assert "/tmp" not in response.text
    assert invoices_of(world) == 0


def test_an_import_with_a_bad_row_is_refused_whole(client: TestClient, world: World) -> None:
    token = world.token("admin", ("write",))
    response = client.post(
        "/api/imports/invoices?dry_run=false",
        headers=bearer(token),
        files={"file": ("facturas.csv", invoices_csv(world), "text/csv")},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"]["field"] == "file"
    assert "nothing was imported" in body["error"]["message"]
    assert body["report"]["problems"][0]["row"] == 4
    assert invoices_of(world) == 0


def test_partial_imports_the_good_rows_and_a_good_file_imports_whole(
    client: TestClient, world: World
) -> None:
    token = world.token("admin", ("write",))
    partial = client.post(
        "/api/imports/invoices?dry_run=false&partial=true",
        headers=bearer(token),
        files={"file": ("facturas.csv", invoices_csv(world), "text/csv")},
    )
    assert partial.status_code == 200, partial.text
    assert partial.json()["written"] is True
    assert partial.json()["rejected"] == 1
    assert partial.json()["counts"]["invoices"]["created"] == 2
    assert invoices_of(world) == 2
    fixed = client.post(
        "/api/imports/invoices?dry_run=false",
        headers=bearer(token),
        files={"file": ("facturas.csv", invoices_csv(world, bad=False), "text/csv")},
    )
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["counts"]["invoices"] == {"created": 1, "updated": 0, "unchanged": 2}
    assert invoices_of(world) == 3
    with world.session() as session:
        audited = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "import.completed", AuditEvent.company_id == world.a.id
            )
        ).all()
    assert len(audited) == 2


def test_too_large_is_413_and_not_csv_is_415(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COBRO_UPLOAD_MAX_MB", "0.1")
    token = world.token("admin", ("write",))
    big = b"invoice number,customer id,issue date,amount\n" + b"x,y,2026-01-01,1\n" * 20_000
    too_large = client.post(
        "/api/imports/invoices", headers=bearer(token), files={"file": ("big.csv", big, "text/csv")}
    )
    assert too_large.status_code == 413
    assert too_large.json()["error"]["field"] == "file"
    assert "0.1 MB" in too_large.json()["error"]["message"] or "KB" in too_large.text
    pdf = client.post(
        "/api/imports/invoices",
        headers=bearer(token),
        files={"file": ("facturas.csv", b"%PDF-1.7\n...", "text/csv")},
    )
    assert pdf.status_code == 415
    assert "PDF" in pdf.json()["error"]["message"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    renamed = client.post(
        "/api/imports/invoices",
        headers=bearer(token),
        files={"file": ("facturas.xlsx", buffer.getvalue(), "application/octet-stream")},
    )
    assert renamed.status_code == 415
    assert client.post(
        "/api/imports/invoices", headers=bearer(token), data={"a": "b"}
    ).status_code in (415, 422)
    assert invoices_of(world) == 0


def test_a_file_it_cannot_understand_is_a_422_naming_the_file(
    client: TestClient, world: World
) -> None:
    token = world.token("admin", ("write",))
    response = client.post(
        "/api/imports/invoices",
        headers=bearer(token),
        files={"file": ("odd.csv", b"foo,bar\n1,2\n", "text/csv")},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "file"
    assert "odd.csv" in error["message"]
    assert "/tmp" not in error["message"]


@pytest.mark.parametrize("role", ["collector", "viewer", "auditor"])
def test_only_admins_and_managers_import(client: TestClient, world: World, role: str) -> None:
    token = world.token(role, ("write",) if role == "collector" else ("read",))
    response = client.post(
        "/api/imports/invoices",
        headers=bearer(token),
        files={"file": ("facturas.csv", invoices_csv(world), "text/csv")},
    )
    assert response.status_code == 403
    assert invoices_of(world) == 0


def test_an_unknown_kind_is_a_422(client: TestClient, world: World) -> None:
    token = world.token("admin", ("write",))
    response = client.post(
        "/api/imports/ledgers",
        headers=bearer(token),
        files={"file": ("facturas.csv", b"a,b\n", "text/csv")},
    )
    assert response.status_code == 422
