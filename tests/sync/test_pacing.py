"""The database pacer keeps every process under Back Market's limit per account."""

import pytest

from shipdesk.sync.pacing import DatabasePacer

pytestmark = pytest.mark.django_db


class FakeTime:
    def __init__(self):
        self.now = 1_000.0
        self.slept = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_a_burst_then_the_steady_rate():
    t = FakeTime()
    pacer = DatabasePacer(limit=150, window_s=10, clock=t.clock, sleep=t.sleep)

    for _ in range(30):
        pacer.acquire("account-a")
    assert t.slept == []

    pacer.acquire("account-a")
    assert t.slept == [pytest.approx(1 / 15)]


def test_no_window_of_ten_seconds_sees_more_than_limit_plus_burst():
    t = FakeTime()
    pacer = DatabasePacer(limit=150, window_s=10, clock=t.clock, sleep=t.sleep)
    sent = []

    while t.now < 1_060:
        pacer.acquire("account-a")
        sent.append(t.now)

    worst = max(sum(1 for s in sent if start <= s < start + 10) for start in sent)
    assert worst <= 180
    assert len(sent) == pytest.approx(30 + 60 * 15, abs=2)


def test_accounts_are_paced_separately():
    t = FakeTime()
    pacer = DatabasePacer(limit=10, window_s=10, burst=2, clock=t.clock, sleep=t.sleep)

    for key in ("a", "a", "b", "b"):
        pacer.acquire(key)

    assert t.slept == []


def test_two_pacers_share_the_budget_like_two_processes():
    t = FakeTime()
    first = DatabasePacer(limit=10, window_s=10, burst=2, clock=t.clock, sleep=t.sleep)
    second = DatabasePacer(limit=10, window_s=10, burst=2, clock=t.clock, sleep=t.sleep)

    first.acquire("a")
    second.acquire("a")
    first.acquire("a")

    assert t.slept == [pytest.approx(1.0)]
