"""/quan-tri/danh-sach-lam-dung: the abuse list page (list, add, remove), the same services as the JSON API."""

from __future__ import annotations

from fastapi.responses import Response
from sqlalchemy.orm import Session

from paht.abuse import entries
from paht.abuse.entries import EntryKind
from paht.deps import ReadSession, WriteSession
from paht.errors import DomainError
from paht.web import forms
from paht.web.context import Form, PageViewer, Viewer, redirect, render
from paht.web.routing import web_router

router = web_router(prefix="/quan-tri/danh-sach-lam-dung")
PAGE = "/quan-tri/danh-sach-lam-dung"

TEXT = {
    "vi": {
        "title": "Danh sách lạm dụng",
        "intro": "Phản ánh mới của các liên hệ này vẫn được tiếp nhận và trả lời như thường, nhưng chờ IOC xem xét "
        "(tab «Chờ IOC xem xét» ở hàng đợi tiếp nhận) trước khi được chuyển xử lý.",
        "kind": "Loại",
        "value": "Số điện thoại, email hoặc mã người gửi",
        "reason": "Lý do",
        "added": "Thêm lúc",
        "add": "Thêm vào danh sách",
        "remove": "Gỡ khỏi danh sách",
        "removal_reason": "Lý do gỡ",
        "none": "Danh sách trống.",
        "done": "Đã cập nhật danh sách.",
        "kinds": {"phone": "Điện thoại", "email": "Email", "facebook": "Facebook (PSID)", "zalo": "Zalo (user id)"},
    },
    "en": {
        "title": "Abuse list",
        "intro": "New reports from these contacts are accepted and answered as usual, but wait for IOC review "
        "(the «Held for IOC review» tab of the triage queue) before they can be dispatched.",
        "kind": "Kind",
        "value": "Phone, e-mail or sender id",
        "reason": "Reason",
        "added": "Added",
        "add": "Add to the list",
        "remove": "Remove from the list",
        "removal_reason": "Why remove it",
        "none": "The list is empty.",
        "done": "The list was updated.",
        "kinds": {"phone": "Phone", "email": "E-mail", "facebook": "Facebook (PSID)", "zalo": "Zalo (user id)"},
    },
}


def _page(
    viewer: Viewer,
    session: Session,
    *,
    status: int = 200,
    done: bool = False,
    error: str | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    rows = entries.list_entries(session, actor=viewer.actor)
    text = TEXT.get(viewer.lang, TEXT["vi"])
    return render(
        viewer, "abuse/list.html", status=status, text=text, rows=rows, done=done, error=error, values=values or {}
    )


@router.get("")
def abuse_list_page(viewer: PageViewer, session: ReadSession, done: str | None = None) -> Response:
    viewer.require(*entries.MANAGERS)
    return _page(viewer, session, done=bool(done))


@router.post("")
def add(viewer: PageViewer, form: Form, session: WriteSession) -> Response:
    viewer.require(*entries.MANAGERS)
    values = {name: forms.text(form, name) for name in ("kind", "value", "reason")}
    try:
        kind = EntryKind(values["kind"])
        entries.add_entry(session, kind=kind, value=values["value"], reason=values["reason"], actor=viewer.actor)
        session.commit()
    except ValueError:
        return _page(viewer, session, status=422, error="Loại không hợp lệ (invalid kind).", values=values)
    except DomainError as exc:
        session.rollback()
        return _page(viewer, session, status=exc.status_code, error=exc.message, values=values)
    return redirect(viewer, f"{PAGE}?done=1")


@router.post("/{entry_id}/go")
def remove(entry_id: int, viewer: PageViewer, form: Form, session: WriteSession) -> Response:
    viewer.require(*entries.MANAGERS)
    entries.remove_entry(session, entry_id, reason=forms.text(form, "reason"), actor=viewer.actor)
    session.commit()
    return redirect(viewer, f"{PAGE}?done=1")
