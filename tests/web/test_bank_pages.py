"""The cash-in pages: uploading a statement (its result in one line, a file imported again adds
nothing, a refused file is a 422 that stores nothing, a statement that does not add up stands
out), the review queue and a line's page with each move through its form (accept, split,
reassign, ignore) changing the ledger, the accounts and the cash-in settings; who may do what;
another company's line a 404; in Spanish too."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import func, select

from cobro.banking.accounts import add_account
from cobro.banking.imports import import_statement_file
from cobro.banking.models import BankAccount, Statement, StatementLine
from cobro.company.models import Company
from cobro.invoice.models import Invoice
from cobro.kit.dates import today_in, utcnow
from cobro.payment.models import Payment
from cobro.payment.service import check_ledger
from tests.factories.bank import Entry, camt
from tests.factories.ledger import make_customer, make_invoice
from tests.web.access import Tenant, World, build_world, speak
from tests.web.conftest import app_on, client_of
from tests.web.test_holds_tasks_pages import main_of, signed_in

ACCOUNT_A = "ES9121000418450200051332"
ACCOUNT_B = "ES7921000813610123456789"
STRANGER = "ES7620770024003102575766"  # no company's account
PAYER_IBAN = "DE89370400440532013000"
_amounts = itertools.count(71_01, 13)  # a new amount for each line: candidates of its own


@pytest.fixture(scope="module")
def world(web_database_url: str) -> World:
    world = build_world(web_database_url)
    with world.session() as session:
        add_account(session, session.get_one(Company, world.a.id), ACCOUNT_A)
        add_account(session, session.get_one(Company, world.b.id), ACCOUNT_B)
    return world


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with client_of(app_on(world.url)) as client:
        yield client


@dataclass
class Queued:
    line: int
    amount: int
    customers: tuple[str, str]  # external ids of the two lookalikes
    invoices: tuple[str, str]  # their invoices' numbers, each owing `amount`


def queued(world: World, tenant: Tenant | None = None) -> Queued:
    """Two customers each owing the same amount, and a payment of it from a stranger: a line
    in review with both as candidates."""
    tenant = tenant or world.a
    amount, tag = next(_amounts), uuid.uuid4().hex[:6]
    with world.session() as session:
        company = session.get_one(Company, tenant.id)
        customers, invoices = [], []
        for name in ("Alfa Montajes S.L.", "Beta Logística S.A."):
            customer = make_customer(session, company, f"{name[:4]}-{tag}", name=name)
            invoice = make_invoice(session, company, customer, amount, number=f"{name[0]}-{tag}")
            customers.append(customer.external_id)
            invoices.append(invoice.number)
        entry = Entry(amount, name="J. PEREZ", iban=PAYER_IBAN, text="transferencia", reference=tag)
        account = ACCOUNT_A if tenant is world.a else ACCOUNT_B
        on = today_in(company.timezone)
        result = import_statement_file(
            session,
            company,
            camt(account, [entry], f"S-{tag}"),
            on=on,
            now=utcnow(),
            by=(None, "t"),
        )
        assert result.outcome.review == 1, result.outcome
        line = session.scalars(
            select(StatementLine.id).where(StatementLine.statement_id == result.statements[0].id)
        ).one()
    return Queued(line, amount, (customers[0], customers[1]), (invoices[0], invoices[1]))


def line_of(world: World, line_id: int) -> StatementLine:
    with world.session() as session:
        session.expire_on_commit = False
        return session.get_one(StatementLine, line_id)


def open_amount(world: World, number: str) -> int:
    with world.session() as session:
        return session.scalars(select(Invoice.open_amount).where(Invoice.number == number)).one()


def statements_of(world: World, tenant: Tenant) -> int:
    with world.session() as session:
        query = select(func.count()).where(Statement.company_id == tenant.id)
        return session.scalar(query) or 0


def upload(client: TestClient, token: str, content: bytes, **form: str) -> Response:
    files = {"file": ("statement.xml", content, "application/xml")}
    data = {"csrf_token": token, **form}
    return client.post("/bank/import", data=data, files=files, follow_redirects=False)


def act(client: TestClient, token: str, line: int, move: str, **form: str) -> Response:
    data = {"csrf_token": token, **form}
    return client.post(f"/bank/lines/{line}/{move}", data=data, follow_redirects=False)


# ---- statements ---------------------------------------------------------------------------------


def test_a_collector_uploads_a_statement_and_sees_the_result(
    client: TestClient, world: World
) -> None:
    token = signed_in(client, world, "collector")
    page = client.get("/bank", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert '<a href="/bank">Bank</a>' in page.text
    assert '<a href="/sepa">Direct debit</a>' in page.text
    html = main_of(page.text)
    assert 'action="/bank/import"' in html
    assert 'enctype="multipart/form-data"' in html
    assert '<option value="es">es</option>' in html  # the CSV presets
    tag = uuid.uuid4().hex[:6]
    content = camt(ACCOUNT_A, [Entry(12_00, name="Nobody", text="who knows", reference=tag)], tag)
    answer = upload(client, token, content)
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith("/bank?imported=1&statements=1&known=0&applied=0")
    done = main_of(client.get(location).text)
    assert '<span class="new-lines">1</span>' in done
    assert '<span class="unmatched">1</span>' in done
    assert 'href="/bank/review"' in done
    with world.session() as session:
        statement = session.scalars(
            select(Statement).where(Statement.company_id == world.a.id, Statement.identifier == tag)
        ).one()
        statement_id = statement.id
    assert f'id="statement-{statement_id}"' in done
    assert '<span class="balance-check adds-up">adds up</span>' in done
    again = upload(client, token, content)
    assert again.status_code == 303
    assert again.headers["location"].startswith("/bank?imported=0&statements=1&known=1")
    assert (
        "Already imported: nothing new in this file." in client.get(again.headers["location"]).text
    )
    shown = main_of(client.get(f"/bank/statements/{statement_id}").text)
    assert f'<code class="identifier">{tag}</code>' in shown
    assert '<dd class="opening">€0.00</dd>' in shown
    assert '<dd class="closing">€12.00</dd>' in shown
    assert 'class="line state-unmatched"' in shown
    assert "who knows" in shown


def test_a_statement_that_does_not_add_up_stands_out(client: TestClient, world: World) -> None:
    token = signed_in(client, world, "manager")
    tag = uuid.uuid4().hex[:6]
    entry = Entry(-5_00, name="Supplier", text="rent", reference=tag)
    answer = upload(client, token, camt(ACCOUNT_A, [entry], tag, opening=100_00, closing=90_00))
    assert answer.status_code == 303, answer.text
    html = main_of(client.get("/bank").text)
    with world.session() as session:
        statement_id = session.scalars(
            select(Statement.id).where(Statement.identifier == tag)
        ).one()
    assert f'<tr id="statement-{statement_id}" class="statement mismatch">' in html
    row = html.split(f'id="statement-{statement_id}"', 1)[1].split("</tr>", 1)[0]
    assert "does not add up: off by" in row
    assert '<span class="gap">-€5.00</span>' in row


def test_a_file_of_an_account_not_the_companys_is_refused_and_stores_nothing(
    client: TestClient, world: World
) -> None:
    token = signed_in(client, world, "collector")
    before = statements_of(world, world.a)
    tag = uuid.uuid4().hex[:6]
    answer = upload(client, token, camt(STRANGER, [Entry(10_00, reference=tag)], tag))
    assert answer.status_code == 422
    html = main_of(answer.text)
    assert 'id="import-error-file"' in html
    assert f"the statement is for account {STRANGER}, which is not an account" in html
    theirs = upload(client, token, camt(ACCOUNT_B, [Entry(10_00, reference=tag)], tag))
    assert theirs.status_code == 422  # B's account is not A's either
    broken = upload(client, token, b"<Document><BkToCstmrStmt>")
    assert broken.status_code == 422
    assert 'id="import-error-file"' in broken.text
    assert statements_of(world, world.a) == before
    empty = client.post("/bank/import", data={"csrf_token": token}, follow_redirects=False)
    assert empty.status_code == 422
    assert "choose a statement file" in empty.text


def test_a_viewer_reads_but_may_not_import_or_review(client: TestClient, world: World) -> None:
    item = queued(world)
    token = signed_in(client, world, "viewer")
    html = main_of(client.get("/bank").text)
    assert 'action="/bank/import"' not in html
    assert client.get("/bank/review").status_code == 200
    line = main_of(client.get(f"/bank/lines/{item.line}").text)
    assert 'class="candidate"' in line
    assert "<form" not in line
    content = camt(ACCOUNT_A, [Entry(1_00, reference=uuid.uuid4().hex)], uuid.uuid4().hex[:6])
    assert upload(client, token, content).status_code == 403
    for move, form in (
        ("accept", {"candidate": "0"}),
        ("split", {"customer": item.customers[0], "shares": f"{item.invoices[0]}=1.00"}),
        ("reassign", {"customer": item.customers[0]}),
        ("ignore", {"reason": "no"}),
    ):
        assert act(client, token, item.line, move, **form).status_code == 403
    assert line_of(world, item.line).state == "review"
    settings = main_of(client.get("/bank/settings").text)
    assert 'action="/bank/settings"' not in settings
    assert 'action="/bank/accounts"' not in settings
    assert ACCOUNT_A in settings
    refused = client.post("/bank/settings", data={"csrf_token": token, "match_threshold": "95"})
    assert refused.status_code == 403


# ---- the review queue ---------------------------------------------------------------------------


def test_the_queue_lists_the_line_and_a_collector_accepts_a_candidate(
    client: TestClient, world: World
) -> None:
    item = queued(world)
    token = signed_in(client, world, "collector")
    queue = main_of(client.get("/bank/review", params={"limit": 200}).text)
    row = queue.split(f'id="line-{item.line}"', 1)[1].split("</tr>", 1)[0]
    assert f'href="/bank/lines/{item.line}"' in row
    assert "J. PEREZ" in row
    assert PAYER_IBAN in row
    assert 'class="score"' in row
    assert '<td class="why">' in row
    page = main_of(client.get(f"/bank/lines/{item.line}").text)
    assert 'id="candidate-0"' in page
    assert 'id="candidate-1"' in page
    assert 'class="reasons"' in page
    assert f'action="/bank/lines/{item.line}/accept"' in page
    assert 'name="candidate" value="1"' in page
    chosen = page.split('id="candidate-0"', 1)[1].split("</li>", 1)[0]
    number = next(n for n in item.invoices if n in chosen)
    answer = act(client, token, item.line, "accept", candidate="0")
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/bank/review?done={item.line}"
    done = main_of(client.get(answer.headers["location"]).text)
    assert '<span class="state">applied</span>' in done
    assert f'id="line-{item.line}"' not in done
    line = line_of(world, item.line)
    assert line.state == "applied"
    assert line.applied_by == world.a.users["collector"]
    assert open_amount(world, number) == 0
    shown = main_of(client.get(f"/bank/lines/{item.line}").text)
    assert '<strong class="state state-applied">applied</strong>' in shown
    assert 'class="payment-id"' in shown
    assert f'href="/invoices/{number}"' in shown
    assert "<form" not in shown
    again = act(client, token, item.line, "accept", candidate="0")
    assert again.status_code == 409
    assert "already applied" in again.text
    with world.session() as session:
        assert check_ledger(session, world.a.id) == []


def test_a_split_through_the_form_and_a_bad_amount_shown(client: TestClient, world: World) -> None:
    item = queued(world)
    token = signed_in(client, world, "collector")
    bad = act(client, token, item.line, "split", customer=item.customers[0], shares="X=lots")
    assert bad.status_code == 422
    html = main_of(bad.text)
    assert 'id="line-error-split"' in html
    assert "line 1:" in html
    assert "X=lots" in html  # the form as typed
    unknown = act(client, token, item.line, "split", customer="nobody", shares="X=1")
    assert unknown.status_code == 422
    assert "no customer" in unknown.text
    part = item.amount - 10_00
    shares = f"{item.invoices[0]}={part // 100}.{part % 100:02d}\n"
    answer = act(client, token, item.line, "split", customer=item.customers[0], shares=shares)
    assert answer.status_code == 303, answer.text
    assert line_of(world, item.line).state == "applied"
    assert open_amount(world, item.invoices[0]) == 10_00
    assert open_amount(world, item.invoices[1]) == item.amount
    with world.session() as session:
        payment_id = session.get_one(StatementLine, item.line).payment_id
        assert session.get_one(Payment, payment_id).unapplied == 10_00


def test_reassign_and_ignore_through_their_forms(client: TestClient, world: World) -> None:
    first, second = queued(world), queued(world)
    token = signed_in(client, world, "admin")
    answer = act(client, token, first.line, "reassign", customer=first.customers[1])
    assert answer.status_code == 303, answer.text
    assert open_amount(world, first.invoices[1]) == 0
    assert open_amount(world, first.invoices[0]) == first.amount
    empty = act(client, token, second.line, "ignore", reason="  ")
    assert empty.status_code == 422
    assert 'id="line-error-ignore"' in empty.text
    ignored = act(client, token, second.line, "ignore", reason="a refund from the landlord")
    assert ignored.status_code == 303
    line = line_of(world, second.line)
    assert (line.state, line.why) == ("ignored", "a refund from the landlord")
    shown = main_of(client.get(f"/bank/lines/{second.line}").text)
    assert "a refund from the landlord" in shown
    assert "<form" not in shown


def test_another_companys_line_and_statement_are_404s(client: TestClient, world: World) -> None:
    theirs = queued(world, world.b)
    token = signed_in(client, world, "admin")
    assert client.get(f"/bank/lines/{theirs.line}").status_code == 404
    assert act(client, token, theirs.line, "ignore", reason="mine").status_code == 404
    assert act(client, token, theirs.line, "accept", candidate="0").status_code == 404
    statement = line_of(world, theirs.line).statement_id
    assert client.get(f"/bank/statements/{statement}").status_code == 404
    assert line_of(world, theirs.line).state == "review"
    done = main_of(client.get(f"/bank/review?done={theirs.line}").text)
    assert 'id="review-result"' not in done


# ---- accounts and settings ----------------------------------------------------------------------


def test_a_manager_adds_an_account_and_changes_the_settings(
    client: TestClient, world: World
) -> None:
    token = signed_in(client, world, "manager")
    page = main_of(client.get("/bank/settings").text)
    assert 'action="/bank/accounts"' in page
    assert 'value="90"' in page  # the threshold
    bad = client.post(
        "/bank/accounts", data={"csrf_token": token, "account": "ES00 1234"}, follow_redirects=False
    )
    assert bad.status_code == 422
    assert 'id="account-error-account-account"' in bad.text
    taken = client.post(
        "/bank/accounts", data={"csrf_token": token, "account": ACCOUNT_A}, follow_redirects=False
    )
    assert taken.status_code == 409
    new = "ES1000492352082414205416"
    added = client.post(
        "/bank/accounts",
        data={"csrf_token": token, "account": new, "name": "Payroll"},
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    assert "The account is added" in client.get(added.headers["location"]).text
    with world.session() as session:
        query = select(BankAccount.name).where(
            BankAccount.company_id == world.a.id, BankAccount.account == new
        )
        assert session.scalars(query).one() == "Payroll"
    form = {
        "csrf_token": token,
        "match_threshold": "40",
        "charges_tolerance": "5.00",
        "creditor_id": "",
        "street": "",
        "building_number": "",
        "postal_code": "",
        "town": "Madrid",
        "return_fee": "0",
    }
    refused = client.post("/bank/settings", data=form, follow_redirects=False)
    assert refused.status_code == 422
    assert 'id="settings-error-match_threshold"' in refused.text
    assert 'value="40"' in refused.text
    saved = client.post(
        "/bank/settings", data={**form, "match_threshold": "95"}, follow_redirects=False
    )
    assert saved.status_code == 303, saved.text
    with world.session() as session:
        company = session.get_one(Company, world.a.id)
        assert (company.match_threshold, company.charges_tolerance, company.town) == (
            95,
            5_00,
            "Madrid",
        )
        company.match_threshold = 90  # as the other tests expect
    shown = main_of(client.get("/bank/settings?done=settings").text)
    assert "The cash-in settings are saved." in shown
    assert 'value="5.00"' in shown


def test_the_pages_in_spanish(client: TestClient, world: World) -> None:
    item = queued(world)
    signed_in(client, world, "collector")
    speak(client, "es")
    bank = client.get("/bank").text
    assert '<a href="/bank">Banco</a>' in bank
    assert "Extractos bancarios" in bank
    assert "Importar un extracto" in bank
    assert "Cola de revisión" in client.get("/bank/review").text
    line = client.get(f"/bank/lines/{item.line}").text
    assert "Candidatos" in line
    assert "Repartir entre facturas" in line
    assert "Cuentas bancarias" in client.get("/bank/settings").text
