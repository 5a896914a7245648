"""Everything PAHT holds about the person behind one report, as JSON (the right of access)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from paht.enums import EventKind
from paht.models import Attachment, Event, InboundMessage, OutboundMessage, PrivacyRequest, Report, ReportAddition
from paht.privacy.consent import consents_of


def _at(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def personal_data(session: Session, report: Report) -> dict[str, Any]:
    return {
        "report": {
            "code": report.code,
            "channel": report.channel,
            "state": report.state,
            "created_at": _at(report.created_at),
            "title": report.title,
            "description": report.description,
            "location": {"lat": report.lat, "lon": report.lon, "address": report.address},
            "rating": {"rating": report.rating, "comment": report.rating_comment, "rated_at": _at(report.rated_at)},
        },
        "contact": {
            "name": report.reporter_name,
            "phone": report.reporter_phone,
            "email": report.reporter_email,
            "anonymous": report.anonymous,
            "account_id": report.reporter_user_id,
        },
        "consents": [
            {
                "basis": c.basis,
                "notice_version": c.notice_version,
                "channel": c.channel,
                "method": c.method,
                "recorded_at": _at(c.recorded_at),
                "withdrawn_at": _at(c.withdrawn_at),
            }
            for c in consents_of(session, report)
        ],
        "photos": [
            {"id": str(a.id), "kind": a.kind, "content_type": a.content_type, "created_at": _at(a.created_at)}
            for a in session.scalars(select(Attachment).where(Attachment.report_id == report.id))
        ],
        "messages_received": _inbound(session, report),
        "messages_sent": [
            {"channel": m.channel, "to": m.recipient, "body": m.body, "sent_at": _at(m.sent_at)}
            for m in session.scalars(select(OutboundMessage).where(OutboundMessage.report_id == report.id))
        ],
        # Who at the city saw the contact details, and why (staff names stay internal).
        "contact_views": [
            {"at": _at(e.created_at), "purpose": (e.payload or {}).get("purpose")}
            for e in session.scalars(
                select(Event)
                .where(Event.report_id == report.id, Event.kind == EventKind.contact_viewed)
                .order_by(Event.id)
            )
        ],
        "requests": [
            {"id": r.id, "kind": r.kind, "status": r.status, "received_at": _at(r.received_at)}
            for r in session.scalars(select(PrivacyRequest).where(PrivacyRequest.report_id == report.id))
        ],
    }


def _inbound(session: Session, report: Report) -> list[dict[str, Any]]:
    messages = [
        {"channel": m.channel, "from": m.sender_id, "received_at": _at(m.received_at), "content": m.payload}
        for m in session.scalars(select(InboundMessage).where(InboundMessage.report_id == report.id))
    ]
    additions = [
        {"channel": a.channel, "received_at": _at(a.created_at), "text": a.text}
        for a in session.scalars(select(ReportAddition).where(ReportAddition.report_id == report.id))
    ]
    return messages + additions
