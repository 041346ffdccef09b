"""The import reads Back Market's next page in a thread while it writes the last one."""

import threading

import pytest

from shipdesk.sync.importer import _read_ahead


class Boom(Exception):
    pass


def test_pages_come_in_order_then_the_error_after_the_pages_read_before_it():
    def pages():
        yield from (1, 2, 3)
        raise Boom("page 4 refused")

    seen = []
    with pytest.raises(Boom, match="page 4 refused"):
        for page in _read_ahead(pages()):
            seen.append(page)

    assert seen == [1, 2, 3]


def test_the_next_page_is_read_while_the_caller_works_on_the_last():
    second_read = threading.Event()

    def pages():
        yield 1
        second_read.set()
        yield 2

    reader = _read_ahead(pages())
    assert next(reader) == 1
    # The caller has not asked for page 2 yet, but the thread is already reading it.
    assert second_read.wait(timeout=10)
    assert list(reader) == [2]


def test_closing_stops_the_thread_without_reading_everything():
    reads = []

    def pages():
        for n in range(1000):
            reads.append(n)
            yield n

    reader = _read_ahead(pages())
    assert next(reader) == 0
    reader.close()

    assert not any(t.name == "import-read-ahead" and t.is_alive() for t in threading.enumerate())
    assert len(reads) <= 3  # the page handed over, one waiting, one read as it stopped
