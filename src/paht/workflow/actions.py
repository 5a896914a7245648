"""Workflow actions (DESIGN.md §4)."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    dispatch = "dispatch"
    acknowledge = "acknowledge"
    return_ = "return"
    submit_result = "submit_result"
    approve = "approve"
    send_back = "send_back"
    publish = "publish"
    reject = "reject"
    mark_duplicate = "mark_duplicate"
    reopen = "reopen"
    release = "release"


LABELS: dict[Action, tuple[str, str]] = {
    Action.dispatch: ("Chuyển xử lý", "Dispatch"),
    Action.acknowledge: ("Xác nhận tiếp nhận", "Acknowledge"),
    Action.return_: ("Trả lại IOC", "Return to the IOC"),
    Action.submit_result: ("Gửi kết quả", "Submit result"),
    Action.approve: ("Phê duyệt", "Approve"),
    Action.send_back: ("Trả lại xử lý", "Send back"),
    Action.publish: ("Công khai", "Publish"),
    Action.reject: ("Không tiếp nhận", "Reject"),
    Action.mark_duplicate: ("Đánh dấu trùng", "Mark duplicate"),
    Action.reopen: ("Mở lại", "Reopen"),
    Action.release: ("Cho tiếp nhận", "Release"),
}
