"""An HTTP/1.1 load generator: closed loop (maximum throughput) and open loop (latency at a fixed rate).

Requests come pre-encoded from a `Source`; responses are parsed with httptools (the parser uvicorn uses).
The open loop measures each latency from the instant the request was *due*, not from when a connection
became free, so a server that falls behind shows it in its p99 (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import httptools


class Source(Protocol):
    """Where requests come from. `lane` is a connection (closed loop) or a request slot (open loop)."""

    def next(self, lane: int) -> tuple[str, bytes]:
        """(class label, the request's bytes)."""
        ...

    def observe(self, lane: int, label: str, status: int) -> None: ...


def encode(method: str, path: str, *, headers: dict[str, str] | None = None, body: bytes | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


@dataclass
class ClassResult:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    def record(self, status: int, seconds: float) -> None:
        self.latencies.append(seconds)
        self.statuses[status] = self.statuses.get(status, 0) + 1


@dataclass
class RunResult:
    seconds: float
    classes: dict[str, ClassResult]
    offered_rate: float | None = None
    sent: int = 0  # every answered request, warm-up included (what the server's CPU time paid for)

    @property
    def count(self) -> int:
        return sum(len(c.latencies) for c in self.classes.values())

    @property
    def rps(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def statuses(self) -> dict[int, int]:
        total: dict[int, int] = {}
        for result in self.classes.values():
            for status, count in result.statuses.items():
                total[status] = total.get(status, 0) + count
        return total

    def latencies(self) -> list[float]:
        return [x for c in self.classes.values() for x in c.latencies]


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class _Connection(asyncio.Protocol):
    """One keep-alive connection; one request in flight at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[int] | None = None
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_message_complete(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(self.parser.get_status_code())

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("the server closed the connection"))
        if not self.closed.done():
            self.closed.set_result(None)

    async def send(self, data: bytes) -> int:
        # A connection that waited in the idle queue past the server's keep-alive timeout is closed
        # already (an overloaded open-loop run): writing to it raises RuntimeError under uvloop.
        if self.transport is None or self.transport.is_closing() or self.closed.done():
            raise ConnectionError("the connection was closed while idle")
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(data)
        return await self.waiter


async def _connect(host: str, port: int) -> _Connection:
    loop = asyncio.get_running_loop()
    _, protocol = await loop.create_connection(_Connection, host, port)
    return protocol


async def _send(host: str, port: int, conn: _Connection, data: bytes) -> tuple[_Connection, int]:
    """Send on `conn`; a connection the server closed is replaced once (status 599 if that fails too)."""
    try:
        return conn, await conn.send(data)
    except ConnectionError:
        try:
            conn = await _connect(host, port)
            return conn, await conn.send(data)
        except (ConnectionError, OSError):
            return conn, 599


async def closed_loop(
    host: str, port: int, source: Source, *, connections: int, seconds: float, warmup: float
) -> RunResult:
    """`connections` clients, each sending its next request as soon as the last one is answered."""
    classes: dict[str, ClassResult] = {}
    sent = [0]
    start = time.perf_counter()
    measure_from, end = start + warmup, start + warmup + seconds

    async def client(lane: int) -> None:
        conn = await _connect(host, port)
        while (now := time.perf_counter()) < end:
            label, data = source.next(lane)
            conn, status = await _send(host, port, conn, data)
            done = time.perf_counter()
            sent[0] += 1
            source.observe(lane, label, status)
            if now >= measure_from:
                classes.setdefault(label, ClassResult()).record(status, done - now)
        if conn.transport is not None:
            conn.transport.close()

    await asyncio.gather(*(client(lane) for lane in range(connections)))
    return RunResult(seconds=time.perf_counter() - measure_from, classes=classes, sent=sent[0])


async def open_loop(
    host: str, port: int, source: Source, *, rate: float, seconds: float, warmup: float, connections: int = 64
) -> RunResult:
    """Requests due at a fixed `rate`; each latency counts from its due time (queueing included)."""
    classes: dict[str, ClassResult] = {}
    idle: asyncio.Queue[_Connection] = asyncio.Queue()
    for _ in range(connections):
        idle.put_nowait(await _connect(host, port))
    start = time.perf_counter()
    measure_from = start + warmup
    total = int((warmup + seconds) * rate)
    tasks: set[asyncio.Task[None]] = set()
    sent = [0]

    async def one(index: int, due: float) -> None:
        label, data = source.next(index)
        conn = await idle.get()
        conn, status = await _send(host, port, conn, data)
        done = time.perf_counter()
        sent[0] += 1
        idle.put_nowait(conn)
        source.observe(index, label, status)
        if due >= measure_from:
            classes.setdefault(label, ClassResult()).record(status, done - due)

    for index in range(total):
        due = start + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(one(index, due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.gather(*tasks)
    while not idle.empty():
        conn = idle.get_nowait()
        if conn.transport is not None:
            conn.transport.close()
    measured = max(1e-9, (start + warmup + seconds) - measure_from)
    return RunResult(seconds=measured, classes=classes, offered_rate=rate, sent=sent[0])


def run(coroutine_factory: Callable[[], object]) -> RunResult:
    """Run a load coroutine on uvloop when it is installed (the client then costs less CPU per request)."""
    try:
        import uvloop

        return uvloop.run(coroutine_factory())  # type: ignore[arg-type, no-any-return]
    except ImportError:
        return asyncio.run(coroutine_factory())  # type: ignore[arg-type, no-any-return]
