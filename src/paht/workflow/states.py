"""Report states (DESIGN.md §4) with their Vietnamese and English labels."""

from __future__ import annotations

from enum import StrEnum


class ReportState(StrEnum):
    received = "received"
    dispatched = "dispatched"
    processing = "processing"
    returned = "returned"
    awaiting_approval = "awaiting_approval"
    approved = "approved"
    published = "published"
    rejected = "rejected"
    duplicate = "duplicate"
    held = "held"  # the reporter is on the abuse list: waits for IOC review (paht.abuse)


LABELS: dict[ReportState, tuple[str, str]] = {
    ReportState.received: ("Mới tiếp nhận", "Received"),
    ReportState.dispatched: ("Đã chuyển xử lý", "Dispatched"),
    ReportState.processing: ("Đang xử lý", "Processing"),
    ReportState.returned: ("Trả lại IOC", "Returned to the IOC"),
    ReportState.awaiting_approval: ("Chờ phê duyệt", "Awaiting approval"),
    ReportState.approved: ("Đã phê duyệt", "Approved"),
    ReportState.published: ("Đã công khai", "Published"),
    ReportState.rejected: ("Không tiếp nhận", "Rejected"),
    ReportState.duplicate: ("Trùng lặp", "Duplicate"),
    ReportState.held: ("Chờ IOC xem xét", "Held for IOC review"),
}

CLOSED = frozenset({ReportState.published, ReportState.rejected, ReportState.duplicate})


def as_reporter_sees(state: str) -> ReportState:
    """The state a reporter (and the public) is shown: a held report looks received (never tell an abuser)."""
    return ReportState.received if state == ReportState.held else ReportState(state)


def label(state: str, lang: str = "vi") -> str:
    vi, en = LABELS[ReportState(state)]
    return en if lang == "en" else vi
