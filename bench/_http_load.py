"""A lean HTTP/1.1 load generator for the web benchmarks: `connections` keep-alive
connections, each asking for one path after another (an optional think time between), timing
each answer, for `seconds`. It runs in a process of its own (`run` starts it), so its work is
not the server's, and it costs little: a few tens of microseconds a request, against a
millisecond or more for an httpx client, which on a 2-core machine took CPU the server needed.

Only what Cobro's server answers is handled: a status line, headers with a Content-Length,
a body of that length."""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# (kind, path) of the next request, chosen with the connection's own random generator
Pick = Callable[[random.Random], tuple[str, str]]


@dataclass
class Timings:
    seconds: dict[str, list[float]] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, seconds: float, ok: bool) -> None:
        self.seconds.setdefault(kind, []).append(seconds)
        if not ok:
            self.failures[kind] = self.failures.get(kind, 0) + 1


@dataclass(frozen=True)
class Load:
    host: str
    port: int
    headers: list[str]  # one connection each ("Cookie: …" or "Authorization: …"), in turn
    connections: int
    seconds: float
    pick: Pick
    think: float = 0.0  # seconds between answer and next request, on average (0: none)


async def _connection(load: Load, number: int, timings: Timings, until: float) -> None:
    rng = random.Random(number)
    header = load.headers[number % len(load.headers)]
    reader, writer = await asyncio.open_connection(load.host, load.port)
    if load.think:  # users do not all start on the same tick
        await asyncio.sleep(rng.uniform(0, load.think))
    try:
        while time.monotonic() < until:
            kind, path = load.pick(rng)
            request = f"GET {path} HTTP/1.1\r\nHost: {load.host}\r\n{header}\r\n\r\n"
            started = time.perf_counter()
            writer.write(request.encode())
            status = await _answer(reader)
            timings.add(kind, time.perf_counter() - started, status == 200)
            if load.think:
                await asyncio.sleep(rng.uniform(0.5 * load.think, 1.5 * load.think))
    finally:
        writer.close()


async def _answer(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


async def _drive(load: Load) -> Timings:
    timings = Timings()
    until = time.monotonic() + load.seconds
    await asyncio.gather(*(_connection(load, n, timings, until) for n in range(load.connections)))
    return timings


def _child(load: Load, answers: multiprocessing.Queue[Timings]) -> None:
    answers.put(asyncio.run(_drive(load)))


def run(load: Load) -> Timings:
    """Drive `load` from a process of its own; its timings."""
    context = multiprocessing.get_context("fork")
    answers: multiprocessing.Queue[Timings] = context.Queue()
    process = context.Process(target=_child, args=(load, answers))
    process.start()
    timings = answers.get(timeout=load.seconds + 120)
    process.join(timeout=30)
    return timings
