"""The tenant isolation matrix, over EVERY route the app has (found, not listed by hand):
every route × every role × by session cookie and by API token, with company B's ids in the
path → 403/404 (or a refusal of the input), never B's data and never a change to B.
Every route without a path parameter that lists things lists none of B's.

A new route with a path parameter this file does not know fails
`test_every_path_parameter_has_a_value_of_company_b`: add a maker to FOREIGN that creates
the thing in company B and returns what the path takes."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.audit.models import AuditEvent
from cobro.auth.models import Membership
from cobro.banking.accounts import add_account, find_account
from cobro.banking.debits import export_batches
from cobro.banking.imports import import_statement_file
from cobro.banking.mandates import MandateIn, add_mandate
from cobro.banking.models import StatementLine
from cobro.banking.sepa_rules import earliest_collection
from cobro.banking.settings import change_bank_settings
from cobro.charge.models import Charge
from cobro.company.models import Company
from cobro.customer.models import Contact, Customer
from cobro.customer.rules import CustomerIn
from cobro.customer.service import upsert_customer
from cobro.dispute.models import Dispute, DisputeEvidence
from cobro.fx.models import FxRate
from cobro.invoice.models import Invoice
from cobro.kit.dates import today_in, utcnow
from cobro.legal.models import CaseStep, LegalCase
from cobro.legal.placements import place
from cobro.notice.editor import save_draft
from cobro.outbox.models import Action, Document
from cobro.payment.models import Allocation
from cobro.plan.service import Ask, make_plan
from cobro.policy.holds import place_hold
from cobro.policy.service import save_policy
from cobro.promise.service import make_promise
from cobro.task.service import raise_task
from cobro.validation.models import ValidationDispute, ValidationNotice
from cobro.web.security import CSRF_COOKIE
from cobro.webhook.models import WebhookSubscription
from cobro.writeoff.service import request_write_off
from tests.factories.bank import Entry, camt
from tests.factories.ledger import make_invoice, make_payment
from tests.web.access import ROLES, World, build_world, sign_in

# Routes that are not a tenant's: public pages, the debtor portal (its own signed tokens,
# tests/web/test_portal.py), static files and the API's description.
PUBLIC_PREFIXES = ("/static", "/portal/", "/api/openapi.json", "/api/docs", "/docs/")
PUBLIC_PATHS = {"/login", "/logout", "/api/health", "/password/forgot"}
PUBLIC_PARAMETERISED = ("/password/reset/",)


@dataclass
class Foreign:
    """Company B's things, as a maker sees them."""

    session: Session
    company: Company
    customer: Customer
    invoice: Invoice
    tag: str


Maker = Callable[[Foreign], object]
_stages = itertools.count(1)


def _action(foreign: Foreign) -> Action:
    action = Action(
        company_id=foreign.company.id,
        customer_id=foreign.customer.id,
        policy_id=0,
        stage=f"secret-{next(_stages)}",
        tone="soft",
        kind="email",
        cycle_on=today_in(foreign.company.timezone) - timedelta(days=1),
        status="failed",
        not_before=utcnow(),
        last_error=f"Secret error {foreign.tag}",
    )
    foreign.session.add(action)
    foreign.session.flush()
    return action


def _document(foreign: Foreign) -> int:
    content = f"Secret letter {foreign.tag}".encode()
    document = Document(
        action_id=_action(foreign).id,
        name="letter.txt",
        media_type="text/plain",
        size=len(content),
        sha256="0" * 64,
        content=content,
    )
    foreign.session.add(document)
    foreign.session.flush()
    return document.id


def _hold(foreign: Foreign) -> int:
    on = today_in(foreign.company.timezone)
    hold = place_hold(
        foreign.session, foreign.company, foreign.customer, "manual", f"Secret {foreign.tag}", on
    )
    return hold.id


def _plan(foreign: Foreign) -> int:
    """An active payment plan over an invoice of B's own."""
    on = today_in(foreign.company.timezone)
    invoice = make_invoice(foreign.session, foreign.company, foreign.customer, 300_00, on, on)
    ask = Ask(3, "monthly", on + timedelta(days=5), invoices=[invoice.number])
    plan = make_plan(foreign.session, foreign.company, foreign.customer.external_id, ask, on, "api")
    return plan.id


def _promise(foreign: Foreign) -> int:
    """An open promise over an invoice of B's own (B's first one may be promised already)."""
    on = today_in(foreign.company.timezone)
    invoice = make_invoice(foreign.session, foreign.company, foreign.customer, 20_00, on, on)
    promise = make_promise(
        foreign.session,
        foreign.company,
        foreign.customer.external_id,
        10_00,
        None,
        on,
        on,
        "api",
        [invoice.number],
        note=f"Secret {foreign.tag}",
    )
    return promise.id


def _task(foreign: Foreign) -> int:
    task = raise_task(
        foreign.session,
        company_id=foreign.company.id,
        customer=foreign.customer,
        kind="call",
        title=f"Secret call {foreign.tag}",
        due_on=today_in(foreign.company.timezone),
    )
    return task.id


def _payment(foreign: Foreign) -> int:
    return make_payment(foreign.session, foreign.company, foreign.customer, 10_00).id


def _contact(foreign: Foreign) -> int:
    contact = Contact(customer_id=foreign.customer.id, name=f"Secret {foreign.tag}")
    foreign.session.add(contact)
    foreign.session.flush()
    return contact.id


def _allocation(foreign: Foreign) -> int:
    number = foreign.invoice.number
    payment = make_payment(
        foreign.session, foreign.company, foreign.customer, 5_00, invoices=(number,)
    )
    return foreign.session.scalars(
        select(Allocation.id).where(Allocation.payment_id == payment.id)
    ).one()


def _webhook(foreign: Foreign) -> int:
    subscription = WebhookSubscription(
        company_id=foreign.company.id,
        url=f"https://example.com/secret-{foreign.tag}",
        events=["payment.received"],
        secret="s" * 32,
        created_at=utcnow(),
    )
    foreign.session.add(subscription)
    foreign.session.flush()
    return subscription.id


def _policy(foreign: Foreign) -> str:
    """A policy (with a stage, and a template of it) only company B has."""
    code = f"secret-{foreign.tag}"
    stage = {"code": B_STAGE, "offset": 4, "tone": "firm", "actions": ["email"]}
    save_policy(foreign.session, foreign.company, {"code": code, "name": code, "stages": [stage]})
    return code


def _template(foreign: Foreign) -> str:
    name = f"{B_STAGE}.email"
    sources = {(lang, "subject"): f"Secret {foreign.tag}" for lang in ("en", "es")}
    sources |= {(lang, "text"): f"Secret {foreign.tag}" for lang in ("en", "es")}
    save_draft(foreign.session, foreign.company, name, sources, None, utcnow())
    return name


def _charge(foreign: Foreign) -> int:
    charge = Charge(
        company_id=foreign.company.id,
        customer_id=foreign.customer.id,
        invoice_id=foreign.invoice.id,
        key=f"fee:secret-{foreign.tag}",
        kind="fee",
        currency="EUR",
        amount=12_34,
        computed_on=today_in(foreign.company.timezone),
        label=f"Secret fee {foreign.tag}",
        detail={"text": f"Secret {foreign.tag}"},
        mode="claim",
    )
    foreign.session.add(charge)
    foreign.session.flush()
    return charge.id


def _notice(foreign: Foreign) -> int:
    """A validation notice of company B's (the row itself: B's customer is not a US consumer)."""
    sent = today_in(foreign.company.timezone) - timedelta(days=10)
    notice = ValidationNotice(
        company_id=foreign.company.id,
        customer_id=foreign.customer.id,
        sent_on=sent,
        assumed_receipt_on=sent + timedelta(days=7),
        ends_on=sent + timedelta(days=37),
        itemization_kind="charge_off",
        itemization_on=sent - timedelta(days=30),
        owed=999_99,
        interest=0,
        fees=0,
        payments=0,
        total=999_99,
        currency="EUR",
        document=f"<p>Secret letter {foreign.tag}</p>",
    )
    foreign.session.add(notice)
    foreign.session.flush()
    return notice.id


def _validation_dispute(foreign: Foreign) -> int:
    on = today_in(foreign.company.timezone)
    dispute = ValidationDispute(
        notice_id=_notice(foreign), received_on=on, timely=True, note=f"Secret {foreign.tag}"
    )
    foreign.session.add(dispute)
    foreign.session.flush()
    return dispute.id


def _case(foreign: Foreign) -> int:
    """A dispute of company B's (`cobro.dispute`), with a secret description."""
    on = today_in(foreign.company.timezone)
    case = Dispute(
        company_id=foreign.company.id,
        customer_id=foreign.customer.id,
        reason="other",
        description=f"Secret {foreign.tag}",
        opened_on=on,
        due_on=on,
        source="api",
    )
    foreign.session.add(case)
    foreign.session.flush()
    return case.id


def _dispute(foreign: Foreign) -> int:
    """`dispute_id` names a Regulation F validation dispute (/validation/…) and a dispute
    (/disputes/…): one id that is company B's in both tables, made by adding to whichever
    table is behind until their next ids meet (each new row takes the next id in tests)."""
    validation, case = _validation_dispute(foreign), _case(foreign)
    while validation != case:
        if validation < case:
            validation = _validation_dispute(foreign)
        else:
            case = _case(foreign)
    return case


def _evidence(foreign: Foreign) -> int:
    content = f"Secret letter {foreign.tag}".encode()
    evidence = DisputeEvidence(
        dispute_id=_case(foreign),
        filename="secret.txt",
        content_type="text/plain",
        size=len(content),
        sha256="0" * 64,
        content=content,
    )
    foreign.session.add(evidence)
    foreign.session.flush()
    return evidence.id


B_ACCOUNT = "ES7921000813610123456789"  # company B's bank account
B_DEBTOR = "DE89370400440532013000"  # the IBAN of B's customer's mandate


def _statement(foreign: Foreign) -> int:
    """A statement of B's account, imported as a bank file is, with one line in it."""
    company, by = foreign.company, (None, "matrix")
    if find_account(foreign.session, company, B_ACCOUNT) is None:
        add_account(foreign.session, company, B_ACCOUNT)
    unique = uuid.uuid4().hex[:8]  # a new entry each time: one seen before is not stored again
    entry = Entry(
        12_34, name=f"Secret {foreign.tag}", text=f"Secret {foreign.tag}", reference=unique
    )
    data = camt(B_ACCOUNT, [entry], statement_id=f"SECRET-{foreign.tag}-{unique}")
    on = today_in(company.timezone)
    result = import_statement_file(foreign.session, company, data, on=on, now=utcnow(), by=by)
    statement_id = result.statements[0].id
    assert statement_id is not None
    return statement_id


def _line(foreign: Foreign) -> int:
    statement_id = _statement(foreign)
    return foreign.session.scalars(
        select(StatementLine.id).where(StatementLine.statement_id == statement_id)
    ).one()


def _mandate(foreign: Foreign, customer: Customer | None = None) -> str:
    """A mandate of B's customer, its reference."""
    customer = customer or foreign.customer
    reference = f"SECRET-MND-{foreign.tag}-{customer.id}"
    on = today_in(foreign.company.timezone)
    data = MandateIn(customer.external_id, reference, on - timedelta(days=60), iban=B_DEBTOR)
    add_mandate(foreign.session, foreign.company, data, on, (None, "matrix"), utcnow())
    return reference


def _batch(foreign: Foreign) -> int:
    """A pain.008 batch of B's, written as `cobro sepa export` writes it: a customer of its
    own (B's first one is on hold) with a mandate and an invoice due."""
    company, by = foreign.company, (None, "matrix")
    data = CustomerIn(f"DD-{foreign.tag}", f"Secret {foreign.tag} debtor", "ES")
    debtor, _ = upsert_customer(foreign.session, company, data)
    _mandate(foreign, debtor)
    on = today_in(company.timezone)
    make_invoice(foreign.session, company, debtor, 50_00, on - timedelta(days=30), on)
    company.iban = company.iban or B_ACCOUNT
    settings: dict[str, object] = {"creditor_id": "ES97ZZZB12345678", "town": "Madrid"}
    change_bank_settings(foreign.session, company, settings, by, utcnow())
    collect = earliest_collection(on, "CORE")
    batches = export_batches(foreign.session, company, collect, "pain.008.001.08", on, by, utcnow())
    return batches[0].id


def _write_off_request(foreign: Foreign) -> int:
    """A write-off request of B's, waiting (B's collector may write off nothing alone)."""
    company = foreign.company
    invoice = make_invoice(foreign.session, company, foreign.customer, 77_00)
    on = today_in(company.timezone)
    by = (None, f"secret-{foreign.tag}@example.com")
    made = request_write_off(
        foreign.session,
        company,
        invoice.number,
        None,
        "other",
        f"Secret {foreign.tag}",
        on,
        by,
        "collector",
    )
    return made.id


def _legal_case(foreign: Foreign) -> int:
    """A legal case of B's customer, with secret guarantees (the row: B's customer may have an
    open case already, and one is all a customer may have)."""
    on = today_in(foreign.company.timezone)
    case = LegalCase(
        company_id=foreign.company.id,
        customer_id=foreign.customer.id,
        stage="pre_legal",
        opened_on=on,
        amount=99_00,
        currency="EUR",
        guarantees=f"Secret {foreign.tag}",
    )
    foreign.session.add(case)
    foreign.session.flush()
    foreign.session.add(CaseStep(case_id=case.id, stage="pre_legal", reached_on=on))
    foreign.session.flush()
    return case.id


def _placement(foreign: Foreign) -> int:
    """B's customer placed with a secret agency, over an invoice of its own (one active
    placement per invoice)."""
    on = today_in(foreign.company.timezone)
    invoice = make_invoice(foreign.session, foreign.company, foreign.customer, 33_00, on, on)
    agency = f"Secret agency {foreign.tag}"
    customer = foreign.customer.external_id
    return place(foreign.session, foreign.company, customer, agency, on, [invoice.number]).id


B_FX_DAY = "2026-11-24"  # the day of company B's FX rate


def _fx_rate(foreign: Foreign) -> str:
    """An FX rate of B's (with a secret source), its currency."""
    rate = FxRate(
        company_id=foreign.company.id,
        currency="USD",
        day=date.fromisoformat(B_FX_DAY),
        rate=Decimal("0.5"),
        source=f"Secret {foreign.tag}",
    )
    foreign.session.add(rate)
    foreign.session.flush()
    return rate.currency


B_STAGE = "b-only-stage"

# path parameter → a maker of company B's thing, returning what the path takes
FOREIGN: dict[str, Maker] = {
    "external_id": lambda foreign: foreign.customer.external_id,
    "number": lambda foreign: foreign.invoice.number,
    "action_id": lambda foreign: _action(foreign).id,
    "document_id": _document,
    "hold_id": _hold,
    "promise_id": _promise,
    "plan_id": _plan,
    "task_id": _task,
    "payment_id": _payment,
    "kind": lambda foreign: "invoices",  # what an import holds: no tenant's thing
    "contact_id": _contact,
    "allocation_id": _allocation,
    "webhook_id": _webhook,
    "charge_id": _charge,
    "notice_id": _notice,
    "dispute_id": _dispute,
    "evidence_id": _evidence,
    "code": _policy,
    "stage": lambda foreign: B_STAGE,
    "name": _template,
    "series": lambda foreign: "de_basiszinssatz",  # a rate series: no tenant's thing
    "statement_id": _statement,
    "line_id": _line,
    "reference": _mandate,
    "batch_id": _batch,
    "request_id": _write_off_request,
    "case_id": _legal_case,
    "placement_id": _placement,
    "currency": _fx_rate,
    "day": lambda foreign: B_FX_DAY,
    "user_id": lambda f: f.session.scalars(
        select(Membership.user_id).where(Membership.company_id == f.company.id)
    ).first(),
}

# path parameters that name what every company shares (a rate series): a GET answers it
SHARED = {"series"}


def app_routes(app: FastAPI) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(method, path template, path parameter names) of every route the app answers."""
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        context: Any  # FastAPI's route contexts (included routers) or a plain route
        for context in contexts() if contexts else [route]:
            path: str = getattr(context, "path_format", context.path)
            parameters = tuple(context.param_convertors)
            for method in sorted(getattr(context, "methods", None) or ()):
                if method != "HEAD":
                    yield method, path, parameters


def tenant_routes(app: FastAPI) -> list[tuple[str, str, tuple[str, ...]]]:
    return [
        (method, path, parameters)
        for method, path, parameters in app_routes(app)
        if not path.startswith(PUBLIC_PREFIXES)
        and path not in PUBLIC_PATHS
        and not path.startswith(PUBLIC_PARAMETERISED)
    ]


@dataclass
class Matrix:
    world: World
    values: dict[str, str]
    secrets: list[str]


@pytest.fixture(scope="module")
def matrix(web_database_url: str) -> Matrix:
    world = build_world(web_database_url)
    tag = uuid.uuid4().hex[:8]
    with world.session() as session:
        company = session.get_one(Company, world.b.id)
        customer = session.scalars(select(Customer).where(Customer.company_id == company.id)).one()
        due = today_in(company.timezone) - timedelta(days=40)
        invoice = make_invoice(
            session, company, customer, 999_99, due - timedelta(days=30), due, f"SECRET-{tag}"
        )
        foreign = Foreign(session, company, customer, invoice, tag)
        values = {name: str(make(foreign)) for name, make in FOREIGN.items()}
    secrets = [*world.b.customers.values(), f"SECRET-{tag}", f"Secret error {tag}", world.b.name]
    secrets += [f"Secret {tag}", f"Secret call {tag}", f"Secret letter {tag}"]
    return Matrix(world, values, secrets)


def test_every_path_parameter_has_a_value_of_company_b(app: FastAPI) -> None:
    unknown = {
        f"{method} {path}: {name}"
        for method, path, names in tenant_routes(app)
        for name in names
        if name not in FOREIGN
    }
    assert unknown == set(), "add a maker to FOREIGN for each"


def test_the_matrix_covers_the_api_and_the_pages(app: FastAPI) -> None:
    paths = {path for _, path, _ in tenant_routes(app)}
    assert {"/api/customers/{external_id}", "/customers/{external_id}", "/outbox"} <= paths


def _caller(client: TestClient, matrix: Matrix, role: str, how: str) -> dict[str, str]:
    if how == "token":
        token = matrix.world.token(role, ("read", "write", "audit"))
        return {"Authorization": f"Bearer {token}"}
    assert sign_in(client, matrix.world.a.users[role]).status_code == 303
    client.get("/account")  # a page: the signed-in browser's CSRF token
    return {"X-CSRF-Token": client.cookies.get(CSRF_COOKIE) or ""}


def _changes_to_b(matrix: Matrix) -> int:
    with matrix.world.session() as session:
        return (
            session.scalar(select(func.count()).where(AuditEvent.company_id == matrix.world.b.id))
            or 0
        )


def _request(client: TestClient, method: str, url: str, headers: dict[str, str]) -> Any:
    if method == "GET":
        return client.get(url, headers=headers, follow_redirects=False)
    if url.startswith("/api/"):
        return client.request(method, url, json={}, headers=headers, follow_redirects=False)
    form = {"csrf_token": headers.get("X-CSRF-Token", "")}
    return client.request(method, url, data=form, headers=headers, follow_redirects=False)


@pytest.mark.parametrize("how", ["cookie", "token"])
@pytest.mark.parametrize("role", ROLES)
def test_company_bs_ids_never_answer_data_or_change_anything(
    app: FastAPI, client: TestClient, matrix: Matrix, role: str, how: str
) -> None:
    headers = _caller(client, matrix, role, how)
    before = _changes_to_b(matrix)
    answered: list[str] = []
    for method, path, names in tenant_routes(app):
        if not names:
            continue
        url = path.format(**{name: matrix.values[name] for name in names})
        response = _request(client, method, url, headers)
        allowed = {403, 404} if method == "GET" else {403, 404, 405, 422}
        if method == "GET" and set(names) <= SHARED:
            allowed.add(200)  # the same for every company; what it shows is checked below
        if response.status_code not in allowed:
            answered.append(f"{method} {path} → {response.status_code}")
        # a refusal may repeat what was asked ("invoice SECRET-… not found"), nothing more
        leaked = [s for s in matrix.secrets if s in response.text and s not in url]
        if leaked:
            answered.append(f"{method} {path} shows {leaked}")
    assert answered == []
    assert _changes_to_b(matrix) == before


@pytest.mark.parametrize("how", ["cookie", "token"])
@pytest.mark.parametrize("role", ROLES)
def test_no_list_or_page_shows_company_bs_data(
    app: FastAPI, client: TestClient, matrix: Matrix, role: str, how: str
) -> None:
    headers = _caller(client, matrix, role, how)
    leaks: list[str] = []
    for method, path, names in tenant_routes(app):
        if method != "GET" or names:
            continue
        for query in ({}, {"limit": "200"}, {"q": "Secret"}):
            response = client.get(path, params=query, headers=headers, follow_redirects=False)
            assert response.status_code < 500, f"{path} {query}"
            leaked = [secret for secret in matrix.secrets if secret in response.text]
            if leaked:
                leaks.append(f"{path} {query} shows {leaked}")
    assert leaks == []
