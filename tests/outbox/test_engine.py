"""The outbox engine with a sender of its own: claim, attempts, retries, deadlines, leases
that run out, series, and what the domain calls (queue, retry_now, withdraw)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from shipdesk.orders.models import OrderEvent
from shipdesk.outbox import engine, queue
from shipdesk.outbox.engine import FAIL, RESEND, Backoff, Final, Retriable, Sender
from shipdesk.outbox.models import Attempt, Message
from tests.factories import make_order, make_store

pytestmark = pytest.mark.django_db


class Far:
    """A sender to the far side: each try raises what `answers` says next (None: a 200)."""

    def __init__(self):
        self.answers: list[Exception | None] = []
        self.tries: list[tuple[str, bool]] = []  # (message key, taken over)
        self.finished: list[tuple[str, str, str]] = []  # (key, status, error)

    def send(self, message, delivery):
        self.tries.append((message.key, delivery.taken_over))
        with delivery.attempt({"method": "POST", "path": f"/far/{message.key}"}) as attempt:
            answer = self.answers.pop(0) if self.answers else None
            if answer is not None:
                raise answer
            attempt.status_code, attempt.answer = 200, "thanks"

    def sender(self, **rules) -> Sender:
        return Sender(
            kind="far",
            send=self.send,
            lease_s=lambda: 60,
            backoff=Backoff(first_s=30, factor=2, cap_s=3600),
            finished=lambda m, status, error: self.finished.append((m.key, status, error)),
            **rules,
        )


@pytest.fixture
def far():
    far = Far()
    engine.register(far.sender())
    yield far
    engine.SENDERS.pop("far")


def rules(far: Far, **changes) -> None:
    engine.register(dataclasses.replace(engine.SENDERS["far"], **changes))


def message(key: str = "one", **fields) -> Message:
    now = timezone.now()
    return Message.objects.create(
        kind="far", key=key, deadline_at=now + timedelta(hours=24), **fields
    )


def test_a_message_is_sent_once_with_its_attempt_recorded(far):
    sent = message()

    assert engine.deliver(sent.pk) == "sent"
    assert engine.deliver(sent.pk) is None  # nothing left to do

    sent.refresh_from_db()
    assert (sent.status, sent.attempts, sent.lease_until, sent.last_error) == ("sent", 1, None, "")
    assert sent.sent_at is not None
    attempt = Attempt.objects.get()
    assert (attempt.request, attempt.status_code, attempt.answer, attempt.error_class) == (
        {"method": "POST", "path": "/far/one"},
        200,
        "thanks",
        "ok",
    )
    assert far.tries == [("one", False)]
    assert far.finished == [("one", "sent", "")]


def test_a_worker_killed_while_saying_so_leaves_the_message_unsent(far):
    """The status and what the sender records of it are one change: all or nothing."""

    def killed(message, status, error):
        Message.objects.filter(pk=message.pk).update(last_error="seen by the sender")
        raise KeyboardInterrupt  # the worker stops here, as a SIGKILL would

    rules(far, finished=killed)
    unsent = message()

    with pytest.raises(KeyboardInterrupt):
        engine.deliver(unsent.pk)

    unsent.refresh_from_db()
    assert (unsent.status, unsent.attempts, unsent.sent_at, unsent.last_error) == (
        "pending",
        0,
        None,
        "",
    )
    assert unsent.lease_until is not None  # claimed: another worker takes it when it runs out


def test_a_retriable_failure_comes_back_after_a_backoff_then_dies_at_the_deadline(far):
    failing = message()
    far.answers = [Retriable("the far side answered HTTP 503")] * 2

    before = timezone.now()
    assert engine.deliver(failing.pk) == "pending"
    assert engine.deliver(failing.pk) is None  # not due yet

    failing.refresh_from_db()
    assert (failing.status, failing.attempts, failing.lease_until) == ("pending", 1, None)
    assert failing.last_error == "the far side answered HTTP 503"
    # 30 s, plus up to half of it so that messages failed together do not return together
    assert before + timedelta(seconds=30) <= failing.next_attempt_at
    assert failing.next_attempt_at <= timezone.now() + timedelta(seconds=45)
    attempt = Attempt.objects.get()
    assert (attempt.status_code, attempt.error_class, attempt.error) == (
        None,
        "retriable",
        "the far side answered HTTP 503",
    )

    Message.objects.filter(pk=failing.pk).update(
        next_attempt_at=timezone.now(), deadline_at=timezone.now()
    )
    assert engine.deliver(failing.pk) == "dead"
    failing.refresh_from_db()
    assert (failing.status, failing.attempts) == ("dead", 2)
    assert far.finished == [("one", "dead", "the far side answered HTTP 503")]
    assert Attempt.objects.count() == 2


def test_a_sender_without_retries_left_gives_up(far):
    rules(far, backoff=Backoff(first_s=60, factor=5, max_retries=1))
    failing = message()
    far.answers = [Retriable("busy"), Retriable("busy")]

    first = engine.deliver(failing.pk)
    Message.objects.filter(pk=failing.pk).update(next_attempt_at=timezone.now())
    second = engine.deliver(failing.pk)

    assert (first, second) == ("pending", "dead")


def test_a_refusal_fails_at_once_for_a_person_to_look_at(far):
    refused = message()
    far.answers = [Final("invalid tracking number")]

    assert engine.deliver(refused.pk) == "failed"

    refused.refresh_from_db()
    assert (refused.status, refused.attempts, refused.last_error) == (
        "failed",
        1,
        "invalid tracking number",
    )
    assert Attempt.objects.get().error_class == "final"
    assert far.finished == [("one", "failed", "invalid tracking number")]


def test_an_unexpected_error_is_logged_and_retried(far, caplog):
    broken = message()
    far.answers = [ZeroDivisionError("division by zero")]

    assert engine.deliver(broken.pk) == "pending"

    assert Attempt.objects.get().error == "division by zero"
    assert "outbox message" in caplog.text and "ZeroDivisionError" in caplog.text


def test_only_one_worker_holds_a_message_until_its_lease_runs_out(far):
    held = message()

    first, taken_over = engine.claim(held.pk)
    second = engine.claim(held.pk)
    Message.objects.filter(pk=held.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    third = engine.claim(held.pk)

    assert (first.pk, taken_over) == (held.pk, False)
    assert second == (None, False)
    assert (third[0].pk, third[1]) == (held.pk, True)


def test_a_message_whose_worker_died_is_sent_again_knowing_it(far):
    rules(far, when_interrupted=RESEND)
    died = message(lease_until=timezone.now() - timedelta(seconds=1))

    assert engine.deliver(died.pk) == "sent"

    assert far.tries == [("one", True)]


def test_a_message_whose_worker_died_is_failed_not_resent_when_the_sender_says_so(far):
    rules(far, when_interrupted=FAIL, interrupted_error="the customer may have it already")
    died = message(lease_until=timezone.now() - timedelta(seconds=1))

    assert engine.deliver(died.pk) == "failed"

    assert far.tries == []
    attempt = Attempt.objects.get()
    assert (attempt.error_class, attempt.error) == (
        "interrupted",
        "the customer may have it already",
    )
    assert far.finished == [("one", "failed", "the customer may have it already")]


def test_a_series_is_delivered_oldest_first(far):
    first = message("first", series="order:1")
    second = message("second", series="order:1")
    other = message("other", series="order:2")

    assert engine.deliver(second.pk) == "sent"
    assert engine.deliver(other.pk) == "sent"

    assert far.tries == [("first", False), ("second", False), ("other", False)]
    first.refresh_from_db()
    assert first.status == "sent"


def test_a_message_waits_while_an_older_one_of_its_series_is_retried(far):
    first = message("first", series="order:1")
    second = message("second", series="order:1")
    far.answers = [Retriable("busy")]

    assert engine.deliver(second.pk) == "pending"

    first.refresh_from_db()
    second.refresh_from_db()
    assert far.tries == [("first", False)]
    assert (second.attempts, second.lease_until) == (0, None)
    assert second.next_attempt_at == first.next_attempt_at
    assert Attempt.objects.filter(message=second).count() == 0


def test_queueing_a_key_twice_makes_one_message_delivered_after_commit(
    far, django_capture_on_commit_callbacks
):
    HUEY.flush()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        one = queue.queue("far", {"n": 1}, key="far:1")
        again = queue.queue("far", {"n": 2}, key="far:1")

    assert again.pk == one.pk
    assert Message.objects.get().payload == {"n": 1}
    assert len(callbacks) == 1
    assert [(t.name, t.args) for t in HUEY.pending()] == [("deliver_message", (one.pk,))]
    HUEY.flush()


def test_a_failed_key_queued_again_is_armed_again(far):
    failed = message("far:1", status="failed", attempts=3, last_error="refused")

    again = queue.queue("far", {"n": 2}, key="far:1", enqueue=False)

    again.refresh_from_db()
    assert (again.pk, again.status, again.payload, again.attempts) == (
        failed.pk,
        "pending",
        {"n": 2},
        3,
    )


def test_a_queue_outage_at_commit_does_not_undo_the_change(
    far, monkeypatch, django_capture_on_commit_callbacks
):
    def outage(message_id):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(queue, "deliver_message", outage)
    with django_capture_on_commit_callbacks(execute=True):
        queued = queue.queue("far", {}, key="far:1")

    # The periodic job delivers it instead.
    assert engine.deliver_due("far")["far"] == {"pending": 0, "sent": 1, "failed": 0, "dead": 0}
    queued.refresh_from_db()
    assert queued.status == "sent"


def test_retry_now_arms_a_failed_message_again_and_says_so_on_the_order(admin_user):
    order = make_order(make_store(), 1001)
    failed = Message.objects.create(
        kind="backmarket",
        key="backmarket:accept:1",
        order=order,
        status="failed",
        steps_done=["accept:1"],
        deadline_at=timezone.now() - timedelta(hours=1),
    )

    retried = queue.retry_now(failed, user=admin_user)

    assert (retried.status, retried.steps_done, retried.lease_until) == (
        "pending",
        ["accept:1"],
        None,
    )
    assert retried.deadline_at > timezone.now() + timedelta(hours=23)
    event = OrderEvent.objects.get(order=order)
    assert (event.kind, event.message, event.user, event.data) == (
        "notification_resend",
        "Re-send to Back Market requested.",
        admin_user,
        {"notification": failed.pk, "message_kind": "backmarket"},
    )


def test_withdraw_fails_what_is_not_sent_yet(far):
    pending, sent = message("a"), message("b", status="sent")

    withdrawn = queue.withdraw(Message.objects.all(), "shipment voided before delivery")

    pending.refresh_from_db()
    sent.refresh_from_db()
    assert withdrawn == 1
    assert (pending.status, pending.last_error) == ("failed", "shipment voided before delivery")
    assert sent.status == "sent"


def test_backoff_doubles_with_jitter_up_to_its_cap():
    backoff = Backoff(first_s=30, factor=2, cap_s=100, max_retries=3)

    delays = [backoff.delay(n) for n in (1, 2, 3, 4)]

    assert 30 <= delays[0].total_seconds() <= 45
    assert 60 <= delays[1].total_seconds() <= 90
    assert 100 <= delays[2].total_seconds() <= 150
    assert delays[3] is None
