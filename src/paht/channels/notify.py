"""What the citizen and the staff are told, and on which channel: messages queued in the outbox.

The citizen hears back on the channel they used — the Messenger or Zalo conversation, or by e-mail
(also for app, web and Open311 reports that gave an address): when the report is received (with its
tracking code), dispatched, rejected (with the reason) or closed as a duplicate, and when the result
is published (with the result and how to rate it). Texts are Vietnamese first, English second.
"""

from __future__ import annotations

import uuid
from email.utils import getaddresses
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from paht.channels.delivery import queue_message
from paht.channels.registry import configured_adapter
from paht.config import Settings
from paht.enums import Channel
from paht.models import Event, InboundMessage, Organization, Report, User

CHAT = (Channel.facebook, Channel.zalo)

ASK_TEXT = (
    "PAHT đã nhận ảnh/vị trí của bạn. Hãy nhắn thêm mô tả sự việc (ở đâu, việc gì) để chúng tôi tiếp nhận phản ánh.\n"
    "(We received your photo or location. Please describe the problem so that we can take your report.)"
)
NO_TEXT = (
    "Thư của bạn chưa có nội dung. Hãy gửi lại thư mô tả sự việc (ở đâu, việc gì), kèm ảnh nếu có.\n"
    "(Your e-mail had no text. Please write again describing the problem, with photos if you have them.)"
)
SUBJECTS = {
    "received": "Đã tiếp nhận phản ánh (report received)",
    "dispatch": "Đã chuyển đơn vị xử lý (sent to the responsible body)",
    "reject": "Phản ánh không được tiếp nhận (report not accepted)",
    "mark_duplicate": "Phản ánh trùng lặp (duplicate report)",
    "publish": "Đã có kết quả xử lý (result published)",
}


def link(template: str, code: str, settings: Settings) -> str:
    return template.format(public_url=settings.public_url.rstrip("/"), code=code)


def too_large(size: int, settings: Settings) -> str:
    limit = settings.email_max_bytes // (1024 * 1024)
    return (
        f"Thư của bạn quá lớn ({size / (1024 * 1024):.0f} MB; giới hạn {limit} MB) nên chưa được tiếp nhận. "
        "Hãy gửi lại với ảnh nhỏ hơn hoặc ít ảnh hơn.\n"
        f"(Your e-mail is too large ({size / (1024 * 1024):.0f} MB, limit {limit} MB). "
        "Please send it again with fewer or smaller photos.)"
    )


def skipped(notes: list[str]) -> str:
    return "Lưu ý (note): " + "; ".join(dict.fromkeys(notes)) + "."


def added(code: str) -> str:
    return f"Đã bổ sung thông tin vào phản ánh {code}.\n(Your addition was attached to report {code}.)"


def thanks(rating: int) -> str:
    return f"Cảm ơn bạn đã đánh giá {rating}/5.\n(Thank you for rating the result {rating}/5.)"


def is_own_address(address: str | None, settings: Settings) -> bool:
    ours = [a.lower() for _, a in getaddresses([settings.smtp_from]) if a]
    return bool(address) and address.lower() in ours


def reply_to_sender(
    session: Session,
    row: InboundMessage,
    *,
    purpose: str,
    body: str,
    settings: Settings,
    report: Report | None = None,
) -> None:
    """Answer the message `row` on its own channel (a reply in the e-mail thread)."""
    if not row.sender_id or configured_adapter(row.channel, settings) is None:
        return
    email = row.channel == Channel.email
    subject = row.payload.get("subject") if email else None
    queue_message(
        session,
        channel=row.channel,
        recipient=row.sender_id,
        purpose=purpose,
        body=body,
        report_id=report.id if report else None,
        subject=(f"Re: {subject}" if subject else "PAHT") if email else None,
        reply_to_ref=row.external_id if email and row.external_id.startswith("<") else None,
        dedupe_key=f"inbound:{row.id}:{purpose}",
    )


def notify_reporter(session: Session, payload: dict[str, Any], settings: Settings) -> None:
    """The job: tell the citizen about a step of their report, on their channel."""
    report = session.get(Report, uuid.UUID(payload["report_id"]))
    kind = payload.get("event") or payload.get("action") or ""
    if report is None or kind not in SUBJECTS:
        return
    target = _target(session, report, settings)
    if target is None:
        return
    channel, address, thread = target
    event = session.get(Event, payload["event_id"]) if payload.get("event_id") else None
    queue_message(
        session,
        channel=channel,
        recipient=address,
        purpose=kind,
        body=_compose(session, report, kind, event, settings),
        report_id=report.id,
        subject=f"[{report.code}] {SUBJECTS[kind]}" if channel == Channel.email else None,
        reply_to_ref=thread,
        dedupe_key=f"citizen:{report.id}:{payload.get('event_id') or kind}",
    )


def _target(session: Session, report: Report, settings: Settings) -> tuple[str, str, str | None] | None:
    """(channel, address, e-mail thread reference) to reach the reporter, or None when there is no way back."""
    first = session.scalar(
        select(InboundMessage)
        .where(InboundMessage.report_id == report.id, InboundMessage.channel == report.channel)
        .order_by(InboundMessage.id)
        .limit(1)
    )
    if report.channel in CHAT:
        if first is None or not first.sender_id or configured_adapter(report.channel, settings) is None:
            return None
        return report.channel, first.sender_id, None
    if report.reporter_email and configured_adapter(Channel.email, settings) is not None:
        thread = first.external_id if first is not None and first.external_id.startswith("<") else None
        return Channel.email, report.reporter_email, thread
    return None


def _compose(session: Session, report: Report, kind: str, event: Event | None, settings: Settings) -> str:
    code, details = report.code, (event.payload if event is not None else {}) or {}
    track = link(settings.track_link, code, settings)
    if kind == "received":
        return (
            f"PAHT đã tiếp nhận phản ánh của bạn. Mã theo dõi: {code}\nTheo dõi tiến độ: {track}\n"
            f"(We have received your report. Tracking code: {code}.)"
        )
    if kind == "dispatch":
        org = session.get(Organization, details.get("organization_id") or report.current_organization_id)
        name = org.name if org else "đơn vị xử lý"
        return (
            f"Phản ánh {code} đã được chuyển đến {name} để xử lý.\nTheo dõi: {track}\n"
            f"(Report {code} has been sent to {(org.name_en if org else None) or name}.)"
        )
    if kind == "reject":
        reason = details.get("reason") or report.close_reason or ""
        return f"Phản ánh {code} không được tiếp nhận. Lý do: {reason}\n(Report {code} was not accepted: {reason})"
    if kind == "mark_duplicate":
        original = details.get("duplicate_of_code") or ""
        return (
            f"Phản ánh {code} trùng với phản ánh {original} đang được xử lý; mời theo dõi: "
            f"{link(settings.track_link, original, settings)}\n(Report {code} duplicates {original}.)"
        )
    result = report.public_result or ""
    return (
        f"Phản ánh {code} đã có kết quả xử lý:\n{result}\nChi tiết: {link(settings.result_link, code, settings)}\n"
        "Đánh giá mức độ hài lòng: trả lời tin nhắn này bằng một số từ 1 (rất không hài lòng) đến 5 (rất hài lòng).\n"
        f"(The result of report {code} is published. Reply with a number from 1 to 5 to rate it.)"
    )


def email_staff(
    session: Session,
    settings: Settings,
    users: list[User],
    *,
    kind: str,
    report: Report,
    message: str,
    key: str,
) -> int:
    """The same notice as the console's, by e-mail, to each of `users` that has an address."""
    if not settings.staff_email or configured_adapter(Channel.email, settings) is None:
        return 0
    queued = 0
    for user in users:
        if not user.email:
            continue
        row = queue_message(
            session,
            channel=Channel.email,
            recipient=user.email,
            purpose=f"staff_{kind}"[:32],
            body=f"{message}\n\nMã phản ánh (report): {report.code}\nPAHT: {settings.public_url}",
            report_id=report.id,
            user_id=user.id,
            subject=f"[{report.code}] {message}"[:255],
            dedupe_key=f"staff:{kind}:{key}:{user.id}",
        )
        queued += row is not None
    return queued
