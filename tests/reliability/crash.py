"""The crash harness: client threads submit reports to a real `paht serve` while it is killed with SIGKILL.

Each report's description carries its Idempotency-Key, so the database itself says which keys made a
report. A round: start the server (on the database the previous round crashed), re-send the last keys of
the previous round, submit from several threads, SIGKILL the server at a seeded random moment, then
check the database directly.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from paht.db import Database
from paht.models import Report
from tests.factories import new_report_body
from tests.reliability.processes import Server, start_server

MARKER = "kiểm thử sập máy chủ"
CLIENT_THREADS = 6
RETRIED_KEYS = 50
RETRY_409_SECONDS = 20
FIRST_ACK_SECONDS = 30


@dataclass
class Ledger:
    """What the clients sent and what the server acknowledged (201), across all rounds."""

    sent: list[str] = field(default_factory=list)
    bodies: dict[str, dict[str, Any]] = field(default_factory=dict)
    acked: dict[str, str] = field(default_factory=dict)  # key → report id of the 201
    unexpected: list[str] = field(default_factory=list)  # answers other than 201 while the server was alive
    lock: threading.Lock = field(default_factory=threading.Lock)

    def new_request(self) -> tuple[str, dict[str, Any]]:
        key = str(uuid.uuid4())
        body = new_report_body(description=f"Đèn đường hỏng trước số 12 Lê Lợi, {MARKER} {key}")
        with self.lock:
            self.sent.append(key)
            self.bodies[key] = body
        return key, body


@dataclass
class RoundFigures:
    acked: int = 0  # acknowledged in this round
    committed_unacked: int = 0  # keys of this round with a report but no 201 (the kill cut the answer)
    retried: int = 0
    replayed: int = 0  # retries answered with the original response


def post(client: httpx.Client, key: str, body: dict[str, Any]) -> httpx.Response:
    return client.post("/api/v1/reports", json=body, headers={"Idempotency-Key": key})


def _client(server: Server, ledger: Ledger, stop: threading.Event) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        while not stop.is_set():
            key, body = ledger.new_request()
            try:
                response = post(client, key, body)
            except httpx.TransportError:
                return  # the server is gone
            if response.status_code == 201:
                with ledger.lock:
                    ledger.acked[key] = response.json()["id"]
            elif server.process.poll() is None:
                ledger.unexpected.append(f"{response.status_code} {response.text[:200]}")


def submit_until_killed(server: Server, ledger: Ledger, kill_after: float) -> None:
    """Submit from CLIENT_THREADS threads; SIGKILL the server `kill_after` seconds after its first 201.

    Counting from the first acknowledgement (not from the start) keeps a slow first request on a busy
    machine from turning a round into a kill before anything was written.
    """
    stop = threading.Event()
    threads = [threading.Thread(target=_client, args=(server, ledger, stop)) for _ in range(CLIENT_THREADS)]
    acked_before = len(ledger.acked)
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + FIRST_ACK_SECONDS
    while len(ledger.acked) == acked_before and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(kill_after)
    server.kill()
    stop.set()
    for thread in threads:
        thread.join(60)


def reports_by_key(url: str) -> dict[str, list[str]]:
    """Every crash-test report in the database, grouped by the key in its description."""
    database = Database(url)
    try:
        with database.read() as session:
            rows = session.execute(select(Report.id, Report.description).where(Report.description.contains(MARKER)))
            found: dict[str, list[str]] = {}
            for report_id, description in rows:
                found.setdefault(description.rsplit(" ", 1)[-1], []).append(str(report_id))
            return found
    finally:
        database.dispose()


def check_database(url: str, ledger: Ledger, keys: list[str]) -> int:
    """Every acknowledged key has exactly its one report; no key has two. Returns committed-but-unacked count."""
    found = reports_by_key(url)
    doubles = {key: ids for key, ids in found.items() if len(ids) > 1}
    assert not doubles, f"keys with two reports: {doubles}"
    lost = [key for key, report_id in ledger.acked.items() if found.get(key) != [report_id]]
    assert not lost, f"{len(lost)} acknowledged report(s) lost or different after the crash: {lost[:5]}"
    return sum(1 for key in keys if key in found and key not in ledger.acked)


def _retry(client: httpx.Client, key: str, body: dict[str, Any]) -> httpx.Response:
    """Re-send until answered: a claim left by the killed request holds the key (409) until it expires."""
    deadline = time.monotonic() + RETRY_409_SECONDS
    while True:
        response = post(client, key, body)
        if response.status_code != 409 or time.monotonic() > deadline:
            return response
        time.sleep(0.25)


def retry_last_keys(server: Server, url: str, ledger: Ledger, keys: list[str]) -> tuple[int, int]:
    """Re-send `keys` with their bodies: acknowledged and committed ones replay their report, none doubles."""
    before = reports_by_key(url)
    replayed = 0
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for key in keys:
            response = _retry(client, key, ledger.bodies[key])
            assert response.status_code == 201, response.text
            report_id = response.json()["id"]
            if key in before:
                assert [report_id] == before[key], f"key {key} answered another report on retry"
                assert response.headers.get("Idempotent-Replayed") == "true"
                replayed += 1
            if key in ledger.acked:
                assert report_id == ledger.acked[key]
            ledger.acked.setdefault(key, report_id)
    after = reports_by_key(url)
    assert all(len(after.get(key, [])) == 1 for key in keys), "a retried key has no report or two"
    return len(keys), replayed


def run_rounds(
    url: str, env: dict[str, str], workdir: Path, *, rounds: int, seed: int, until_acked: int = 0, max_rounds: int = 60
) -> list[RoundFigures]:
    """At least `rounds` crash rounds on one database (more until `until_acked` acknowledgements, at most
    `max_rounds`), then a last restart that retries the last round's keys."""
    rng, ledger, figures = random.Random(seed), Ledger(), []
    previous: list[str] = []
    while True:
        server = start_server(env, workdir)
        try:
            retried, replayed = retry_last_keys(server, url, ledger, previous) if previous else (0, 0)
            if figures:
                figures[-1].retried, figures[-1].replayed = retried, replayed
            enough = len(figures) >= rounds and sum(f.acked for f in figures) >= until_acked
            if enough or len(figures) >= max_rounds:
                break
            first, acked_before = len(ledger.sent), len(ledger.acked)
            submit_until_killed(server, ledger, kill_after=rng.uniform(0.8, 2.0))
        finally:
            server.kill()
        assert not ledger.unexpected, ledger.unexpected[:5]
        this_round = ledger.sent[first:]
        figures.append(RoundFigures(acked=len(ledger.acked) - acked_before))
        figures[-1].committed_unacked = check_database(url, ledger, this_round)
        total = sum(f.acked for f in figures)
        print(f"round {len(figures)}: {figures[-1].acked} acknowledged ({total} in all), 0 lost", flush=True)
        previous = this_round[-RETRIED_KEYS:]
    counts = Counter(len(ids) for ids in reports_by_key(url).values())
    assert set(counts) <= {1}, counts
    return figures
