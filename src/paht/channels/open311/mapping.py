"""PAHT ↔ Open311: categories as services, reports as service requests, states as open/closed.

A request shows every report's status, service, dates and responsible body, so a client can follow what
it posted; its text, place and photo only once the IOC has published it, and then the IOC's edited
versions and the public (rounded) coordinates — never the reporter's personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from paht.config import Settings
from paht.models import Category, Organization
from paht.text import fold
from paht.workflow.states import ReportState, as_reporter_sees, label

CLOSED = {ReportState.published, ReportState.rejected, ReportState.duplicate}
# mySociety / FixMyStreet extended statuses (GeoReport v2 extension), lower case as in GET output.
EXTENDED = {
    ReportState.received: "for_triage",
    ReportState.returned: "for_triage",
    ReportState.dispatched: "action_scheduled",
    ReportState.processing: "in_progress",
    ReportState.awaiting_approval: "in_progress",
    ReportState.approved: "in_progress",
    ReportState.published: "fixed",
    ReportState.rejected: "no_further_action",
    ReportState.duplicate: "duplicate",
    ReportState.held: "for_triage",  # as received: a held report never shows it is held (paht.abuse)
}
UNCATEGORISED = {"service_code": "chua-phan-loai", "service_name": "Chưa phân loại (not yet categorised)"}
URGENT = "khan_cap"
TITLE = "tieu_de"
URGENT_VALUES = {"khong": False, "co": True}


def status_of(report: ShownReport) -> str:
    return "closed" if report.state in CLOSED else "open"


def service_of(category: Category, organizations: dict[int, Organization], settings: Settings) -> dict[str, Any]:
    body = organizations.get(category.default_organization_id or 0)
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": f"{category.name} — {category.name_en}",
        "metadata": True,
        "type": settings.open311_service_type,
        "keywords": ", ".join(dict.fromkeys([fold(category.name), category.name_en.lower()])),
        "group": body.name if body else "IOC",
    }


def definition_of(category: Category) -> dict[str, Any]:
    default = "Có" if category.urgent_by_default else "Không"
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": TITLE,
                "datatype": "string",
                "required": False,
                "datatype_description": "Tối đa 200 ký tự (at most 200 characters).",
                "order": 1,
                "description": "Tiêu đề ngắn của phản ánh (a short title).",
            },
            {
                "variable": True,
                "code": URGENT,
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": f"Mặc định cho lĩnh vực này: {default} (default for this service).",
                "order": 2,
                "description": "Sự việc có nguy hiểm tức thời không? (Is there an immediate danger?)",
                "values": [
                    {"key": "khong", "name": "Không khẩn cấp (not urgent)"},
                    {"key": "co", "name": "Khẩn cấp (urgent: immediate danger)"},
                ],
            },
            {
                "variable": False,
                "code": "bao_mat",
                "datatype": "text",
                "required": False,
                "datatype_description": None,
                "order": 3,
                "description": "Thông tin người phản ánh được bảo mật: chỉ IOC được xem; không bao giờ công khai. "
                "(The reporter's identity is confidential and never published.)",
            },
        ],
    }


class ShownReport(Protocol):
    """What a service request is made of: a row of `queries.REQUEST_COLUMNS` (its times as W3C text)."""

    code: str
    state: str
    category_id: int | None
    current_organization_id: int | None
    public_title: str | None
    public_description: str | None
    public_result: str | None
    close_reason: str | None
    lat: float | None
    lon: float | None
    created_w3c: str
    updated_w3c: str
    closed_w3c: str | None
    photo_id: str | None  # the first servable photo of a published report
    resolve_due_w3c: str | None  # the current assignment's handling deadline
    original_code: str | None  # the report a duplicate duplicates


@dataclass
class Lookups:
    """Reference rows loaded once per response instead of once per request: by id, the category's id,
    code and name, the body's id and name (`queries.lookups`)."""

    categories: dict[int, Any]
    organizations: dict[int, Any]


def request_of(report: ShownReport, look: Lookups, settings: Settings, *, extensions: bool = False) -> dict[str, Any]:
    category = look.categories.get(report.category_id or 0)
    service = {"service_code": category.code, "service_name": category.name} if category else UNCATEGORISED
    org = look.organizations.get(report.current_organization_id or 0)
    published = report.state == ReportState.published
    decimals = settings.public_location_decimals
    photo = f"/api/v1/public/attachments/{report.photo_id}" if published and report.photo_id else None
    closed = report.closed_w3c if report.state in CLOSED else None
    data: dict[str, Any] = {
        "service_request_id": report.code,
        "status": status_of(report),
        "status_notes": _notes(report),
        **service,
        "description": (report.public_description or "")[:4000] or None if published else None,
        "agency_responsible": org.name if org else None,
        "service_notice": None,
        "requested_datetime": report.created_w3c,
        "updated_datetime": closed or report.updated_w3c,
        "expected_datetime": report.resolve_due_w3c if report.state not in CLOSED else None,
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": round(report.lat, decimals) if published and report.lat is not None else None,
        "long": round(report.lon, decimals) if published and report.lon is not None else None,
        "media_url": f"{settings.public_url.rstrip('/')}{photo}" if photo else None,
    }
    if extensions:
        data["extended_status"] = EXTENDED.get(ReportState(report.state), "open")
        data["title"] = report.public_title if published else None
    return data


def _notes(report: ShownReport) -> str:
    if report.state == ReportState.published:
        return report.public_result or _SHOWN_LABELS[report.state]
    if report.state == ReportState.rejected:
        return f"Không tiếp nhận: {report.close_reason or ''}".strip()
    if report.state == ReportState.duplicate:
        return f"Trùng với phản ánh {report.original_code or ''}".strip()
    return _SHOWN_LABELS[report.state]


# By stored state, worked out once: a 1,000-request page asked `ReportState(…)` for each row (W9).
_SHOWN_LABELS = {state.value: label(as_reporter_sees(state), "vi") for state in ReportState}
