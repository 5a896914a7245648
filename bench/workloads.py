"""The benchmark's workloads (W1–W9) as request sources, in a registry each capability plugs into.

A workload names the PAHT route it exercises (so a route not in the tree is reported "endpoint not
present" instead of faked), whether the raw app implements it, whether it writes (then it also runs
against the raw app's group-commit mode), and the status its requests must get.
"""

from __future__ import annotations

import itertools
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import orjson

from bench.context import Context
from bench.loadgen import encode
from paht.benchdata import vocab


@dataclass(frozen=True)
class Workload:
    id: str
    title: str
    route: tuple[str, str]  # (method, path as in PAHT's OpenAPI document)
    source: Callable[[Context, int], object]  # (context, seed) → Source
    expect: int = 200
    raw: bool = False  # the raw app answers it
    writes: bool = False
    latency: bool = True  # also measured open-loop at half of raw's maximum


class Cycle:
    """A read source: the same list of requests, round-robin from a lane-dependent start."""

    def __init__(self, label: str, requests: list[bytes]) -> None:
        self.label, self.requests = label, requests
        self.counter = itertools.count()

    def next(self, lane: int) -> tuple[str, bytes]:
        return self.label, self.requests[(next(self.counter) * 7919 + lane) % len(self.requests)]

    def observe(self, lane: int, label: str, status: int) -> None:
        pass


class Submissions:
    """W1: new reports from the app, each with its own Idempotency-Key; one in ten sent in NFD."""

    def __init__(self, context: Context, seed: int, label: str = "W1") -> None:
        rng = random.Random(seed)
        # Keys are unique across runs and apps (the bodies repeat with the seed; a reused key would be a retry).
        self.label, self.run = label, uuid.uuid4().hex[:12]
        self.bodies = [_submission(rng, context) for _ in range(500)]
        self.counter = itertools.count()

    def next(self, lane: int) -> tuple[str, bytes]:
        n = next(self.counter)
        headers = {"Content-Type": "application/json", "Idempotency-Key": f"bench-{self.run}-{n}"}
        return self.label, encode("POST", "/api/v1/reports", headers=headers, body=self.bodies[n % len(self.bodies)])

    def observe(self, lane: int, label: str, status: int) -> None:
        pass


def _submission(rng: random.Random, context: Context) -> bytes:
    category_id, code = rng.choice(context.categories)
    title, description, street, ward = vocab.complaint(rng, code)
    if rng.random() < 0.1:
        title, description = vocab.nfd(title), vocab.nfd(description)
    body = {
        "description": description,
        "title": title,
        "category_id": category_id,
        "location": {
            "lat": round(rng.uniform(16.42, 16.50), 6),
            "lon": round(rng.uniform(107.55, 107.63), 6),
            "address": f"{rng.randint(1, 250)} {street}, phường {ward}, Huế",
        },
        "reporter": {"name": vocab.person(rng), "phone": f"09{rng.randint(0, 99_999_999):08d}"},
        "consent": True,
    }
    return orjson.dumps(body)


class Actions:
    """W7: each lane owns reports of one body and moves them processing ⇄ awaiting_approval.

    `submit_result` (the body's handler) then `send_back` (its leader): a cycle, so a run never runs
    out of reports. A lane's report is only acted on again after the lane's other reports, and a
    refused action leaves the report's state as it was.
    """

    def __init__(self, context: Context, seed: int, label: str = "W7") -> None:
        self.label, self.context = label, context
        self.lanes: dict[int, list[list]] = {}
        self.turn: dict[int, int] = {}
        pool = [list(item) for item in context.action_pool]
        random.Random(seed).shuffle(pool)
        self.pending: dict[int, tuple[list, str]] = {}
        self.lane_count = max(1, min(64, len(pool)))
        for index, item in enumerate(pool):
            self.lanes.setdefault(index % self.lane_count, []).append(item)

    def next(self, lane: int) -> tuple[str, bytes]:
        reports = self.lanes[lane % self.lane_count]
        turn = self.turn.get(lane, 0)
        self.turn[lane] = turn + 1
        item = reports[turn % len(reports)]
        self.pending[lane] = (item, item[1])
        return self.label, self.request(item)

    def request(self, item: list) -> bytes:
        """The action that moves `item` = [report id, state, body] on, and its state once it succeeds."""
        report_id, state, body = item
        handler, leader = self.context.body_staff[body]
        if state == "processing":
            action, who, payload = (
                "submit_result",
                handler,
                {"result": "Đã kiểm tra và khắc phục xong tại hiện trường."},
            )
            item[1] = "awaiting_approval"
        else:
            action, who, payload = "send_back", leader, {"reason": "Cần bổ sung hình ảnh sau khi khắc phục."}
            item[1] = "processing"
        headers = {"Content-Type": "application/json"} | self.context.auth(who)
        path = f"/api/v1/reports/{report_id}/actions/{action}"
        return encode("POST", path, headers=headers, body=orjson.dumps(payload))

    def observe(self, lane: int, label: str, status: int) -> None:
        item, state = self.pending.pop(lane, (None, ""))
        if item is not None and status != 200:  # refused: the report did not move
            item[1] = state


class Mixed:
    """W8: 90 % reads (W2, W3 and the other present reads) and 10 % writes (W1, W7), per-class labels."""

    def __init__(self, sources: list[tuple[object, float]], seed: int) -> None:
        self.sources = [s for s, _ in sources]
        self.cumulative = list(itertools.accumulate(w for _, w in sources))
        self.rng = random.Random(seed)
        self.pending: dict[int, object] = {}

    def next(self, lane: int) -> tuple[str, bytes]:
        source = self.rng.choices(self.sources, cum_weights=self.cumulative)[0]
        self.pending[lane] = source
        return source.next(lane)  # type: ignore[attr-defined, no-any-return]

    def observe(self, lane: int, label: str, status: int) -> None:
        source = self.pending.pop(lane, None)
        if source is not None:
            source.observe(lane, label, status)  # type: ignore[attr-defined]


def public_report_source(context: Context, seed: int) -> Cycle:
    return Cycle("W2", [encode("GET", f"/api/v1/public/reports/{code}") for code in context.published_codes])


def staff_list_source(context: Context, seed: int) -> Cycle:
    return Cycle("W3", [encode("GET", path, headers=context.auth(who)) for path, who in context.list_paths])


def search_source(context: Context, seed: int) -> Cycle:
    requests = []
    for term in context.search_terms:
        requests.append(encode("GET", f"/api/v1/public/reports?{urlencode({'q': term, 'limit': 50})}"))
        path = f"/api/v1/reports?{urlencode({'q': term, 'limit': 50})}"
        requests.append(encode("GET", path, headers=context.auth(context.operator)))
    return Cycle("W4", requests)


def map_source(context: Context, seed: int) -> Cycle:
    return Cycle("W5", [encode("GET", f"/api/v1/public/reports.geojson?bbox={quote(b)}") for b in context.bboxes])


def stats_source(context: Context, seed: int) -> Cycle:
    paths = ["/api/v1/public/stats", "/api/v1/public/stats?group_by=category"]
    return Cycle("W6", [encode("GET", p) for p in paths])


class Open311:
    """W9: Open311 GeoReport v2 — list and get requests (reads) and POST a request (one in ten)."""

    def __init__(self, context: Context, seed: int) -> None:
        rng = random.Random(seed)
        codes = context.published_codes[:500] or ["PA-00000000"]
        reads = [encode("GET", f"/open311/v2/requests/{code}.json") for code in codes]
        for _, service in context.categories:
            reads.append(encode("GET", f"/open311/v2/requests.json?service_code={service}&status=closed"))
            reads.append(encode("GET", f"/open311/v2/requests.json?service_code={service}"))
        self.reads = Cycle("W9", reads)
        self.posts = [self._post(rng, context) for _ in range(200)]
        self.counter = itertools.count()

    @staticmethod
    def _post(rng: random.Random, context: Context) -> bytes:
        _, service = rng.choice(context.categories)
        _, description, street, ward = vocab.complaint(rng, service)
        form = {
            "api_key": context.open311_key or "",
            "service_code": service,
            "lat": f"{rng.uniform(16.42, 16.50):.6f}",
            "long": f"{rng.uniform(107.55, 107.63):.6f}",
            "address_string": f"{rng.randint(1, 250)} {street}, phường {ward}, Huế",
            "description": description,
            "phone": f"09{rng.randint(0, 99_999_999):08d}",
            "first_name": vocab.person(rng),
        }
        body = urlencode(form).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return encode("POST", "/open311/v2/requests.json", headers=headers, body=body)

    def next(self, lane: int) -> tuple[str, bytes]:
        n = next(self.counter)
        if n % 10 == 9 and self.posts:
            return "W9-post", self.posts[n % len(self.posts)]
        return self.reads.next(lane)

    def observe(self, lane: int, label: str, status: int) -> None:
        pass


READS = {"W2": public_report_source, "W3": staff_list_source, "W4": search_source, "W5": map_source}


def mixed_source(context: Context, seed: int) -> Mixed:
    """`context.mixed_reads` names the reads both apps answer, so that PAHT and raw get the same mix."""
    reads = [READS[w](context, seed) for w in sorted(context.mixed_reads)]
    parts: list[tuple[object, float]] = [(source, 90.0 / len(reads)) for source in reads]
    parts += [(Submissions(context, seed + 1), 5.0), (Actions(context, seed + 2), 5.0)]
    return Mixed(parts, seed)


REGISTRY: tuple[Workload, ...] = (
    Workload("W1", "submit a report (durable)", ("post", "/api/v1/reports"), Submissions, 201, raw=True, writes=True),
    Workload("W2", "one public report", ("get", "/api/v1/public/reports/{code}"), public_report_source, raw=True),
    Workload("W3", "filtered list, keyset, 50 rows", ("get", "/api/v1/reports"), staff_list_source, raw=True),
    Workload("W4", "search (public and staff)", ("get", "/api/v1/public/reports"), search_source, raw=True),
    Workload("W5", "map: reports in a bbox", ("get", "/api/v1/public/reports.geojson"), map_source, raw=True),
    Workload("W6", "public statistics", ("get", "/api/v1/public/stats"), stats_source),
    Workload(
        "W7",
        "workflow action (submit_result ⇄ send_back)",
        ("post", "/api/v1/reports/{report_id}/actions/{action}"),
        Actions,
        raw=True,
        writes=True,
    ),
    Workload("W8", "mixed: 90 % reads, 10 % writes", ("get", "/api/v1/reports"), mixed_source, raw=True, writes=True),
    Workload("W9", "Open311 requests (GET list/one, POST)", ("get", "/open311/v2/requests.{fmt}"), Open311),
)

EXPECTED_STATUS = {"W1": 201, "W9-post": 200}
