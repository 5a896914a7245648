"""Before anything is timed: does every workload answer correctly, on PAHT and on the raw app?

Statuses and fields are checked on each app; for the reads both apps answer, the two JSON documents
must be equal, and for the writes their fields must be the same. This is what `make bench-quick`
asserts in CI (correctness, never timing).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import orjson

from bench.context import Context
from bench.footprint import difference, footprint, mismatch
from bench.workloads import Actions, Open311, Submissions


@dataclass(frozen=True)
class Check:
    workload: str
    app: str
    ok: bool
    detail: str


def _raw_request(client: httpx.Client, data: bytes) -> httpx.Response:
    """Send one request the load generator would send (its pre-encoded bytes), through httpx."""
    head, _, body = data.partition(b"\r\n\r\n")
    request_line, *header_lines = head.decode().split("\r\n")
    method, path, _ = request_line.split(" ")
    skip = ("host:", "content-length:")
    headers = dict(line.split(": ", 1) for line in header_lines if not line.lower().startswith(skip))
    return client.request(method, path, headers=headers, content=body or None)


def _diff(a: Any, b: Any, path: str = "") -> str | None:
    if type(a) is not type(b):
        return f"{path or '/'}: {str(a)[:80]} ≠ {str(b)[:80]}"
    if isinstance(a, dict):
        if set(a) != set(b):
            return f"{path or '/'}: fields {sorted(set(a) ^ set(b))} differ"
        for key in a:
            if (found := _diff(a[key], b[key], f"{path}/{key}")) is not None:
                return found
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path or '/'}: {len(a)} ≠ {len(b)} items"
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            if (found := _diff(x, y, f"{path}/{index}")) is not None:
                return found
        return None
    return None if a == b else f"{path}: {str(a)[:80]} ≠ {str(b)[:80]}"


def _shape(a: Any, b: Any, path: str = "") -> str | None:
    """Same fields at every level (values may differ: two writes make two reports)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return f"{path or '/'}: fields {sorted(set(a) ^ set(b))} differ"
        for key in a:
            if (found := _shape(a[key], b[key], f"{path}/{key}")) is not None:
                return found
    return None


def run_checks(context: Context, clients: dict[str, httpx.Client], present: set[str], raw: set[str]) -> list[Check]:
    checks: list[Check] = []
    for workload, check in CHECKS.items():
        if workload not in present:
            continue
        apps = [name for name in clients if name == "paht" or workload in raw]
        try:
            checks += check(context, {name: clients[name] for name in apps})
        except Exception as exc:  # a crash in a check is a failed check, reported with the others
            checks.append(Check(workload, "paht", False, f"{type(exc).__name__}: {exc}"))
    return checks


def _compare_reads(workload: str, paths: list[tuple[str, dict]], clients: dict[str, httpx.Client]) -> list[Check]:
    checks = []
    for path, headers in paths:
        answers = {name: client.get(path, headers=headers) for name, client in clients.items()}
        paht = answers["paht"]
        if paht.status_code != 200:
            checks.append(Check(workload, "paht", False, f"{path}: {paht.status_code} {paht.text[:200]}"))
            continue
        for name, answer in answers.items():
            if name == "paht":
                continue
            problem = f"status {answer.status_code}" if answer.status_code != 200 else _diff(paht.json(), answer.json())
            checks.append(Check(workload, name, problem is None, f"{path}: {problem or 'same JSON as PAHT'}"))
        checks.append(Check(workload, "paht", True, f"{path}: 200"))
    return checks


def check_w2(context: Context, clients: dict[str, httpx.Client]) -> list[Check]:
    return _compare_reads("W2", [(f"/api/v1/public/reports/{c}", {}) for c in context.published_codes[:3]], clients)


def check_w3(context: Context, clients: dict[str, httpx.Client]) -> list[Check]:
    picked = context.list_paths[:3] + context.list_paths[-1:]
    return _compare_reads("W3", [(path, context.auth(who)) for path, who in picked], clients)


def check_w1(context: Context, clients: dict[str, httpx.Client]) -> list[Check]:
    answers, rows = {}, {}
    for name, client in clients.items():
        # The same report from each app (its own Idempotency-Key): where it lands decides its area's rows.
        _, data = Submissions(context, seed=1).next(0)
        before = _footprint(context)
        answers[name] = _raw_request(client, data)
        if answers[name].status_code == 201 and before is not None:
            rows[name] = difference(before, _footprint(context, uuid.UUID(answers[name].json()["id"])))
    sound = lambda j: j["state"] == "received" and j["clock"]["stage"] == "dispatch"  # noqa: E731
    checks = _compare_writes("W1", answers, 201, sound)
    return checks + _compare_rows("W1", rows)


def check_w7(context: Context, clients: dict[str, httpx.Client]) -> list[Check]:
    """Each app moves the same report on and back (submit_result, send_back or the reverse)."""
    if not context.action_pool:
        return [Check("W7", "paht", False, "no report in processing or awaiting approval")]
    actions, item = Actions(context, seed=7), list(context.action_pool[0])
    report_id = uuid.UUID(item[0])
    there: dict[str, httpx.Response] = {}
    back: dict[str, httpx.Response] = {}
    rows = {}
    # A first round trip, not compared: a step's statistics depend on the report's history (a result after a
    # send-back is a resubmission), so each app's compared round trip follows one.
    for _ in range(2):
        _raw_request(clients["paht"], actions.request(item))
    for name, client in clients.items():
        before = _footprint(context, report_id)
        there[name] = _raw_request(client, actions.request(item))
        back[name] = _raw_request(client, actions.request(item))
        if before is not None:
            rows[name] = difference(before, _footprint(context, report_id))
    checks = _compare_writes("W7", there, 200, lambda j: j["assignment"] is not None and j["clock"] is not None)
    checks += _compare_writes("W7", back, 200, lambda j: j["state"] == context.action_pool[0][1])
    return checks + _compare_rows("W7", rows)


def _footprint(context: Context, report_id: uuid.UUID | None = None) -> dict[str, int] | None:
    return None if context.database is None else footprint(context.database, report_id)


def _compare_rows(workload: str, rows: dict[str, dict[str, int]]) -> list[Check]:
    """The raw app's write left the same rows as PAHT's (counted per table, `bench.footprint`)."""
    if "paht" not in rows:
        return []
    return [
        Check(workload, name, (problem := mismatch(rows["paht"], found)) is None, problem or "the same rows as PAHT's")
        for name, found in rows.items()
        if name != "paht"
    ]


def _compare_writes(
    workload: str, answers: dict[str, httpx.Response], status: int, sound: Callable[[Any], bool]
) -> list[Check]:
    checks = []
    paht = answers["paht"]
    for name, answer in answers.items():
        if answer.status_code != status:
            checks.append(Check(workload, name, False, f"status {answer.status_code}: {answer.text[:200]}"))
            continue
        body = answer.json()
        problem = None if sound(body) else f"unexpected body {answer.text[:200]}"
        if problem is None and name != "paht" and paht.status_code == status:
            problem = _shape(paht.json(), body)
        checks.append(Check(workload, name, problem is None, problem or f"{status}, fields as PAHT's"))
    return checks


def check_w4(context: Context, clients: dict[str, httpx.Client]) -> list[Check]:
    client, hits, checks = clients["paht"], 0, []
    for term in context.search_terms[:6]:
        answer = client.get(f"/api/v1/public/reports?{urlencode({'q': term, 'limit': 50})}")
        ok = answer.status_code == 200 and {"items", "next_cursor"} <= set(answer.json())
        hits += len(answer.json()["items"]) if ok else 0
        checks.append(Check("W4", "paht", ok, f"q={term!r}: {answer.status_code}"))
    checks.append(Check("W4", "paht", hits > 0, f"{hits} reports found for street names"))
    if "raw" in clients:
        auth = context.auth(context.operator)
        paths = [(f"/api/v1/public/reports?{urlencode({'q': t, 'limit': 50})}", {}) for t in context.search_terms[:9:2]]
        paths += [(f"/api/v1/reports?{urlencode({'q': t, 'limit': 50})}", auth) for t in context.search_terms[-6:]]
        checks += [c for c in _compare_reads("W4", paths, clients) if c.app != "paht"]
    return checks


def check_w5(context: Context, clients: dict[str, httpx.Client]) -> list[Check]:
    checks, features = [], 0
    for box in context.bboxes[:5]:
        answer = clients["paht"].get(f"/api/v1/public/reports.geojson?bbox={quote(box)}")
        west, south, east, north = (float(x) for x in box.split(","))
        body = answer.json() if answer.status_code == 200 else {}
        points = [f["geometry"]["coordinates"] for f in body.get("features", [])]
        inside = all(west - 1e-3 <= x <= east + 1e-3 and south - 1e-3 <= y <= north + 1e-3 for x, y in points)
        features += len(points)
        ok = body.get("type") == "FeatureCollection" and inside
        checks.append(Check("W5", "paht", ok, f"bbox {box}: {answer.status_code}, {len(points)} points inside"))
    checks.append(Check("W5", "paht", features > 0, f"{features} points in 5 boxes"))
    if "raw" in clients:
        paths = [(f"/api/v1/public/reports.geojson?bbox={quote(box)}", {}) for box in context.bboxes[:3]]
        checks += [c for c in _compare_reads("W5", paths, clients) if c.app != "paht"]
    return checks


def check_w6(context: Context, clients: dict[str, httpx.Client]) -> list[Check]:
    answer = clients["paht"].get("/api/v1/public/stats")
    ok = answer.status_code == 200 and isinstance(answer.json(), dict) and len(orjson.dumps(answer.json())) > 100
    return [Check("W6", "paht", ok, f"/api/v1/public/stats: {answer.status_code}")]


def check_w9(context: Context, clients: dict[str, httpx.Client]) -> list[Check]:
    client, checks = clients["paht"], []
    code = context.published_codes[0]
    one = client.get(f"/open311/v2/requests/{code}.json")
    ok = one.status_code == 200 and one.json()[0].get("service_request_id") == code
    checks.append(Check("W9", "paht", ok, f"GET requests/{code}.json: {one.status_code}"))
    listed = client.get(f"/open311/v2/requests.json?service_code={context.categories[0][1]}")
    checks.append(
        Check("W9", "paht", listed.status_code == 200 and isinstance(listed.json(), list), "GET requests.json")
    )
    posted = _raw_request(client, Open311(context, seed=5).posts[0])
    ok = posted.status_code in (200, 201) and bool(posted.json()[0].get("service_request_id"))
    checks.append(Check("W9", "paht", ok, f"POST requests.json: {posted.status_code} {posted.text[:120]}"))
    return checks


CHECKS: dict[str, Callable[[Context, dict[str, httpx.Client]], list[Check]]] = {
    "W1": check_w1,
    "W2": check_w2,
    "W3": check_w3,
    "W4": check_w4,
    "W5": check_w5,
    "W6": check_w6,
    "W7": check_w7,
    "W9": check_w9,
}
