"""A page of the staff list (GET /api/v1/reports) as JSON, written straight from the listed columns.

A list item is a `ReportOut` without its assignment, clock or contact. Loading 50 reports as ORM objects
and validating a `ReportOut` for each cost more than the query itself (issue 7, W3: ~2 of the 4.3 ms of
CPU a page took at 20,000 reports), so the keyset list reads only the columns an item shows and writes the
items as plain dicts with orjson. `ReportOut` stays the documented shape; tests/api/test_reports_api.py
checks that a page equals the one `ReportOut` would give, field for field.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from paht.models import Report
from paht.workflow.states import ReportState, as_reporter_sees, label

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


def item(report: Any, lang: str) -> dict[str, Any]:
    """One list item from a row of `LISTED` or a loaded `Report` (both answer by attribute name)."""
    state, state_label = _SHOWN["en" if lang == "en" else "vi"][report.state]
    has_location = report.lat is not None or report.address
    return {
        "id": report.id,
        "code": report.code,
        "state": state,
        "state_label": state_label,
        "version": report.version,
        "channel": report.channel,
        "urgent": report.urgent,
        "title": report.title,
        "description": report.description,
        "category_id": report.category_id,
        "location": {"lat": report.lat, "lon": report.lon, "address": report.address} if has_location else None,
        "organization_id": report.current_organization_id,
        "duplicate_of_id": report.duplicate_of_id,
        "close_reason": report.close_reason,
        "result": report.result,
        "approved_result": report.approved_result,
        "public_title": report.public_title,
        "public_description": report.public_description,
        "public_result": report.public_result,
        "rating": report.rating,
        "created_at": report.created_at,
        "updated_at": report.updated_at,
        "dispatched_at": report.dispatched_at,
        "published_at": report.published_at,
        "closed_at": report.closed_at,
        "assignment": None,
        "clock": None,
        "reporter": None,
    }


def page_json(reports: Iterable[Any], next_cursor: str | None, *, lang: str) -> bytes:
    """A `ReportPage` as JSON bytes."""
    return orjson.dumps({"items": [item(r, lang) for r in reports], "next_cursor": next_cursor}, option=_OPTIONS)
