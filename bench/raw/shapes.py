"""The JSON PAHT returns, built from plain rows: the same fields, names and formats as its pydantic schemas."""

from __future__ import annotations

import base64
from typing import Any

from bench.raw.db import Dialect

STATE_LABELS = {
    "received": "Mới tiếp nhận",
    "dispatched": "Đã chuyển xử lý",
    "processing": "Đang xử lý",
    "returned": "Trả lại IOC",
    "awaiting_approval": "Chờ phê duyệt",
    "approved": "Đã phê duyệt",
    "published": "Đã công khai",
    "rejected": "Không tiếp nhận",
    "duplicate": "Trùng lặp",
}

# ReportOut's own columns, in the order `report_out` reads them (alias r).
REPORT_COLUMNS = (
    "id", "code", "state", "version", "channel", "urgent", "title", "description", "category_id", "lat", "lon",
    "address", "current_organization_id", "duplicate_of_id", "close_reason", "result", "approved_result",
    "public_title", "public_description", "public_result", "rating", "created_at", "updated_at", "dispatched_at",
    "published_at", "closed_at",
)  # fmt: skip
REPORT_SELECT = ", ".join(f"r.{c}" for c in REPORT_COLUMNS)

ASSIGNMENT_COLUMNS = (
    "id", "organization_id", "dispatched_at", "ack_due_at", "acknowledged_at", "ack_on_time", "returned_at",
    "return_reason", "suggested_organization_id", "resolve_due_at", "result_submitted_at", "resolve_on_time",
    "approve_due_at", "approved_at", "approve_on_time", "publish_due_at", "published_at", "send_backs",
)  # fmt: skip
ASSIGNMENT_TIMES = frozenset(c for c in ASSIGNMENT_COLUMNS if c.endswith("_at"))
ASSIGNMENT_FLAGS = frozenset(("ack_on_time", "resolve_on_time", "approve_on_time"))


def flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def report(d: Dialect, row: tuple | dict, *, assignment: dict | None = None, clock: dict | None = None) -> dict:
    """ReportOut: `row` in REPORT_COLUMNS order (or a dict by column name)."""
    r = row if isinstance(row, dict) else dict(zip(REPORT_COLUMNS, row, strict=True))
    ts = d.ts_out
    location = None
    if r["lat"] is not None or r["address"]:
        location = {"lat": r["lat"], "lon": r["lon"], "address": r["address"]}
    return {
        "id": d.uid_out(r["id"]),
        "code": r["code"],
        "state": r["state"],
        "state_label": STATE_LABELS[r["state"]],
        "version": r["version"],
        "channel": r["channel"],
        "urgent": bool(r["urgent"]),
        "title": r["title"],
        "description": r["description"],
        "category_id": r["category_id"],
        "location": location,
        "organization_id": r["current_organization_id"],
        "duplicate_of_id": d.uid_out(r["duplicate_of_id"]),
        "close_reason": r["close_reason"],
        "result": r["result"],
        "approved_result": r["approved_result"],
        "public_title": r["public_title"],
        "public_description": r["public_description"],
        "public_result": r["public_result"],
        "rating": r["rating"],
        "created_at": ts(r["created_at"]),
        "updated_at": ts(r["updated_at"]),
        "dispatched_at": ts(r["dispatched_at"]),
        "published_at": ts(r["published_at"]),
        "closed_at": ts(r["closed_at"]),
        "assignment": assignment,
        "clock": clock,
        "reporter": None,
    }


def assignment(d: Dialect, row: dict, organization_name: str | None) -> dict:
    """AssignmentOut from a dict with ASSIGNMENT_COLUMNS keys."""
    out: dict[str, Any] = {}
    for name in ASSIGNMENT_COLUMNS:
        value = row[name]
        if name in ASSIGNMENT_TIMES:
            value = d.ts_out(value)
        elif name in ASSIGNMENT_FLAGS:
            value = flag(value)
        out[name] = value
    out["organization_name"] = organization_name
    return out


def clock(d: Dialect, stage: str, started: Any, due: Any, overdue: bool) -> dict:
    return {"stage": stage, "started_at": d.ts_out(started), "due_at": d.ts_out(due), "overdue": overdue}


def cursor(d: Dialect, created_at: Any, report_id: Any) -> str:
    """`reports.queries.encode_cursor`: base64url of json.dumps([created_at.isoformat(), str(id)]), unpadded."""
    at = d.ts_value(created_at)
    assert at is not None
    raw = f'["{at.isoformat()}", "{d.uid_out(report_id)}"]'.encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
