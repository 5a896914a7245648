"""/quan-tri/kenh: channel health for administrators, with the failed and uncertain replies to send or dismiss.

The same service functions as the JSON API (`channels.health`, `channels.delivery`).
"""

from __future__ import annotations

from fastapi.responses import Response

from paht.auth.roles import Role
from paht.channels import delivery, health
from paht.deps import ReadSession, WriteSession
from paht.errors import NotFound
from paht.web.context import Form, PageViewer, redirect, render
from paht.web.routing import web_router

router = web_router(prefix="/quan-tri/kenh")

TEXT = {
    "vi": {
        "title": "Tình trạng các kênh tiếp nhận",
        "channel": "Kênh",
        "configured": "Đã cấu hình",
        "yes": "Có",
        "no": "Chưa",
        "last_in": "Tin đến gần nhất",
        "last_out": "Tin gửi gần nhất",
        "inbound": "Tin đến theo trạng thái",
        "outbound": "Tin gửi theo trạng thái",
        "queue": "Hàng đợi",
        "pending": "Tin chờ gửi",
        "oldest": "Tin chờ lâu nhất từ",
        "jobs_pending": "Việc đang chờ",
        "jobs_failed": "Việc lỗi",
        "failures": "Tin gửi cần xử lý (lỗi hoặc không chắc đã tới)",
        "none": "Không có.",
        "purpose": "Nội dung",
        "recipient": "Người nhận",
        "status": "Trạng thái",
        "attempts": "Số lần gửi",
        "error": "Lỗi",
        "retry": "Gửi lại",
        "dismiss": "Bỏ qua",
        "done": "Đã cập nhật tin nhắn.",
        "mailbox": "Hộp thư IMAP được kiểm tra định kỳ",
        "never": "—",
    },
    "en": {
        "title": "Channel health",
        "channel": "Channel",
        "configured": "Configured",
        "yes": "Yes",
        "no": "No",
        "last_in": "Last message in",
        "last_out": "Last message out",
        "inbound": "Messages in, by state",
        "outbound": "Messages out, by state",
        "queue": "Queue",
        "pending": "Replies waiting",
        "oldest": "Oldest waiting since",
        "jobs_pending": "Jobs waiting",
        "jobs_failed": "Failed jobs",
        "failures": "Replies needing attention (failed, or perhaps delivered)",
        "none": "None.",
        "purpose": "Message",
        "recipient": "Recipient",
        "status": "State",
        "attempts": "Attempts",
        "error": "Error",
        "retry": "Send again",
        "dismiss": "Dismiss",
        "done": "The message was updated.",
        "mailbox": "IMAP mailbox polled",
        "never": "—",
    },
}


@router.get("")
def channel_health_page(viewer: PageViewer, session: ReadSession, done: str | None = None) -> Response:
    viewer.require(Role.admin)
    report = health.channel_health(session, viewer.settings)
    return render(viewer, "channels/health.html", text=TEXT.get(viewer.lang, TEXT["vi"]), health=report, done=done)


@router.post("/tin/{outbound_id}/{action}")
def outbound_action(outbound_id: int, action: str, viewer: PageViewer, form: Form, session: WriteSession) -> Response:
    viewer.require(Role.admin)
    change = {"gui-lai": delivery.retry, "bo-qua": delivery.dismiss}.get(action)
    if change is None or change(session, outbound_id) is None:
        raise NotFound(viewer.t._("Page not found."))
    session.commit()
    return redirect(viewer, "/quan-tri/kenh?done=1")
