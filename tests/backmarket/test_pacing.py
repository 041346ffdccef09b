import threading

from shipdesk.backmarket import SlidingWindowPacer

from .recorded import FakeClock


def test_151st_request_waits_for_the_oldest_to_leave_the_window():
    # given
    clock = FakeClock()
    pacer = SlidingWindowPacer(limit=150, window_s=10.0, clock=clock, sleep=clock.sleep)
    for _ in range(150):
        pacer.acquire("account")

    # when
    pacer.acquire("account")

    # then
    assert clock.sleeps == [10.0]
    assert clock.now == 10.0


def test_window_slides_instead_of_resetting():
    # given: 2 requests at t=0, 1 at t=6, limit 3 per 10 s
    clock = FakeClock()
    pacer = SlidingWindowPacer(limit=3, window_s=10.0, clock=clock, sleep=clock.sleep)
    pacer.acquire("account")
    pacer.acquire("account")
    clock.now = 6.0
    pacer.acquire("account")

    # when
    pacer.acquire("account")
    pacer.acquire("account")
    pacer.acquire("account")

    # then: the 4th waits until t=10 (both t=0 slots free), the 6th until t=16
    assert clock.sleeps == [4.0, 6.0]
    assert clock.now == 16.0


def test_accounts_are_paced_independently():
    # given
    clock = FakeClock()
    pacer = SlidingWindowPacer(limit=2, window_s=10.0, clock=clock, sleep=clock.sleep)
    pacer.acquire("shop-a")
    pacer.acquire("shop-a")

    # when
    pacer.acquire("shop-b")
    pacer.acquire("shop-b")

    # then
    assert clock.sleeps == []


def test_threads_never_exceed_the_limit_together():
    # given: 8 threads racing for 40 slots of a window that never slides
    clock = FakeClock()
    slept = threading.Event()

    def sleep(seconds):
        slept.set()
        raise TimeoutError  # ends the thread instead of waiting for a window that never moves

    pacer = SlidingWindowPacer(limit=40, window_s=10.0, clock=clock, sleep=sleep)
    granted = []

    def worker():
        try:
            for _ in range(10):
                pacer.acquire("account")
                granted.append(1)
        except TimeoutError:
            pass

    # when
    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then
    assert len(granted) == 40
    assert slept.is_set()
