"""A page of the staff list (GET /api/v1/reports) as JSON, written straight from the listed columns.

A list item is a `ReportOut` without its assignment, clock or contact. Loading 50 reports as ORM objects
and validating a `ReportOut` for each cost more than the query itself (issue 7, W3: ~2 of the 4.3 ms of
CPU a page took at 20,000 reports), so the keyset list reads only the columns an item shows and writes the
items as plain dicts with orjson. `ReportOut` stays the documented shape; tests/api/test_reports_api.py
checks that a page equals the one `ReportOut` would give, field for field.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from paht.models import Report
from paht.workflow.states import ReportState, as_reporter_sees, label

# The page sizes of GET /api/v1/reports: the route's bounds and default, and its fast layer's (paht.reports.fast).
DEFAULT_LIMIT = 50
MAX_LIMIT = 200

# What an item shows, in `ReportOut`'s field order (the reporter's contact is never listed).
LISTED = (
    Report.id,
    Report.code,
    Report.state,
    Report.version,
    Report.channel,
    Report.urgent,
    Report.title,
    Report.description,
    Report.category_id,
    Report.lat,
    Report.lon,
    Report.address,
    Report.current_organization_id,
    Report.duplicate_of_id,
    Report.close_reason,
    Report.result,
    Report.approved_result,
    Report.public_title,
    Report.public_description,
    Report.public_result,
    Report.rating,
    Report.created_at,
    Report.updated_at,
    Report.dispatched_at,
    Report.published_at,
    Report.closed_at,
)

# pydantic writes UTC as "Z"; orjson writes UUIDs and aware datetimes natively.
_OPTIONS = orjson.OPT_UTC_Z

# Per language, each stored state as listed: (state, label). A held report is listed as received, as
# `report_out(..., with_contact=False)` shows it (paht.abuse).
_SHOWN = {
    lang: {s.value: (as_reporter_sees(s).value, label(as_reporter_sees(s), lang)) for s in ReportState}
    for lang in ("vi", "en")
}


def listed(report: Report) -> tuple[Any, ...]:
    """A loaded report's values in `LISTED` order (the relevance-ranked page loads whole reports)."""
    return tuple(getattr(report, column.key) for column in LISTED)


def item(values: Sequence[Any], shown: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """One list item from values in `LISTED` order (unpacked: a row's attributes cost 10 µs an item)."""
    (id_, code, state, version, channel, urgent, title, description, category_id, lat, lon, address,
     organization_id, duplicate_of_id, close_reason, result, approved_result, public_title,
     public_description, public_result, rating, created_at, updated_at, dispatched_at, published_at,
     closed_at) = values  # fmt: skip
    state, state_label = shown[state]
    return {
        "id": id_,
        "code": code,
        "state": state,
        "state_label": state_label,
        "version": version,
        "channel": channel,
        "urgent": urgent,
        "title": title,
        "description": description,
        "category_id": category_id,
        "location": {"lat": lat, "lon": lon, "address": address} if lat is not None or address else None,
        "organization_id": organization_id,
        "duplicate_of_id": duplicate_of_id,
        "close_reason": close_reason,
        "result": result,
        "approved_result": approved_result,
        "public_title": public_title,
        "public_description": public_description,
        "public_result": public_result,
        "rating": rating,
        "created_at": created_at,
        "updated_at": updated_at,
        "dispatched_at": dispatched_at,
        "published_at": published_at,
        "closed_at": closed_at,
        "assignment": None,
        "clock": None,
        "reporter": None,
    }


def page_json(rows: Iterable[Sequence[Any]], next_cursor: str | None, *, lang: str) -> bytes:
    """A `ReportPage` as JSON bytes, from rows in `LISTED` order."""
    shown = _SHOWN["en" if lang == "en" else "vi"]
    return orjson.dumps({"items": [item(r, shown) for r in rows], "next_cursor": next_cursor}, option=_OPTIONS)
