"""Who may call what: every API route × persona, and every workflow action × state × persona.

The expected statuses are written out as tables, so a change to who may do what must change a table here.
Reports of body A (SXD) are submitted by `citizen`; reports of body B (PHUHOI) by `citizen_b`.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select
from starlette.routing import Mount

from paht.auth.service import issue_token
from paht.clock import utc_now
from paht.main import create_app
from paht.models import AbuseEntry, Event, Notification, Report, User
from paht.users.service import create_user
from paht.workflow import Action, ReportState
from tests.factories import PASSWORD, idem, new_report_body, password_hash, tokens_for
from tests.factories import PERSONAS as USERNAMES
from tests.flow import Flow

PERSONA_COLUMNS = {
    "anon": "anonymous",
    "cit": "citizen",
    "citB": "citizen_b",
    "hA": "handler_a",
    "lA": "leader_a",
    "hB": "handler_b",
    "lB": "leader_b",
    "plB": "parent_leader_b",
    "vpB": "viewer_parent_b",
    "op": "ioc_operator",
    "ed": "ioc_editor",
    "adm": "admin",
}
STATES = [state.value for state in ReportState]
ACTIONS = [action.value for action in Action]


def parse_table(text: str, *, keys: int) -> tuple[list[str], dict[tuple[str, ...], list[int]]]:
    """A whitespace-separated table: the header names the columns, each row starts with `keys` key cells;
    lines starting with # are comments."""
    lines = [line.split() for line in text.strip().splitlines() if line.strip() and not line.lstrip().startswith("#")]
    header, *lines = lines
    rows = {}
    for cells in lines:
        assert len(cells) == len(header), f"row {cells[:keys]} has {len(cells)} cells, the header {len(header)}"
        rows[tuple(cells[:keys])] = [int(c) for c in cells[keys:]]
    return header[keys:], rows


def by_persona(columns: list[str], statuses: list[int]) -> dict[str, int]:
    return {PERSONA_COLUMNS[c]: s for c, s in zip(columns, statuses, strict=True)}


@dataclass(frozen=True)
class Body:
    code: str
    reporter: str
    handler: str
    leader: str
    elsewhere: str  # where its handler says a returned report belongs


BODY_A = Body("SXD", "citizen", "handler_a", "leader_a", "PHUHOI")
BODY_B = Body("PHUHOI", "citizen_b", "handler_b", "leader_b", "SXD")

DISPATCH, RETURN = ("ioc_operator", "dispatch"), ("handler", "return")
TO_PROCESSING = [DISPATCH, ("handler", "acknowledge")]
TO_APPROVED = [*TO_PROCESSING, ("handler", "submit_result"), ("leader", "approve")]
PATHS: dict[str, list[tuple[str, str]]] = {
    "received": [],
    "dispatched": [DISPATCH],
    "processing": TO_PROCESSING,
    "returned": [DISPATCH, RETURN],
    "awaiting_approval": TO_APPROVED[:-1],
    "approved": TO_APPROVED,
    "published": [*TO_APPROVED, ("ioc_editor", "publish")],
    # Closed after the body returned it, so the body still sees it.
    "rejected": [DISPATCH, RETURN, ("ioc_operator", "reject")],
    "duplicate": [DISPATCH, RETURN, ("ioc_operator", "mark_duplicate")],
    "held": [],  # submitted with a phone on the abuse list (World.report)
}
HELD_PHONE = "0905 000 111"


def photo_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (200, 60, 40)).save(out, format="JPEG")
    return out.getvalue()


@dataclass
class World:
    """Reports in any state, built through the API, shared between checks unless a check changes them."""

    client: TestClient
    personas: Any
    db: Any
    flow: Flow = field(init=False)
    _cache: dict[str, dict[str, Any]] = field(default_factory=dict)
    _categories: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.flow = Flow(self.client, self.personas, self.db)

    def headers(self, persona: str) -> dict[str, str]:
        return self.personas[persona]

    def payload(self, action: str, body: Body) -> dict[str, Any]:
        orgs = self.flow.orgs
        if action == "mark_duplicate":
            return {"duplicate_of_id": self.context("original")["report_id"]}
        return {
            "dispatch": {"organization_id": orgs[body.code]},
            "acknowledge": {},
            "return": {"reason": "Không thuộc thẩm quyền", "suggested_organization_id": orgs[body.elsewhere]},
            "submit_result": {"result": "Đã khắc phục xong."},
            "approve": {},
            "send_back": {"reason": "Cần bổ sung ảnh sau khắc phục"},
            "publish": {},
            "reject": {"reason": "Không đủ thông tin"},
            "reopen": {"reason": "Người phản ánh chưa hài lòng"},
            "release": {},
        }[action]

    def report(
        self,
        state: str,
        body: Body = BODY_A,
        *,
        by: str | None = None,
        photo: bytes | None = None,
        submission: dict[str, Any] | None = None,
        payloads: dict[str, dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A new report driven to `state`: submitted by `by` (the body's citizen), with `payloads` for some steps."""
        reporter = by or body.reporter
        if state == "held":
            self._list_held_phone()
            submission = {"reporter": {"phone": HELD_PHONE}} | (submission or {})
        report = self.flow.submit(reporter, **(submission or {}))
        if photo:
            self.upload(report["id"], reporter, data=photo, headers={"X-Reporter-Token": report["reporter_token"]})
        for who, action in PATHS[state]:
            payload = (payloads or {}).get(action) or self.payload(action, body)
            report = self.flow.act(report, getattr(body, who, who), action, **payload)
        return report

    def _list_held_phone(self) -> None:
        with self.db.write() as session:
            if not session.scalar(select(func.count()).select_from(AbuseEntry)):
                session.add(AbuseEntry(kind="phone", value="+84905000111", reason="thử", added_at=utc_now()))

    def upload(self, report_id: str, persona: str, *, data: bytes, headers: dict[str, str]) -> None:
        response = self.client.post(
            f"/api/v1/reports/{report_id}/attachments",
            files={"file": ("anh.jpg", data, "application/octet-stream")},
            headers=self.headers(persona) | headers,
        )
        assert response.status_code == 201, response.text

    def context(self, spec: str, *, fresh: bool = False) -> dict[str, Any]:
        """`original`, `<state>:<A|B>`, `<state>:<A|B>+photo` or `notification:<persona>`; fresh ones are not shared."""
        if not fresh and spec in self._cache:
            return self._cache[spec]
        kind, _, rest = spec.partition(":")
        if kind == "original":
            found = {"report_id": self.flow.submit()["id"]}
        elif kind == "notification":
            found = {"notification_id": self._notification_for(rest)}
        elif kind in ("rule", "open311_key"):
            found = self._admin_made(kind)
        else:
            body_name, _, extra = rest.partition("+")
            photo = photo_bytes() if extra == "photo" else None
            report = self.report(kind, BODY_A if body_name == "A" else BODY_B, photo=photo)
            found = {"report_id": report["id"], "code": report["code"], "ref": report["code"]}
            if extra == "photo":
                photos = self.client.get(f"/api/v1/reports/{report['id']}/attachments", headers=self.headers("admin"))
                found["attachment_id"] = photos.json()[0]["id"]
        if not fresh:
            self._cache[spec] = found
        return found

    def unused_category(self) -> int:
        """Each routing rule gets a category of its own, so that no two rules clash."""
        if not self._categories:
            self._categories = [c["id"] for c in self.client.get("/api/v1/categories").json()]
        return self._categories.pop()

    def _admin_made(self, kind: str) -> dict[str, Any]:
        admin = self.headers("admin")
        if kind == "rule":
            rule = {"category_id": self.unused_category(), "organization_id": self.flow.orgs["SXD"]}
            made = self.client.post("/api/v1/admin/routing-rules", json=rule, headers=admin)
            assert made.status_code == 201, made.text
            return {"rule_id": made.json()["id"], "category_id": rule["category_id"]}
        made = self.client.post("/api/v1/admin/open311-keys", json={"name": "Ứng dụng thử"}, headers=admin)
        assert made.status_code == 201, made.text
        return {"key_id": made.json()["id"]}

    def _notification_for(self, persona: str) -> int:
        with self.db.write() as session:
            user_id = session.scalar(select(User.id).where(User.username == USERNAMES[persona]))
            row = Notification(user_id=user_id, kind="dispatch", message="Phản ánh mới", created_at=utc_now())
            session.add(row)
            session.flush()
            return row.id


def walk_routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, str, Any]]:
    """(method, path, route) for every route, through included routers and mounts."""
    for route in routes:
        if hasattr(route, "original_router"):  # FastAPI ≥ 0.16x keeps included routers as nodes
            yield from walk_routes(route.original_router.routes, prefix + route.include_context.prefix)
        elif isinstance(route, Mount):
            yield from walk_routes(route.routes, prefix + route.path)
        elif getattr(route, "methods", None):
            yield from ((method, prefix + route.path, route) for method in sorted(route.methods - {"HEAD"}))


def app_routes(routes: list[Any]) -> set[str]:
    return {f"{method} {path}" for method, path, _ in walk_routes(routes)}


# ---------------------------------------------------------------------------------------------------------------
# Routes × personas. A context "<state>:A" is a report of body A in that state; "+photo" adds the reporter's photo.
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # exactly as the route declares it
    on: str | None = None  # the context its path parameters come from
    params: dict[str, str] = field(default_factory=dict)
    json: dict[str, Any] | Callable[[World, dict[str, Any]], dict[str, Any]] | None = None
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    upload: bool = False
    own_token: bool = False  # a token of its own, so that logging out does not spend the shared one

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"


def rule_payload(world: World, context: dict[str, Any]) -> dict[str, Any]:
    """A routing rule for the context's category, or for a category no other rule uses yet."""
    category_id = context.get("category_id") or world.unused_category()
    return {"category_id": category_id, "organization_id": world.flow.orgs["SXD"], "note": "Theo phân cấp"}


ABUSE = "/api/v1/admin/abuse-list"


def abuse_entry(world: World, context: dict[str, Any]) -> dict[str, Any]:
    """A new Zalo id each time, so that every allowed call adds an entry (the same one twice is 409)."""
    return {"kind": "zalo", "value": uuid.uuid4().hex, "reason": "Gửi tin rác"}


PRIVACY = "/api/v1/privacy/requests"


def privacy_request(world: World, context: dict[str, Any]) -> dict[str, Any]:
    return {"code": context["code"], "kind": "export", "reference": "CV 1/IOC"}


REPORT, PHOTO = "/api/v1/reports/{report_id}", "/api/v1/reports/{report_id}/attachments/{attachment_id}"
ACT = "/api/v1/reports/{report_id}/actions/{action}"
CSV, NO_SUCH_MESSAGE = {"fmt": "csv"}, {"outbound_id": "999999"}
RULES, KEYS, CHANNELS = "/api/v1/admin/routing-rules", "/api/v1/admin/open311-keys", "/api/v1/admin/channels"
ROUTE_CASES: dict[str, Case] = {
    "login": Case("POST", "/api/v1/auth/token", json={"username": "citizen.demo", "password": PASSWORD}),
    "logout": Case("POST", "/api/v1/auth/logout", own_token=True),
    "me": Case("GET", "/api/v1/me"),
    "organizations": Case("GET", "/api/v1/organizations"),
    "categories": Case("GET", "/api/v1/categories"),
    "submit": Case("POST", "/api/v1/reports", json=new_report_body()),
    "submit_hotline": Case("POST", "/api/v1/reports", json=new_report_body(channel="hotline")),
    "list_reports": Case("GET", "/api/v1/reports"),
    "report_a": Case("GET", REPORT, on="processing:A"),
    "report_b": Case("GET", REPORT, on="processing:B"),
    "events_a": Case("GET", REPORT + "/events", on="processing:A"),
    "events_b": Case("GET", REPORT + "/events", on="processing:B"),
    "actions_a": Case("GET", REPORT + "/actions", on="processing:A"),
    "actions_b": Case("GET", REPORT + "/actions", on="processing:B"),
    "acknowledge_a": Case("POST", ACT, on="dispatched:A", params={"action": "acknowledge"}, json={}),
    "acknowledge_b": Case("POST", ACT, on="dispatched:B", params={"action": "acknowledge"}, json={}),
    "rate_a": Case("POST", REPORT + "/rating", on="published:A", json={"rating": 4, "comment": "Xử lý nhanh"}),
    "upload_a": Case("POST", REPORT + "/attachments", on="processing:A", upload=True),
    "upload_b": Case("POST", REPORT + "/attachments", on="processing:B", upload=True),
    "photos_a": Case("GET", REPORT + "/attachments", on="processing:A+photo"),
    "photos_b": Case("GET", REPORT + "/attachments", on="processing:B+photo"),
    "photo_file_a": Case("GET", PHOTO, on="processing:A+photo"),
    "photo_file_b": Case("GET", PHOTO, on="processing:B+photo"),
    "public_photo": Case("GET", "/api/v1/public/attachments/{attachment_id}", on="published:A+photo"),
    "public_photo_unpublished": Case("GET", "/api/v1/public/attachments/{attachment_id}", on="processing:A+photo"),
    "public_reports": Case("GET", "/api/v1/public/reports"),
    "public_report": Case("GET", "/api/v1/public/reports/{code}", on="published:A"),
    "public_report_unpublished": Case("GET", "/api/v1/public/reports/{code}", on="processing:A"),
    "track": Case("GET", "/api/v1/track/{code}", on="processing:A"),
    "notifications": Case("GET", "/api/v1/notifications"),
    "notification_read": Case("POST", "/api/v1/notifications/{notification_id}/read", on="notification:handler_a"),
    "public_stats": Case("GET", "/api/v1/public/stats"),
    "public_ranking": Case("GET", "/api/v1/public/stats/ranking"),
    "public_trend": Case("GET", "/api/v1/public/stats/trend"),
    "public_stats_export": Case("GET", "/api/v1/public/stats/export.{fmt}", params=CSV),
    "stats_overdue": Case("GET", "/api/v1/stats/overdue"),
    "stats_live": Case("GET", "/api/v1/stats/live"),
    "stats_mix": Case("GET", "/api/v1/stats/mix"),
    "export_reports": Case("GET", "/api/v1/exports/reports.{fmt}", params=CSV),
    "export_contacts": Case("GET", "/api/v1/exports/reports.{fmt}", params=CSV, query={"contacts": "true"}),
    "public_map": Case("GET", "/api/v1/public/reports.geojson"),
    "staff_map": Case("GET", "/api/v1/reports.geojson"),
    "areas": Case("GET", "/api/v1/areas"),
    "areas_map": Case("GET", "/api/v1/areas.geojson"),
    "duplicates_a": Case("GET", REPORT + "/duplicates", on="processing:A"),
    "suggestions_a": Case("GET", REPORT + "/suggestions", on="processing:A"),
    "category_suggestions_a": Case("GET", REPORT + "/category-suggestions", on="processing:A"),
    "additions_a": Case("GET", REPORT + "/additions", on="processing:A"),
    "me_too_a": Case("POST", "/api/v1/reports/{ref}/me-too", on="processing:A", headers={"X-Device-Id": "may-0001"}),
    "me_too_count": Case("GET", "/api/v1/public/reports/{code}/me-too", on="processing:A"),
    "routing_rules": Case("GET", RULES),
    "routing_rule_create": Case("POST", RULES, json=rule_payload),
    "routing_rule": Case("GET", RULES + "/{rule_id}", on="rule"),
    "routing_rule_update": Case("PUT", RULES + "/{rule_id}", on="rule", json=rule_payload),
    "routing_rule_delete": Case("DELETE", RULES + "/{rule_id}", on="rule"),
    "open311_keys": Case("GET", KEYS),
    "open311_key_create": Case("POST", KEYS, json={"name": "Ứng dụng Hue-S"}),
    "open311_key_revoke": Case("POST", KEYS + "/{key_id}/revoke", on="open311_key"),
    "channel_health": Case("GET", CHANNELS + "/health"),
    "channel_outbound": Case("GET", CHANNELS + "/outbound"),
    "outbound_retry": Case("POST", CHANNELS + "/outbound/{outbound_id}/retry", params=NO_SUCH_MESSAGE),
    "outbound_dismiss": Case("POST", CHANNELS + "/outbound/{outbound_id}/dismiss", params=NO_SUCH_MESSAGE),
    "abuse_list": Case("GET", ABUSE),
    "abuse_list_add": Case("POST", ABUSE, json=abuse_entry),
    "abuse_list_remove": Case("POST", ABUSE + "/{entry_id}/remove", params={"entry_id": "999999"}),
    # Personal data (issue 8 item 8): the reporter's own rights; written requests for the IOC.
    "personal_data_a": Case("GET", REPORT + "/personal-data", on="processing:A"),
    "personal_data_correct_a": Case("PATCH", REPORT + "/personal-data", on="processing:A", json={"name": "Lê Mới"}),
    "personal_data_erase_a": Case("DELETE", REPORT + "/personal-data", on="processing:A"),
    "privacy_requests": Case("GET", PRIVACY),
    "privacy_request_open": Case("POST", PRIVACY, on="processing:A", json=privacy_request),
    "privacy_request_answer": Case("POST", PRIVACY + "/{request_id}/answer", params={"request_id": "999999"}),
    "privacy_request_complete": Case("POST", PRIVACY + "/{request_id}/complete", params={"request_id": "999999"}),
    "healthz": Case("GET", "/healthz"),
    "readyz": Case("GET", "/readyz"),
    "openapi": Case("GET", "/openapi.json"),
}

ROUTE_MATRIX = """
case                       anon cit  citB hA   lA   hB   lB   plB  vpB  op   ed   adm
login                      200  200  200  200  200  200  200  200  200  200  200  200
logout                     401  204  204  204  204  204  204  204  204  204  204  204
me                         401  200  200  200  200  200  200  200  200  200  200  200
organizations              200  200  200  200  200  200  200  200  200  200  200  200
categories                 200  200  200  200  200  200  200  200  200  200  200  200
submit                     201  201  201  201  201  201  201  201  201  201  201  201
submit_hotline             403  403  403  403  403  403  403  403  403  201  403  403
list_reports               401  200  200  200  200  200  200  200  200  200  200  200
report_a                   401  200  404  200  200  404  404  404  404  200  200  200
report_b                   401  404  200  404  404  200  200  200  200  200  200  200
events_a                   401  200  404  200  200  404  404  404  404  200  200  200
events_b                   401  404  200  404  404  200  200  200  200  200  200  200
actions_a                  401  200  404  200  200  404  404  404  404  200  200  200
actions_b                  401  404  200  404  404  200  200  200  200  200  200  200
acknowledge_a              401  403  404  200  403  404  404  404  404  403  403  403
acknowledge_b              401  404  403  404  404  200  403  403  403  403  403  403
# Anonymous callers act as the reporter only with the X-Reporter-Token, so without it the report is not found.
rate_a                     404  200  404  403  403  404  404  404  404  403  403  403
upload_a                   404  201  404  201  403  404  404  404  404  201  403  403
upload_b                   404  404  201  404  404  201  403  403  403  201  403  403
photos_a                   401  200  404  200  200  404  404  404  404  200  200  200
photos_b                   401  404  200  404  404  200  200  200  200  200  200  200
photo_file_a               401  200  404  200  200  404  404  404  404  200  200  200
photo_file_b               401  404  200  404  404  200  200  200  200  200  200  200
public_photo               200  200  200  200  200  200  200  200  200  200  200  200
public_photo_unpublished   404  404  404  404  404  404  404  404  404  404  404  404
public_reports             200  200  200  200  200  200  200  200  200  200  200  200
public_report              200  200  200  200  200  200  200  200  200  200  200  200
public_report_unpublished  404  404  404  404  404  404  404  404  404  404  404  404
track                      200  200  200  200  200  200  200  200  200  200  200  200
notifications              401  200  200  200  200  200  200  200  200  200  200  200
notification_read          401  404  404  204  404  404  404  404  404  404  404  404
public_stats               200  200  200  200  200  200  200  200  200  200  200  200
public_ranking             200  200  200  200  200  200  200  200  200  200  200  200
public_trend               200  200  200  200  200  200  200  200  200  200  200  200
public_stats_export        200  200  200  200  200  200  200  200  200  200  200  200
stats_overdue              401  403  403  403  200  403  200  200  200  200  200  200
stats_live                 401  403  403  403  200  403  200  200  200  200  200  200
stats_mix                  401  403  403  403  403  403  403  403  403  200  200  200
# Anyone may export what they can see (anonymous: published reports' public text); contacts only the IOC.
export_reports             200  200  200  200  200  200  200  200  200  200  200  200
export_contacts            403  403  403  403  403  403  403  403  403  200  200  200
public_map                 200  200  200  200  200  200  200  200  200  200  200  200
staff_map                  401  200  200  200  200  200  200  200  200  200  200  200
areas                      200  200  200  200  200  200  200  200  200  200  200  200
areas_map                  200  200  200  200  200  200  200  200  200  200  200  200
duplicates_a               401  403  404  403  403  404  404  404  404  200  200  200
suggestions_a              401  403  404  403  403  404  404  404  404  200  200  200
category_suggestions_a     401  403  404  403  403  404  404  404  404  200  200  200
additions_a                401  200  404  200  200  404  404  404  404  200  200  200
# The reporter's own "me too" changes nothing (200); anyone else is added once (201).
me_too_a                   201  200  201  201  201  201  201  201  201  201  201  201
me_too_count               200  200  200  200  200  200  200  200  200  200  200  200
routing_rules              401  403  403  403  403  403  403  403  403  403  403  200
routing_rule_create        401  403  403  403  403  403  403  403  403  403  403  201
routing_rule               401  403  403  403  403  403  403  403  403  403  403  200
routing_rule_update        401  403  403  403  403  403  403  403  403  403  403  200
routing_rule_delete        401  403  403  403  403  403  403  403  403  403  403  204
open311_keys               401  403  403  403  403  403  403  403  403  403  403  200
open311_key_create         401  403  403  403  403  403  403  403  403  403  403  201
open311_key_revoke         401  403  403  403  403  403  403  403  403  403  403  200
channel_health             401  403  403  403  403  403  403  403  403  403  403  200
channel_outbound           401  403  403  403  403  403  403  403  403  403  403  200
# No such message: the administrator passes the role check and meets 404.
outbound_retry             401  403  403  403  403  403  403  403  403  403  403  404
outbound_dismiss           401  403  403  403  403  403  403  403  403  403  403  404
# The abuse list (issue 8 item 3): IOC operators and administrators. No such entry: 404 after the role check.
abuse_list                 401  403  403  403  403  403  403  403  403  200  403  200
abuse_list_add             401  403  403  403  403  403  403  403  403  201  403  201
abuse_list_remove          401  403  403  403  403  403  403  403  403  404  403  404
# Only the reporter (here `cit`, signed in) reaches their own personal data; staff who see the report get 403.
personal_data_a            404  200  404  403  403  404  404  404  404  403  403  403
personal_data_correct_a    404  200  404  403  403  404  404  404  404  403  403  403
personal_data_erase_a      404  200  404  403  403  404  404  404  404  403  403  403
# Written requests: the IOC roles. No such request: 404 after the role check.
privacy_requests           401  403  403  403  403  403  403  403  403  200  200  200
privacy_request_open       401  403  403  403  403  403  403  403  403  201  201  201
privacy_request_answer     401  403  403  403  403  403  403  403  403  404  404  404
privacy_request_complete   401  403  403  403  403  403  403  403  403  404  404  404
healthz                    200  200  200  200  200  200  200  200  200  200  200  200
readyz                     200  200  200  200  200  200  200  200  200  200  200  200
openapi                    200  200  200  200  200  200  200  200  200  200  200  200
"""


def call(world: World, case: Case, persona: str, *, fresh: bool) -> httpx.Response:
    context = world.context(case.on, fresh=fresh) if case.on else {}
    url = case.path.format(**context, **case.params)
    headers = dict(world.headers(persona))
    if case.own_token and headers:
        with world.db.write() as session:
            headers["Authorization"] = f"Bearer {tokens_for(session, {persona: USERNAMES[persona]})[persona]}"
    if case.upload:
        files = {"file": ("anh.jpg", photo_bytes(), "image/jpeg")}
        return world.client.post(url, files=files, headers=headers)
    if case.path == "/api/v1/reports":
        headers |= idem()
    body = case.json(world, context) if callable(case.json) else case.json
    return world.client.request(case.method, url, json=body, params=case.query, headers=headers | case.headers)


def test_every_route_answers_each_persona_as_the_matrix_says(client, personas, db):
    world = World(client, personas, db)
    columns, rows = parse_table(ROUTE_MATRIX, keys=1)
    assert {name for (name,) in rows} == set(ROUTE_CASES)
    wrong = []
    for (name,), statuses in rows.items():
        case = ROUTE_CASES[name]
        for persona, expected in by_persona(columns, statuses).items():
            # A call that changes something gets its own context, so the shared one stays as described.
            response = call(world, case, persona, fresh=case.method != "GET" and expected < 300)
            if response.status_code != expected:
                wrong.append(
                    f"{name:26} {persona:16} expected {expected}, got {response.status_code}: {response.text[:120]}"
                )
    assert not wrong, "\n" + "\n".join(wrong)


def test_every_api_route_has_a_row_in_the_matrix(app):
    routes = app_routes(app.routes)
    documented = {f"{m.upper()} {path}" for path, ops in app.openapi()["paths"].items() for m in ops}
    covered = {case.route for case in ROUTE_CASES.values()}
    unclassified = {r for r in routes | documented if r.split(" ", 1)[1].startswith("/api/")} - covered
    assert not unclassified, f"add these routes to ROUTE_CASES and ROUTE_MATRIX: {sorted(unclassified)}"
    assert covered <= routes, f"rows for routes that no longer exist: {sorted(covered - routes)}"


# ---------------------------------------------------------------------------------------------------------------
# Workflow actions × states × personas on a report of body A. 404: the persona cannot see the report; 403: none of
# its roles may ever take the action, or the report is not its body's; 409: its roles may take the action, but not in
# this state (a leader's send_back after the approval is a lost race, not a wrong role); 200: done, on a fresh report.
# ---------------------------------------------------------------------------------------------------------------

ACTION_MATRIX = """
action         state              anon cit  citB hA   lA   hB   lB   plB  vpB  op   ed   adm
dispatch       received           401  403  404  404  404  404  404  404  404  200  403  403
dispatch       dispatched         401  403  404  403  403  404  404  404  404  200  403  403
dispatch       processing         401  403  404  403  403  404  404  404  404  409  403  403
dispatch       returned           401  403  404  403  403  404  404  404  404  200  403  403
dispatch       awaiting_approval  401  403  404  403  403  404  404  404  404  409  403  403
dispatch       approved           401  403  404  403  403  404  404  404  404  409  403  403
dispatch       published          401  403  404  403  403  404  404  404  404  409  403  403
dispatch       rejected           401  403  404  403  403  404  404  404  404  409  403  403
dispatch       duplicate          401  403  404  403  403  404  404  404  404  409  403  403
dispatch       held               401  403  404  404  404  404  404  404  404  409  403  403
acknowledge    received           401  403  404  404  404  404  404  404  404  403  403  403
acknowledge    dispatched         401  403  404  200  403  404  404  404  404  403  403  403
acknowledge    processing         401  403  404  409  403  404  404  404  404  403  403  403
acknowledge    returned           401  403  404  409  403  404  404  404  404  403  403  403
acknowledge    awaiting_approval  401  403  404  409  403  404  404  404  404  403  403  403
acknowledge    approved           401  403  404  409  403  404  404  404  404  403  403  403
acknowledge    published          401  403  404  409  403  404  404  404  404  403  403  403
acknowledge    rejected           401  403  404  409  403  404  404  404  404  403  403  403
acknowledge    duplicate          401  403  404  409  403  404  404  404  404  403  403  403
acknowledge    held               401  403  404  404  404  404  404  404  404  403  403  403
return         received           401  403  404  404  404  404  404  404  404  403  403  403
return         dispatched         401  403  404  200  403  404  404  404  404  403  403  403
return         processing         401  403  404  200  403  404  404  404  404  403  403  403
return         returned           401  403  404  409  403  404  404  404  404  403  403  403
return         awaiting_approval  401  403  404  409  403  404  404  404  404  403  403  403
return         approved           401  403  404  409  403  404  404  404  404  403  403  403
return         published          401  403  404  409  403  404  404  404  404  403  403  403
return         rejected           401  403  404  409  403  404  404  404  404  403  403  403
return         duplicate          401  403  404  409  403  404  404  404  404  403  403  403
return         held               401  403  404  404  404  404  404  404  404  403  403  403
submit_result  received           401  403  404  404  404  404  404  404  404  403  403  403
submit_result  dispatched         401  403  404  409  403  404  404  404  404  403  403  403
submit_result  processing         401  403  404  200  403  404  404  404  404  403  403  403
submit_result  returned           401  403  404  409  403  404  404  404  404  403  403  403
submit_result  awaiting_approval  401  403  404  409  403  404  404  404  404  403  403  403
submit_result  approved           401  403  404  409  403  404  404  404  404  403  403  403
submit_result  published          401  403  404  409  403  404  404  404  404  403  403  403
submit_result  rejected           401  403  404  409  403  404  404  404  404  403  403  403
submit_result  duplicate          401  403  404  409  403  404  404  404  404  403  403  403
submit_result  held               401  403  404  404  404  404  404  404  404  403  403  403
approve        received           401  403  404  404  404  404  404  404  404  403  403  403
approve        dispatched         401  403  404  403  409  404  404  404  404  403  403  403
approve        processing         401  403  404  403  409  404  404  404  404  403  403  403
approve        returned           401  403  404  403  409  404  404  404  404  403  403  403
approve        awaiting_approval  401  403  404  403  200  404  404  404  404  403  403  403
approve        approved           401  403  404  403  409  404  404  404  404  403  403  403
approve        published          401  403  404  403  409  404  404  404  404  403  403  403
approve        rejected           401  403  404  403  409  404  404  404  404  403  403  403
approve        duplicate          401  403  404  403  409  404  404  404  404  403  403  403
approve        held               401  403  404  404  404  404  404  404  404  403  403  403
send_back      received           401  403  404  404  404  404  404  404  404  403  409  403
send_back      dispatched         401  403  404  403  409  404  404  404  404  403  409  403
send_back      processing         401  403  404  403  409  404  404  404  404  403  409  403
send_back      returned           401  403  404  403  409  404  404  404  404  403  409  403
send_back      awaiting_approval  401  403  404  403  200  404  404  404  404  403  409  403
send_back      approved           401  403  404  403  409  404  404  404  404  403  200  403
send_back      published          401  403  404  403  409  404  404  404  404  403  409  403
send_back      rejected           401  403  404  403  409  404  404  404  404  403  409  403
send_back      duplicate          401  403  404  403  409  404  404  404  404  403  409  403
send_back      held               401  403  404  404  404  404  404  404  404  403  409  403
publish        received           401  403  404  404  404  404  404  404  404  403  409  403
publish        dispatched         401  403  404  403  403  404  404  404  404  403  409  403
publish        processing         401  403  404  403  403  404  404  404  404  403  409  403
publish        returned           401  403  404  403  403  404  404  404  404  403  409  403
publish        awaiting_approval  401  403  404  403  403  404  404  404  404  403  409  403
publish        approved           401  403  404  403  403  404  404  404  404  403  200  403
publish        published          401  403  404  403  403  404  404  404  404  403  409  403
publish        rejected           401  403  404  403  403  404  404  404  404  403  409  403
publish        duplicate          401  403  404  403  403  404  404  404  404  403  409  403
publish        held               401  403  404  404  404  404  404  404  404  403  409  403
reject         received           401  403  404  404  404  404  404  404  404  200  403  403
reject         dispatched         401  403  404  403  403  404  404  404  404  409  403  403
reject         processing         401  403  404  403  403  404  404  404  404  409  403  403
reject         returned           401  403  404  403  403  404  404  404  404  200  403  403
reject         awaiting_approval  401  403  404  403  403  404  404  404  404  409  403  403
reject         approved           401  403  404  403  403  404  404  404  404  409  403  403
reject         published          401  403  404  403  403  404  404  404  404  409  403  403
reject         rejected           401  403  404  403  403  404  404  404  404  409  403  403
reject         duplicate          401  403  404  403  403  404  404  404  404  409  403  403
reject         held               401  403  404  404  404  404  404  404  404  200  403  403
mark_duplicate received           401  403  404  404  404  404  404  404  404  200  403  403
mark_duplicate dispatched         401  403  404  403  403  404  404  404  404  409  403  403
mark_duplicate processing         401  403  404  403  403  404  404  404  404  409  403  403
mark_duplicate returned           401  403  404  403  403  404  404  404  404  200  403  403
mark_duplicate awaiting_approval  401  403  404  403  403  404  404  404  404  409  403  403
mark_duplicate approved           401  403  404  403  403  404  404  404  404  409  403  403
mark_duplicate published          401  403  404  403  403  404  404  404  404  409  403  403
mark_duplicate rejected           401  403  404  403  403  404  404  404  404  409  403  403
mark_duplicate duplicate          401  403  404  403  403  404  404  404  404  409  403  403
mark_duplicate held               401  403  404  404  404  404  404  404  404  409  403  403
reopen         received           401  403  404  404  404  404  404  404  404  409  403  403
reopen         dispatched         401  403  404  403  403  404  404  404  404  409  403  403
reopen         processing         401  403  404  403  403  404  404  404  404  409  403  403
reopen         returned           401  403  404  403  403  404  404  404  404  409  403  403
reopen         awaiting_approval  401  403  404  403  403  404  404  404  404  409  403  403
reopen         approved           401  403  404  403  403  404  404  404  404  409  403  403
reopen         published          401  403  404  403  403  404  404  404  404  200  403  403
reopen         rejected           401  403  404  403  403  404  404  404  404  409  403  403
reopen         duplicate          401  403  404  403  403  404  404  404  404  409  403  403
reopen         held               401  403  404  404  404  404  404  404  404  409  403  403
release        received           401  403  404  404  404  404  404  404  404  409  403  403
release        dispatched         401  403  404  403  403  404  404  404  404  409  403  403
release        processing         401  403  404  403  403  404  404  404  404  409  403  403
release        returned           401  403  404  403  403  404  404  404  404  409  403  403
release        awaiting_approval  401  403  404  403  403  404  404  404  404  409  403  403
release        approved           401  403  404  403  403  404  404  404  404  409  403  403
release        published          401  403  404  403  403  404  404  404  404  409  403  403
release        rejected           401  403  404  403  403  404  404  404  404  409  403  403
release        duplicate          401  403  404  403  403  404  404  404  404  409  403  403
release        held               401  403  404  404  404  404  404  404  404  200  403  403
"""


def act(world: World, report_id: str, action: str, persona: str, body: Body) -> httpx.Response:
    return world.client.post(
        f"/api/v1/reports/{report_id}/actions/{action}",
        json=world.payload(action, body),
        headers=world.headers(persona),
    )


def trail(db: Any, report_id: str) -> tuple[int, int]:
    """The report's version and its number of events: a refused action changes neither."""
    with db.read() as session:
        rid = uuid.UUID(report_id)
        version = session.scalar(select(Report.version).where(Report.id == rid))
        return version, session.scalar(select(func.count()).select_from(Event).where(Event.report_id == rid))


def check_actions(world: World, state: str, body: Body, expected: dict[str, dict[str, int]]) -> list[str]:
    """Take every action as every persona; the actions offered must be exactly the ones that succeed."""
    wrong = []
    report_id = world.context(f"{state}:{'A' if body is BODY_A else 'B'}")["report_id"]
    before = trail(world.db, report_id)
    for persona in next(iter(expected.values())):
        statuses = {action: by[persona] for action, by in expected.items()}
        offered = world.client.get(f"/api/v1/reports/{report_id}/actions", headers=world.headers(persona))
        if any(s in (401, 404) for s in statuses.values()):
            if offered.status_code != min(statuses.values()):
                wrong.append(f"GET actions as {persona}: {offered.status_code}")
        elif {a["action"] for a in offered.json()} != {a for a, s in statuses.items() if s == 200}:
            wrong.append(f"GET actions as {persona} offers {[a['action'] for a in offered.json()]}")
        for action, status in statuses.items():
            target = world.report(state, body)["id"] if status == 200 else report_id
            response = act(world, target, action, persona, body)
            if response.status_code != status:
                got = f"{response.status_code}: {response.text[:100]}"
                wrong.append(f"{action:14} {state:17} {persona:16} expected {status}, got {got}")
    assert trail(world.db, report_id) == before, "a refused action changed the report or wrote an event"
    return wrong


@pytest.mark.parametrize("state", STATES)
def test_each_action_on_a_report_of_body_a_answers_each_persona_as_the_matrix_says(state, client, personas, db):
    columns, rows = parse_table(ACTION_MATRIX, keys=2)
    assert {key for key in rows} == {(a, s) for a in ACTIONS for s in STATES}
    expected = {action: by_persona(columns, statuses) for (action, s), statuses in rows.items() if s == state}
    wrong = check_actions(World(client, personas, db), state, BODY_A, expected)
    assert not wrong, "\n" + "\n".join(wrong)


# ---------------------------------------------------------------------------------------------------------------
# Separation of duties.
# ---------------------------------------------------------------------------------------------------------------


def solo_leader(db: Any) -> dict[str, str]:
    """A one-person office: a leader of body A who also handles reports."""
    with db.write() as session:
        user = create_user(
            session,
            username="sxd.solo",
            full_name="Lãnh đạo kiêm xử lý",
            roles=["handler", "leader"],
            password_hash=password_hash(),
            organization_code="SXD",
        )
        token, _ = issue_token(session, user=user, ttl_hours=1)
    return {"Authorization": f"Bearer {token}"}


def awaiting_own_approval(client: TestClient, flow: Flow, solo: dict[str, str]) -> str:
    report = flow.act(flow.submit(), "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])
    for action, payload in (("acknowledge", {}), ("submit_result", {"result": "Đã nạo vét cống."})):
        response = client.post(f"/api/v1/reports/{report['id']}/actions/{action}", json=payload, headers=solo)
        assert response.status_code == 200, response.text
    return report["id"]


def offered(client: TestClient, report_id: str, headers: dict[str, str]) -> set[str]:
    response = client.get(f"/api/v1/reports/{report_id}/actions", headers=headers)
    return {a["action"] for a in response.json()}


def test_a_leader_cannot_approve_a_result_they_submitted(client, personas, db):
    solo, flow = solo_leader(db), Flow(client, personas, db)
    report_id = awaiting_own_approval(client, flow, solo)
    assert offered(client, report_id, solo) == {"send_back"}
    refused = client.post(f"/api/v1/reports/{report_id}/actions/approve", json={}, headers=solo)
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    # Once another officer submits the result, the same leader may approve it.
    flow.act(report_id, "leader_a", "send_back", reason="Cần ảnh sau khắc phục")
    flow.act(report_id, "handler_a", "submit_result", result="Đã nạo vét cống, có ảnh.")
    approved = client.post(f"/api/v1/reports/{report_id}/actions/approve", json={}, headers=solo)
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "approved"


def test_self_approval_is_allowed_when_the_setting_says_so(personas, db, settings):
    one_person_office = create_app(settings.model_copy(update={"allow_self_approval": True}), db, worker=False)
    with TestClient(one_person_office) as client:
        solo, flow = solo_leader(db), Flow(client, personas, db)
        report_id = awaiting_own_approval(client, flow, solo)
        assert offered(client, report_id, solo) == {"approve", "send_back"}
        approved = client.post(f"/api/v1/reports/{report_id}/actions/approve", json={}, headers=solo)
        assert approved.status_code == 200, approved.text
        assert approved.json()["state"] == "approved"
