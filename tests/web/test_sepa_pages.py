"""The direct-debit page: a collector adds a mandate through the form (a bad IBAN shown next to
its field) and revokes one; a manager sees what is due and what waits, writes the batch and
downloads its file; a pain.002 upload undoes the rejected debit and names the unknown one;
who may do what; another company's batch a 404; in Spanish too."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select

from cobro.banking.sepa_models import Collection, DebitBatch, Mandate
from cobro.banking.sepa_rules import earliest_collection
from cobro.banking.settings import change_bank_settings
from cobro.company.models import Company
from cobro.invoice.models import Invoice
from cobro.kit.dates import today_in, utcnow
from tests.factories.ledger import make_customer, make_invoice
from tests.web.access import World, build_world, speak
from tests.web.conftest import app_on, client_of
from tests.web.test_holds_tasks_pages import main_of, signed_in

DEBTOR_IBAN = "DE89370400440532013000"


def today() -> date:
    """The company's today when a test runs, not when the module was collected (a run may
    cross midnight in Madrid)."""
    return today_in("Europe/Madrid")


def collect_on() -> date:
    return earliest_collection(today(), "CORE")


@pytest.fixture(scope="module")
def world(web_database_url: str) -> World:
    """Company A set up to collect: IBAN, BIC, creditor identifier and town."""
    world = build_world(web_database_url)
    with world.session() as session:
        company = session.get_one(Company, world.a.id)
        company.iban, company.bic = "ES9121000418450200051332", "CAIXESBBXXX"
        settings: dict[str, object] = {"creditor_id": "ES97ZZZB12345678", "town": "Madrid"}
        change_bank_settings(session, company, settings, (None, "test"), utcnow())
    return world


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with client_of(app_on(world.url)) as client:
        yield client


def debtor(world: World, name: str = "Elena Díaz") -> tuple[str, str, str]:
    """A customer of A with an invoice issued long enough ago and one issued too late to be
    pre-notified, both due by the collection date; (external id, numbers of the two)."""
    tag = uuid.uuid4().hex[:6]
    with world.session() as session:
        company = session.get_one(Company, world.a.id)
        customer = make_customer(session, company, f"DD-{tag}", name=name)
        ready = make_invoice(
            session,
            company,
            customer,
            75_00,
            collect_on() - timedelta(days=30),
            collect_on(),
            f"DD-{tag}-1",
        )
        late = make_invoice(session, company, customer, 20_00, today(), collect_on(), f"DD-{tag}-2")
        return customer.external_id, ready.number, late.number


def add_mandate(client: TestClient, token: str, customer: str, **more: str) -> Response:
    form = {
        "csrf_token": token,
        "customer": customer,
        "reference": f"MND-{customer}",
        "signed_on": (today() - timedelta(days=10)).isoformat(),
        "scheme": "CORE",
        "iban": DEBTOR_IBAN,
        **more,
    }
    return client.post("/sepa/mandates", data=form, follow_redirects=False)


def open_amount(world: World, number: str) -> int:
    with world.session() as session:
        return session.scalars(select(Invoice.open_amount).where(Invoice.number == number)).one()


def mandate_state(world: World, reference: str) -> str:
    with world.session() as session:
        return session.scalars(select(Mandate.state).where(Mandate.reference == reference)).one()


def last_batch(world: World) -> tuple[int, str, str]:
    """Company A's newest batch: its id, message id and its first debit's end-to-end id."""
    with world.session() as session:
        batch = session.scalars(
            select(DebitBatch)
            .where(DebitBatch.company_id == world.a.id)
            .order_by(DebitBatch.id.desc())
        ).first()
        assert batch is not None
        e2e = session.scalars(
            select(Collection.end_to_end_id).where(Collection.batch_id == batch.id)
        ).first()
        assert e2e is not None
        return batch.id, batch.message_id, e2e


def status_report(message_id: str, e2e: str) -> bytes:
    """A pain.002 rejecting `e2e` of the batch, and a debit that is not Cobro's."""
    return f"""<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt>
<GrpHdr><MsgId>STS-1</MsgId><CreDtTm>2026-03-19T10:00:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>{message_id}</OrgnlMsgId><OrgnlMsgNmId>pain.008.001.08</OrgnlMsgNmId>
<GrpSts>PART</GrpSts></OrgnlGrpInfAndSts>
<OrgnlPmtInfAndSts><OrgnlPmtInfId>{message_id}-1</OrgnlPmtInfId><TxInfAndSts>
<OrgnlEndToEndId>{e2e}</OrgnlEndToEndId><TxSts>RJCT</TxSts>
<StsRsnInf><Rsn><Cd>AM04</Cd></Rsn></StsRsnInf></TxInfAndSts>
<TxInfAndSts><OrgnlEndToEndId>SOMEONE-ELSE</OrgnlEndToEndId><TxSts>RJCT</TxSts></TxInfAndSts>
</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>""".encode()


def test_a_collector_adds_and_revokes_a_mandate(client: TestClient, world: World) -> None:
    customer, _, _ = debtor(world, "Carmen Ruiz")
    token = signed_in(client, world, "collector")
    page = client.get("/sepa", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = main_of(page.text)
    assert 'action="/sepa/mandates"' in html
    assert 'action="/sepa/status-reports"' in html
    assert 'action="/sepa/export"' not in html  # writing a batch needs configure
    bad = add_mandate(client, token, customer, iban="DE89370400440532013001")
    assert bad.status_code == 422
    assert 'id="mandate-error-iban"' in bad.text
    assert 'value="DE89370400440532013001"' in bad.text  # as typed
    nobody = add_mandate(client, token, "nobody")
    assert nobody.status_code == 422
    assert 'id="mandate-error-customer"' in nobody.text
    answer = add_mandate(client, token, customer)
    assert answer.status_code == 303, answer.text
    reference = f"MND-{customer}"
    shown = main_of(client.get(answer.headers["location"]).text)
    assert f"<code>{reference}</code>" in shown  # the note
    assert f'<code class="reference">{reference}</code>' in shown
    assert "Carmen Ruiz" in shown
    assert '<td class="sequence">FRST</td>' in shown
    assert add_mandate(client, token, customer).status_code == 409
    path = f"/sepa/mandates/{reference}/revoke"
    empty = client.post(path, data={"csrf_token": token, "reason": " "}, follow_redirects=False)
    assert empty.status_code == 422
    assert 'id="revoke-error"' in empty.text
    revoked = client.post(
        path,
        data={"csrf_token": token, "reason": "the customer withdrew it"},
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    assert mandate_state(world, reference) == "revoked"
    assert "the customer withdrew it" in client.get("/sepa").text
    again = client.post(path, data={"csrf_token": token, "reason": "again"})
    assert again.status_code == 409
    assert client.post("/sepa/export", data={"csrf_token": token}).status_code == 403


def test_a_manager_writes_the_batch_downloads_it_and_reads_a_rejection(
    client: TestClient, world: World
) -> None:
    customer, ready, late = debtor(world)
    token = signed_in(client, world, "manager")
    assert add_mandate(client, token, customer).status_code == 303
    plan = main_of(client.get("/sepa", params={"collection_date": collect_on().isoformat()}).text)
    due = plan.split('class="figures due"', 1)[1].split("</table>", 1)[0]
    assert ready in due
    assert late not in due
    waiting = plan.split('class="figures waiting"', 1)[1].split("</table>", 1)[0]
    assert late in waiting
    assert "too late to pre-notify" in waiting
    yesterday = (today() - timedelta(days=1)).isoformat()
    nothing = client.post("/sepa/export", data={"csrf_token": token, "collection_date": yesterday})
    assert nothing.status_code == 200
    assert "Nothing is due for that date: no file written." in nothing.text
    for wrong in (
        {"collection_date": ""},
        {"collection_date": collect_on().isoformat(), "version": "x"},
    ):
        refused = client.post("/sepa/export", data={"csrf_token": token, **wrong})
        assert refused.status_code == 422
        assert 'id="export-error"' in refused.text
    form = {"csrf_token": token, "collection_date": collect_on().isoformat(), "version": ""}
    answer = client.post("/sepa/export", data=form | {"version": "pain.008.001.08"})
    assert answer.status_code == 200  # followed to the page
    assert answer.url.path == "/sepa"
    html = main_of(answer.text)
    assert 'id="export-result"' in html
    batch_id, message_id, e2e = last_batch(world)
    row = html.split(f'id="batch-{batch_id}"', 1)[1].split("</tr>", 1)[0]
    assert message_id in row
    assert f'href="/sepa/batches/{batch_id}/file"' in row
    assert late in html.split('class="figures waiting"', 1)[1]  # what waits, and why
    assert open_amount(world, ready) == 0
    file = client.get(f"/sepa/batches/{batch_id}/file")
    assert file.status_code == 200
    assert file.headers["content-type"].startswith("application/xml")
    assert f'filename="{message_id}.xml"' in file.headers["content-disposition"]
    assert "pain.008.001.08" in file.text
    assert e2e in file.text
    report = status_report(message_id, e2e)
    files = {"file": ("status.xml", report, "application/xml")}
    read = client.post("/sepa/status-reports", data={"csrf_token": token}, files=files)
    assert read.status_code == 200, read.text
    result = main_of(read.text).split('id="status-result"', 1)[1].split("</div>", 1)[0]
    assert f'<code class="rejected">{e2e}</code>' in result
    assert '<code class="unknown">SOMEONE-ELSE</code>' in result
    assert open_amount(world, ready) == 75_00  # open again
    bad = client.post(
        "/sepa/status-reports",
        data={"csrf_token": token},
        files={"file": ("x.xml", b"<nope", "application/xml")},
    )
    assert bad.status_code == 422
    assert 'id="report-error-report"' in bad.text


def test_a_viewer_reads_only_and_another_companys_batch_is_a_404(
    client: TestClient, world: World
) -> None:
    token = signed_in(client, world, "viewer")
    html = main_of(client.get("/sepa").text)
    assert '<form method="post"' not in html
    customer, _, _ = debtor(world)
    assert add_mandate(client, token, customer).status_code == 403
    files = {"file": ("status.xml", b"<x/>", "application/xml")}
    assert (
        client.post("/sepa/status-reports", data={"csrf_token": token}, files=files).status_code
        == 403
    )
    with world.session() as session:
        theirs = DebitBatch(
            company_id=world.b.id,
            message_id=f"B-{uuid.uuid4().hex[:8]}",
            version="pain.008.001.08",
            collection_date=date(2026, 3, 20),
            count=0,
            total=0,
            currency="EUR",
            document="<Secret/>",
            sha256="0" * 64,
        )
        session.add(theirs)
        session.flush()
        batch_id = theirs.id
    refused = client.get(f"/sepa/batches/{batch_id}/file")
    assert refused.status_code == 404
    assert "Secret" not in refused.text


def test_the_page_in_spanish(client: TestClient, world: World) -> None:
    signed_in(client, world, "manager")
    speak(client, "es")
    page = client.get("/sepa").text
    assert '<a href="/sepa">Domiciliaciones</a>' in page
    assert "Órdenes de domiciliación" in page
    assert "Generar la remesa" in page
    assert "Remesas generadas" in page
