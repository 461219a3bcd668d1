"""A hypothesis state machine over issue / pay / credit / dispute (whole or part) / resolve /
promise / payment plan / write-off / the daily cycle, on one customer over days. Whatever the
sequence, refused steps included:

- the ledger balances: open amount = total − allocations − credit notes − write-offs ≥ 0 for
  every invoice (`check_ledger`), and a refused step changes nothing;
- the chase never targets a held amount: a stage reached on a day is never reached by an
  invoice held in whole that day, and is reached with at most what is open less the part held.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.cycle.service import run_cycle
from cobro.dispute.models import Dispute
from cobro.dispute.resolve import resolve_dispute
from cobro.dispute.service import ItemIn, open_dispute
from cobro.errors import CobroError
from cobro.invoice.models import Invoice
from cobro.invoice.service import add_credit_note
from cobro.payment.service import check_ledger
from cobro.plan.models import PaymentPlan
from cobro.plan.service import Actor as PlanActor
from cobro.plan.service import Ask, make_plan
from cobro.policy.holds import active_holds
from cobro.policy.models import ChaseStep, Hold
from cobro.promise.models import Promise
from cobro.promise.service import make_promise
from cobro.writeoff.service import request_write_off
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment

START = date(2026, 3, 2)
AMOUNTS = st.integers(min_value=1, max_value=900_00)
PICK = st.integers(min_value=0, max_value=7)


class Agreements(RuleBasedStateMachine):
    session: Session  # set by the test before each run

    def __init__(self) -> None:
        super().__init__()
        self.company: Company = make_company(self.session)
        self.customer: Customer = make_customer(self.session, self.company)
        self.on = START
        self.numbers: list[str] = []
        self.seq = count(1)

    # ---- helpers -------------------------------------------------------------------------

    def _invoice(self, pick: int) -> Invoice | None:
        if not self.numbers:
            return None
        number = self.numbers[pick % len(self.numbers)]
        return self.session.scalars(
            select(Invoice).where(Invoice.company_id == self.company.id, Invoice.number == number)
        ).one()

    def _state(self) -> tuple[object, ...]:
        """What a refused step must leave as it was."""
        session, company = self.session, self.company
        opens = tuple(
            session.scalars(
                select(Invoice.open_amount)
                .where(Invoice.company_id == company.id)
                .order_by(Invoice.id)
            )
        )
        holds = session.scalar(select(func.count()).where(Hold.company_id == company.id))
        promises = session.scalar(select(func.count()).where(Promise.company_id == company.id))
        disputes = session.scalar(select(func.count()).where(Dispute.company_id == company.id))
        plans = session.scalar(select(func.count()).where(PaymentPlan.company_id == company.id))
        return opens, holds, promises, disputes, plans

    def _try(self, step: object) -> None:
        """Run a step in a savepoint: refused (a CobroError), it must have changed nothing."""
        before = self._state()
        try:
            with self.session.begin_nested():
                step()  # type: ignore[operator]
        except CobroError:
            self.session.expire_all()
            assert self._state() == before

    # ---- steps ---------------------------------------------------------------------------

    @rule(total=AMOUNTS, days_due=st.integers(min_value=-10, max_value=40))
    def issue(self, total: int, days_due: int) -> None:
        number = f"F-{next(self.seq)}"
        due = self.on - timedelta(days=days_due)
        issued = due - timedelta(days=30)
        make_invoice(self.session, self.company, self.customer, total, issued, due, number)
        self.numbers.append(number)

    @precondition(lambda self: self.numbers)
    @rule(pick=PICK, amount=AMOUNTS)
    def pay(self, pick: int, amount: int) -> None:
        invoice = self._invoice(pick)
        assert invoice is not None
        named = (invoice.number,) if invoice.open_amount > 0 else ()
        make_payment(self.session, self.company, self.customer, amount, self.on, named)

    @precondition(lambda self: self.numbers)
    @rule(pick=PICK, amount=AMOUNTS)
    def credit(self, pick: int, amount: int) -> None:
        invoice = self._invoice(pick)
        assert invoice is not None
        number = f"CN-{next(self.seq)}"

        def step() -> None:
            if amount > invoice.open_amount:
                raise_refused()
            add_credit_note(self.session, self.company, invoice, number, self.on, amount)

        self._try(step)

    @precondition(lambda self: self.numbers)
    @rule(pick=PICK, part=st.one_of(st.none(), AMOUNTS))
    def dispute(self, pick: int, part: int | None) -> None:
        invoice = self._invoice(pick)
        assert invoice is not None
        items = [ItemIn(invoice.number, part)]
        self._try(
            lambda: open_dispute(
                self.session, self.company, self.customer.external_id, items, "price",
                "the price is not the one agreed", self.on, "web",
            )
        )  # fmt: skip

    @rule(pick=PICK, outcome=st.sampled_from(["credit", "reject", "withdraw"]))
    def resolve(self, pick: int, outcome: str) -> None:
        disputes = list(
            self.session.scalars(
                select(Dispute.id)
                .where(Dispute.company_id == self.company.id, Dispute.status == "open")
                .order_by(Dispute.id)
            )
        )
        if disputes:
            chosen = disputes[pick % len(disputes)]
            self._try(lambda: resolve_dispute(self.session, self.company, chosen, outcome, self.on))

    @precondition(lambda self: self.numbers)
    @rule(pick=PICK, amount=AMOUNTS, days=st.integers(min_value=-2, max_value=90))
    def promise(self, pick: int, amount: int, days: int) -> None:
        invoice = self._invoice(pick)
        assert invoice is not None
        self._try(
            lambda: make_promise(
                self.session, self.company, self.customer.external_id, amount, None,
                self.on + timedelta(days=days), self.on, "call", [invoice.number],
            )
        )  # fmt: skip

    @precondition(lambda self: self.numbers)
    @rule(
        pick=PICK,
        count=st.integers(min_value=1, max_value=6),
        every=st.sampled_from(["weekly", "monthly"]),
        down=st.integers(min_value=0, max_value=300_00),
    )
    def plan(self, pick: int, count: int, every: str, down: int) -> None:
        invoice = self._invoice(pick)
        assert invoice is not None
        ask = Ask(count, every, self.on + timedelta(days=3), down, invoices=[invoice.number])
        self._try(
            lambda: make_plan(
                self.session, self.company, self.customer.external_id, ask, self.on, "call",
                PlanActor(name="manager", may_override=True), override=True,
            )
        )  # fmt: skip

    @precondition(lambda self: self.numbers)
    @rule(pick=PICK, amount=st.one_of(st.none(), AMOUNTS))
    def write_off(self, pick: int, amount: int | None) -> None:
        invoice = self._invoice(pick)
        assert invoice is not None
        self._try(
            lambda: request_write_off(
                self.session, self.company, invoice.number, amount, "bad_debt",
                "the debtor closed down", self.on, (None, "story"), "admin",
            )
        )  # fmt: skip

    @rule(days=st.integers(min_value=1, max_value=20))
    def cycle(self, days: int) -> None:
        self.on += timedelta(days=days)
        run_cycle(self.session, self.company, self.on)
        self._check_chase(self.on)

    # ---- invariants ----------------------------------------------------------------------

    @invariant()
    def ledger_balances(self) -> None:
        assert check_ledger(self.session, self.company.id) == []

    def _check_chase(self, on: date) -> None:
        holds = active_holds(self.session, self.company.id, on)
        steps = self.session.execute(
            select(ChaseStep.invoice_id, ChaseStep.open_amount, Invoice.open_amount)
            .join(Invoice, Invoice.id == ChaseStep.invoice_id)
            .where(Invoice.company_id == self.company.id, ChaseStep.reached_on == on)
        ).all()
        for invoice_id, chased, open_amount in steps:
            assert holds.reason(self.customer.id, invoice_id) is None, "a held invoice moved"
            held = holds.parts.get(invoice_id, (0, ""))[0]
            assert 0 < chased <= open_amount - held, "the chase asked for a held amount"


def raise_refused() -> None:
    raise CobroError("refused on purpose: more than is open")


def test_no_sequence_breaks_the_ledger_or_chases_a_held_amount(session: Session) -> None:
    Agreements.session = session  # each example makes its own company in this session
    run_state_machine_as_test(
        Agreements,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
