"""Two cores at work on one big job: Python in one thread while the database works in another.

SQLite and psycopg release the GIL while the database works (a statement stepping, a server
round trip), so Python code in a second thread runs meanwhile. Order and content never change:
one thread draws or works, in sequence, and its exception is raised in the caller's thread.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from queue import Full, Queue
from threading import Event, Thread
from typing import TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")

_END = object()
SWITCH_SECONDS = 0.0005


def prefetched(items: Iterable[T], depth: int = 2) -> Generator[T, None, None]:
    """Yield `items`, drawing the next ones in a thread meanwhile: the producer runs while the
    caller writes the previous batch (with `gc_paused`, a 300k-invoice demo went from 25 s to
    14 s)."""
    queue: Queue[tuple[object, BaseException | None]] = Queue(maxsize=depth)
    stop = Event()

    def put(item: object, error: BaseException | None = None) -> None:
        while not stop.is_set():  # the consumer may have stopped early: do not block forever
            try:
                queue.put((item, error), timeout=0.1)
                return
            except Full:
                continue

    def draw() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                put(item)
        except BaseException as exc:  # handed to the consumer, which raises it
            put(_END, exc)
            return
        put(_END)

    thread = Thread(target=draw, name="prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item, error = queue.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield cast(T, item)
    finally:
        stop.set()
        thread.join()


def overlapped(source: Iterable[T], work: Callable[[T], R]) -> Iterator[R]:
    """`work(item)` for each item of `source`, in order, each computed in a second thread while
    the caller draws the next item and handles the previous result.

    The reverse of `prefetched`: here the *source* stays in the caller's thread (a cursor on
    the caller's connection) and so does what the caller does with each result (writes on that
    connection). Draw items in big pieces: a source that hands the GIL back for every row (the
    sqlite3 module steps each row without it) waits for it after every row while `work` runs,
    and a million rows read in 4 s alone took 13 s so (see `cycle.items`)."""
    items = iter(source)
    with quick_switches(), ThreadPoolExecutor(1, thread_name_prefix="overlapped") as pool:
        previous: list[R] = []
        item = next(items, _END)
        while item is not _END:
            future = pool.submit(work, cast(T, item))
            yield from previous  # handled by the caller while `work(item)` runs
            item = next(items, _END)  # drawn meanwhile too
            previous = [future.result()]
        yield from previous


@contextmanager
def quick_switches(seconds: float = SWITCH_SECONDS) -> Iterator[None]:
    """A shorter GIL switch interval, for the whole process, while this lasts. A thread that
    comes back from the database (each write statement) waits up to the interval for the GIL
    held by the busy one: at the default 5 ms the cycle's writes on SQLite took 12.3 s beside
    the planning thread, at 0.5 ms 8.9 s."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    try:
        yield
    finally:
        sys.setswitchinterval(before)
