"""Write routes of the raw app: submit (W1) and two workflow actions (W7), writing PAHT's rows.

W1 counts the submission against its limits, checks the abuse list, writes the report, its `created`
event, its consent record, its area, the dispatch clock, the `notify_reporter` outbox job, the search row,
the statistics and the idempotency key with the stored response, in one transaction. W7 (`submit_result`,
`send_back`) updates the report (version check) and its assignment, stops the running clock, starts the
next one, writes the transition event and its outbox job, and keeps the search row and the statistics.
Events are links of the audit chain, as PAHT writes them. The derived rows: `bench.raw.derived`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
import uuid
from datetime import timedelta
from typing import Any

import orjson

from bench.raw import derived, shapes
from bench.raw.auth import Caller, visibility
from bench.raw.db import Conflict, Dialect, Store, now
from paht.models.ids import new_id
from paht.sla.calendar import WorkCalendar

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NOTICE_VERSION = "2026-01"
CALENDAR = WorkCalendar("Asia/Ho_Chi_Minh", ("07:30-11:30", "13:30-17:00"))
PHONE = re.compile(r"^\+84\d{9,10}$")
Response = tuple[int, Any]
INVALID = 422

SQL_DISPATCH_CLOCK = "INSERT INTO sla_clocks (report_id, stage, started_at, due_at) VALUES (?, 'dispatch', ?, ?)"
SQL_JOB = "INSERT INTO jobs (kind, payload, status, attempts, run_after, created_at) VALUES (?, ?, 'pending', 0, ?, ?)"
SQL_KEY = (
    "INSERT INTO idempotency_keys (scope, key, request_hash, response_status, response_body, created_at) "
    "VALUES ('anonymous', ?, ?, 201, ?, ?)"
)
SQL_MOVE = (
    "UPDATE reports SET state = ?, version = version + 1, updated_at = ?, result = ?, approved_result = NULL "
    "WHERE id = ? AND version = ?"
)
SQL_CLOCK = (
    "INSERT INTO sla_clocks (report_id, assignment_id, organization_id, stage, started_at, due_at) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
SUBMISSION_FIELDS = frozenset(
    ("description", "title", "category_id", "location", "urgent", "reporter", "anonymous", "consent", "channel")
)


def _clean(value: Any, *, limit: int, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise ValueError("phải là chuỗi ký tự")
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()
    if required and not text:
        raise ValueError("không được để trống")
    if len(text) > limit:
        raise ValueError("quá dài")
    return text


def _phone(value: Any) -> str | None:
    if value is None:
        return None
    digits = re.sub(r"[\s.\-()]", "", str(value))
    phone = "+84" + digits[1:] if digits.startswith("0") else ("+" + digits if digits.startswith("84") else digits)
    if not PHONE.match(phone):
        raise ValueError("số điện thoại không hợp lệ")
    return phone


def parse_submission(body: dict) -> dict:
    """ReportCreate's checks: known fields only, types, lengths, NFC text, E.164 phone, consent."""
    allowed = {
        "description",
        "title",
        "category_id",
        "location",
        "urgent",
        "reporter",
        "anonymous",
        "consent",
        "channel",
    }
    if not isinstance(body, dict) or set(body) - allowed:
        raise ValueError("trường này không được chấp nhận")
    location, reporter = body.get("location"), body.get("reporter") or {}
    data = {
        "description": _clean(body.get("description"), limit=5000, required=True),
        "title": _clean(body.get("title"), limit=200),
        "category_id": body.get("category_id"),
        "urgent": bool(body.get("urgent", False)),
        "anonymous": bool(body.get("anonymous", False)),
        "name": _clean(reporter.get("name"), limit=255),
        "phone": _phone(reporter.get("phone")),
        "email": reporter.get("email"),
        "lat": None,
        "lon": None,
        "address": None,
    }
    if location is not None:
        lat, lon = location.get("lat"), location.get("lon")
        if not isinstance(lat, int | float) or not isinstance(lon, int | float) or abs(lat) > 90 or abs(lon) > 180:
            raise ValueError("vị trí không hợp lệ")
        data |= {"lat": float(lat), "lon": float(lon), "address": _clean(location.get("address"), limit=500)}
    if body.get("consent") is not True:
        raise ValueError("cần đồng ý xử lý dữ liệu cá nhân")
    if body.get("channel") not in (None, "app", "web"):
        raise ValueError("kênh không được chấp nhận")
    if not (data["phone"] or data["email"]):
        raise ValueError("cần số điện thoại hoặc email")
    data["channel"] = body.get("channel") or "app"
    data["fingerprint"] = hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return data


NOT_PUBLISHED = dict.fromkeys(("result", "approved_result", "public_title", "public_description", "public_result"))


def submit(store: Store, data: dict, key: str, ip: str | None = None, device: str | None = None) -> Any:
    """The write of POST /api/v1/reports, as a function of the connection (run by either write mode)."""
    d = store.dialect

    def work(connection: Any) -> Response:
        at = now()
        if not derived.limit_submission(connection, d, at, ip, device):
            return derived.TOO_MANY
        held = derived.listed(connection, d, data["phone"], data["email"])
        category = None
        if data["category_id"] is not None:
            category = connection.execute(
                d.sql("SELECT urgent_by_default, dispatch_minutes, active FROM categories WHERE id = ?"),
                (data["category_id"],),
            ).fetchone()
            if category is None or not category[2]:
                return INVALID, {"detail": f"Lĩnh vực {data['category_id']} không tồn tại.", "code": "invalid"}
        report_id = new_id()  # as PAHT: time-ordered (paht.models.ids)
        token = secrets.token_urlsafe(24)
        urgent = data["urgent"] or bool(category and category[0])
        code = "PA-" + "".join(secrets.choice(ALPHABET) for _ in range(8))
        row = {
            "id": d.uid(report_id), "code": code, "version": 1, "state": "held" if held else "received",
            "channel": data["channel"], "urgent": urgent, "title": data["title"], "description": data["description"],
            "category_id": data["category_id"], "lat": data["lat"], "lon": data["lon"], "address": data["address"],
            "reporter_name": None if data["anonymous"] else data["name"], "reporter_phone": data["phone"],
            "reporter_email": data["email"], "reporter_token_hash": hashlib.sha256(token.encode()).hexdigest(),
            "anonymous": data["anonymous"], "consent": True, "consent_notice_version": NOTICE_VERSION,
            "created_at": d.ts(at), "updated_at": d.ts(at),
        }  # fmt: skip
        try:
            connection.execute(
                d.sql(f"INSERT INTO reports ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})"),
                tuple(row.values()),
            )
        except Exception as exc:  # a tracking code drawn twice: the client retries with its key
            raise Conflict(str(exc)) from exc
        payload = {"channel": data["channel"], "urgent": urgent, "category_id": data["category_id"]}
        event_id = derived.append_event(
            connection, d, report_id=report_id, kind="created", action=None, from_state=None, to_state=row["state"],
            actor_id=None, actor_role=None, organization_id=None, assignment_id=None, payload=payload, created_at=at,
        )  # fmt: skip
        derived.record_consent(connection, d, report_id, data["channel"], at)
        area = derived.place(connection, d, report_id, data["lat"], data["lon"], at)
        created = derived.EventFact(event_id, "created", None, None, row["state"], None, at, payload)
        derived.count_new(connection, d, row | {"id": report_id}, created, area)
        due = at + timedelta(minutes=(category[1] if category and category[1] else None) or 30)
        connection.execute(
            d.sql(SQL_DISPATCH_CLOCK),
            (d.uid(report_id), d.ts(at), d.ts(due)),
        )
        job = f'{{"report_id": "{report_id}", "event": "received"}}'
        connection.execute(
            d.sql(SQL_JOB),
            ("notify_reporter", job, d.ts(at), d.ts(at)),
        )
        derived.index_new(connection, d, row | NOT_PUBLISHED | {"id": report_id})
        out = shapes.report(
            d,
            row | {"current_organization_id": None, "duplicate_of_id": None, "close_reason": None, "result": None,
                   "approved_result": None, "public_title": None, "public_description": None, "public_result": None,
                   "rating": None, "dispatched_at": None, "published_at": None, "closed_at": None},
            clock=shapes.clock(d, "dispatch", d.ts(at), d.ts(due), False),
        ) | {"reporter_token": token}  # fmt: skip
        try:
            connection.execute(
                d.sql(SQL_KEY),
                (key, data["fingerprint"], orjson.dumps(out).decode(), d.ts(at)),
            )
        except Exception as exc:  # the same key twice: PAHT answers the retry; the bench never sends one
            raise Conflict(str(exc)) from exc
        return 201, out

    return work


EFFECT = {"submit_result": "notify_leaders", "send_back": "notify_handlers"}
RULES = {  # action → (state it needs, role, next state, clock stage it stops, clock stage it starts)
    "submit_result": ("processing", "handler", "awaiting_approval", "resolve_on_time", "approve"),
    "send_back": ("awaiting_approval", "leader", "processing", "approve_on_time", "resolve"),
}
ASSIGNMENT_SELECT = ", ".join(shapes.ASSIGNMENT_COLUMNS)
REPORT_FOR_ACTION = f"{shapes.REPORT_SELECT}, r.current_assignment_id FROM reports r"


def act(store: Store, who: Caller, report_id: uuid.UUID, action: str, payload: dict) -> Any:
    """The write of POST /api/v1/reports/{id}/actions/{submit_result|send_back}."""
    d = store.dialect
    need, role, target, on_time_field, next_stage = RULES[action]
    text_field = "result" if action == "submit_result" else "reason"
    text = payload.get(text_field)
    if set(payload) - {text_field} or not isinstance(text, str) or not text.strip():
        return lambda _: (INVALID, {"detail": f"{text_field}: bắt buộc phải có", "code": "invalid"})
    text = unicodedata.normalize("NFC", text).strip()

    def work(connection: Any) -> Response:
        at = now()
        where, params = visibility(who)
        lock = "" if d.sqlite else " FOR NO KEY UPDATE OF r"
        row = connection.execute(
            d.sql(f"SELECT {REPORT_FOR_ACTION} WHERE r.id = ? AND {where}{lock}"),
            (d.uid(report_id), *params),
        ).fetchone()
        if row is None:
            return 404, {"detail": "Không tìm thấy phản ánh (report not found).", "code": "not_found"}
        report = dict(zip((*shapes.REPORT_COLUMNS, "current_assignment_id"), row, strict=True))
        if role not in who.roles or who.organization_id != report["current_organization_id"]:
            return 403, {"detail": "forbidden", "code": "forbidden"}
        if report["state"] != need:
            return 409, {"detail": "invalid transition", "code": "invalid_transition"}
        a_row = connection.execute(
            d.sql(f"SELECT {ASSIGNMENT_SELECT} FROM assignments WHERE id = ?"),
            (report["current_assignment_id"],),
        ).fetchone()
        assignment = dict(zip(shapes.ASSIGNMENT_COLUMNS, a_row, strict=True))
        if action == "submit_result":
            event = {"result": {"before": report["result"], "after": text}}
            report["result"], report["approved_result"] = text, None
            assignment["result_submitted_at"] = d.ts(at)
            extra_sql, extra = ", result_submitted_at = ?, result_submitted_by_id = ?", [d.ts(at), who.user_id]
        else:
            event = {"reason": text}
            report["approved_result"] = None
            assignment["send_backs"] += 1
            extra_sql, extra = ", send_backs = send_backs + 1", []
        changed = connection.execute(
            d.sql(SQL_MOVE),
            (target, d.ts(at), report["result"], d.uid(report_id), report["version"]),
        ).rowcount
        if changed != 1:
            raise Conflict("concurrent update")
        report |= {"state": target, "version": report["version"] + 1, "updated_at": d.ts(at)}
        clocks = connection.execute(
            d.sql("SELECT id, due_at, breached_at FROM sla_clocks WHERE report_id = ? AND stopped_at IS NULL"),
            (d.uid(report_id),),
        ).fetchall()
        on_time = assignment[on_time_field]
        for clock_id, due, breached in clocks:
            connection.execute(d.sql("UPDATE sla_clocks SET stopped_at = ? WHERE id = ?"), (d.ts(at), clock_id))
            if on_time is not False:
                on_time = breached is None and at <= d.ts_value(due)
        assignment[on_time_field] = on_time
        due = _due(next_stage, at, report["urgent"], report["category_id"], connection, d)
        due_field = "approve_due_at" if next_stage == "approve" else "resolve_due_at"
        assignment[due_field] = d.ts(due)
        connection.execute(
            d.sql(f"UPDATE assignments SET {on_time_field} = ?, {due_field} = ?{extra_sql} WHERE id = ?"),
            (on_time, d.ts(due), *extra, assignment["id"]),
        )
        connection.execute(
            d.sql(SQL_CLOCK),
            (d.uid(report_id), assignment["id"], assignment["organization_id"], next_stage, d.ts(at), d.ts(due)),
        )
        event_id = derived.append_event(
            connection, d, report_id=report_id, kind="transition", action=action, from_state=need, to_state=target,
            actor_id=who.user_id, actor_role=role, organization_id=who.organization_id,
            assignment_id=assignment["id"], payload=event, created_at=at,
        )  # fmt: skip
        derived.reindex(connection, d, report, report_id)
        derived.count_step(connection, d, report_id, report["channel"], report["category_id"], event_id)
        job = f'{{"report_id": "{report_id}", "action": "{action}", "event_id": {event_id}}}'
        connection.execute(
            d.sql(SQL_JOB),
            (EFFECT[action], job, d.ts(at), d.ts(at)),
        )
        name = connection.execute(
            d.sql("SELECT name FROM organizations WHERE id = ?"), (assignment["organization_id"],)
        ).fetchone()
        out = shapes.report(
            d,
            report,
            assignment=shapes.assignment(d, assignment, name[0] if name else None),
            clock=shapes.clock(d, next_stage, d.ts(at), d.ts(due), False),
        )
        return 200, out

    return work


def _due(stage: str, at: Any, urgent: bool, category_id: int | None, connection: Any, d: Dialect) -> Any:
    """`paht.sla.deadlines.due_at` for the resolve and approve clocks, with the same working calendar."""
    if stage == "approve":
        return at + timedelta(days=1) if urgent else CALENDAR.add_working_days(at, 1)
    row = None
    if category_id is not None:
        row = connection.execute(
            d.sql("SELECT resolve_working_days, urgent_resolve_hours FROM categories WHERE id = ?"), (category_id,)
        ).fetchone()
    days, hours = (row[0], row[1]) if row else (5, 24)
    return at + timedelta(hours=hours) if urgent else CALENDAR.add_working_days(at, days)
