"""Webhook deliveries end to end: the event happens (a payment, a cycle, a failed message),
`cobro worker` posts it to a real receiver on loopback that checks the signature; retries,
giving up, and two workers at once. Each test has a committing database of its own."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from cobro.channel.base import Channel
from cobro.channel.registry import ChannelSettings, build_channels
from cobro.db import transaction
from cobro.kit.dates import utcnow
from cobro.outbox.service import MAX_ATTEMPTS
from cobro.webhook.models import Delivery
from cobro.webhook.service import emit_many, subscribe
from cobro.worker import run_worker
from tests.factories.ledger import make_payment
from tests.outbox.test_worker import cycle, day, ledger, the_debtor
from tests.webhook.receiver import Receiver

# Events are due when they happen (real time): the workers' clock stands a minute after each
# test starts. Set per test, not when the module is imported: in the whole suite a test runs
# many minutes after the collection, and a clock set then stands before its events.
T0 = utcnow()


@pytest.fixture(autouse=True)
def workers_clock() -> None:
    global T0  # noqa: PLW0603 (one clock for the helpers and the test alike)
    T0 = utcnow().replace(microsecond=0) + timedelta(minutes=1)


def at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def channels(tmp: Path) -> dict[str, Channel]:
    return build_channels(ChannelSettings(mail_dir=tmp / "mail", letter_dir=tmp / "letters"))


def subscribed(engine: Engine, receiver: Receiver, *events: str) -> int:
    with transaction(engine) as session:
        company, _customer = the_debtor(session)
        made = subscribe(session, company.id, receiver.url, events, actor_id=None, now=T0)
        receiver.secret = made.secret
        return made.id


def deliveries(engine: Engine) -> list[Delivery]:
    with transaction(engine) as session:
        rows = list(session.scalars(select(Delivery).order_by(Delivery.id)))
        session.expunge_all()
        return rows


def test_a_recorded_payment_reaches_the_subscriber_signed(
    own_engine: Engine, receiver: Receiver, tmp_path: Path
) -> None:
    ledger(own_engine)
    subscribed(own_engine, receiver, "payment.received")
    with transaction(own_engine) as session:
        company, customer = the_debtor(session)
        payment = make_payment(session, company, customer, 300_00, day(3), invoices=("F-2",))
        external_id = payment.external_id
    report = run_worker(own_engine, channels(tmp_path), once=True, clock=at(T0))
    assert report.by_channel[("webhook", "sent")] == 1
    (document,) = receiver.valid
    assert document["event"] == "payment.received"
    assert document["data"] == {
        "payment": external_id,
        "amount": 300_00,
        "currency": "EUR",
        "received_on": day(3).isoformat(),
        "customer": "ACME",
        "reference": None,
        "unapplied": 0,
        "allocations": [{"invoice": "F-2", "amount": 300_00}],
    }
    (delivery,) = deliveries(own_engine)
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("sent", 1, 200)
    assert receiver.hits[0].delivery == delivery.key


def test_a_receiver_answering_500_gets_it_again_later_with_the_same_key(
    own_engine: Engine, receiver: Receiver, tmp_path: Path
) -> None:
    ledger(own_engine)
    subscribed(own_engine, receiver, "payment.received")
    with transaction(own_engine) as session:
        company, customer = the_debtor(session)
        make_payment(session, company, customer, 100_00, day(3))
    receiver.answers = [500]
    first = run_worker(own_engine, channels(tmp_path), once=True, clock=at(T0))
    assert first.outcomes == {"retry": 1}
    (waiting,) = deliveries(own_engine)
    assert waiting.status == "queued"
    assert waiting.not_before == T0 + timedelta(minutes=1)  # the outbox's backoff
    assert "500" in (waiting.last_error or "")
    early = run_worker(
        own_engine, channels(tmp_path), once=True, clock=at(T0 + timedelta(seconds=30))
    )
    assert early.outcomes == {}
    later = run_worker(
        own_engine, channels(tmp_path), once=True, clock=at(T0 + timedelta(minutes=2))
    )
    assert later.outcomes == {"sent": 1}
    assert [hit.status for hit in receiver.hits] == [500, 200]
    assert receiver.hits[0].delivery == receiver.hits[1].delivery
    assert receiver.hits[0].document == receiver.hits[1].document
    (sent,) = deliveries(own_engine)
    assert (sent.status, sent.attempts) == ("sent", 2)


def test_a_receiver_that_keeps_failing_is_given_up_after_the_most_attempts(
    own_engine: Engine, receiver: Receiver, tmp_path: Path
) -> None:
    ledger(own_engine)
    subscribed(own_engine, receiver, "payment.received")
    with transaction(own_engine) as session:
        company, customer = the_debtor(session)
        make_payment(session, company, customer, 100_00, day(3))
    receiver.answers = [503] * 100
    outcomes: Counter[str] = Counter()
    for hour in range(MAX_ATTEMPTS + 3):
        report = run_worker(
            own_engine, channels(tmp_path), once=True, clock=at(T0 + timedelta(hours=7 * hour))
        )
        outcomes.update(report.outcomes)
    assert outcomes == {"retry": MAX_ATTEMPTS - 1, "failed": 1}
    assert len(receiver.hits) == MAX_ATTEMPTS
    (failed,) = deliveries(own_engine)
    assert (failed.status, failed.attempts) == ("failed", MAX_ATTEMPTS)
    assert "503" in (failed.last_error or "")


def test_a_4xx_answer_or_a_bad_signature_is_a_permanent_failure_at_once(
    own_engine: Engine, receiver: Receiver, tmp_path: Path
) -> None:
    ledger(own_engine)
    subscribed(own_engine, receiver, "payment.received")
    receiver.secret = "not the subscription's secret"  # the receiver refuses: 401
    with transaction(own_engine) as session:
        company, customer = the_debtor(session)
        make_payment(session, company, customer, 100_00, day(3))
    report = run_worker(own_engine, channels(tmp_path), once=True, clock=at(T0))
    assert report.outcomes == {"failed": 1}
    assert [(hit.signed, hit.status) for hit in receiver.hits] == [(False, 401)]
    assert receiver.valid == []


def test_two_workers_at_once_deliver_each_event_exactly_once(
    own_engine: Engine, receiver: Receiver, tmp_path: Path
) -> None:
    ledger(own_engine)
    subscribed(own_engine, receiver, "stage.reached")
    with transaction(own_engine) as session:
        company, _customer = the_debtor(session)
        events = [(f"event-{n}", {"n": n}) for n in range(60)]
        assert emit_many(session, company.id, "stage.reached", events, T0) == 60
    reports = []

    def work(name: str) -> None:
        reports.append(
            run_worker(
                own_engine, channels(tmp_path / name), once=True, batch=4, worker=name, clock=at(T0)
            )
        )

    threads = [threading.Thread(target=work, args=(name,)) for name in ("w1", "w2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    keys = receiver.accepted_keys()
    assert len(keys) == 60
    assert len(set(keys)) == 60  # none twice
    assert sorted(hit.document["id"] for hit in receiver.hits) == sorted(k for k, _ in events)
    assert sum(report.outcomes["sent"] for report in reports) == 60
    assert {d.status for d in deliveries(own_engine)} == {"sent"}


def test_the_cycle_tells_the_stage_each_customer_reached_once_per_day(
    own_engine: Engine, receiver: Receiver, tmp_path: Path
) -> None:
    ledger(own_engine)
    subscribed(own_engine, receiver, "stage.reached")
    cycle(own_engine, day(3))
    cycle(own_engine, day(3))  # the same day again: nothing new
    rows = deliveries(own_engine)
    assert len(rows) == len({row.event_key for row in rows}) >= 1
    run_worker(own_engine, channels(tmp_path), once=True, clock=at(T0))
    stages = {doc["data"]["stage"]: doc["data"] for doc in receiver.valid}
    assert {doc["event"] for doc in receiver.valid} == {"stage.reached"}
    assert all(data["customer"] == "ACME" for data in stages.values())
    numbers = {invoice["number"] for data in stages.values() for invoice in data["invoices"]}
    assert numbers == {"F-1", "F-2"}


def test_without_a_subscription_the_cycle_queues_no_delivery(own_engine: Engine) -> None:
    ledger(own_engine)
    assert cycle(own_engine, day(3)) > 0
    assert deliveries(own_engine) == []


def test_a_message_the_worker_gives_up_on_is_told_as_message_failed(
    own_engine: Engine, receiver: Receiver, tmp_path: Path
) -> None:
    ledger(own_engine, email="")  # no address: the email cannot be made
    subscribed(own_engine, receiver, "message.failed")
    cycle(own_engine, day(3))
    report = run_worker(own_engine, channels(tmp_path), once=True, clock=at(T0))
    assert report.outcomes["failed"] >= 1
    failed = [doc for doc in receiver.valid if doc["event"] == "message.failed"]
    assert failed, receiver.hits
    assert failed[0]["data"]["customer"] == "ACME"
    assert failed[0]["data"]["kind"] == "email"
