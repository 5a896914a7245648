"""Inbound messages become reports, or additions to the report their conversation feeds.

Chat (Messenger, Zalo): a message with text opens a report; photos and places sent before any text wait
for it; later messages within `channel_followup_minutes` of the previous one join the open report as
the citizen's additions; a digit 1–5 after the result is published rates it. E-mail: a reply in the
thread of a report (its Message-IDs, or its tracking code in the subject from the same sender) joins
it; any other e-mail opens a report. Every path ends in `intake.submit_report`.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from paht.abuse.submissions import Submitter
from paht.attachments.service import add_attachment
from paht.auth.actor import ANONYMOUS, Actor
from paht.auth.roles import Role
from paht.channels import notify
from paht.channels.base import Media, Parsed, Place
from paht.channels.media import read
from paht.clock import utc_now
from paht.config import Settings
from paht.enums import Channel
from paht.errors import DomainError
from paht.intake.schemas import Location, ReportCreate, Reporter
from paht.intake.service import submit_report
from paht.models import Conversation, InboundMessage, OutboundMessage, Report, ReportAddition
from paht.reports.codes import new_secret, normalise_code
from paht.reports.rating import RatingIn, rate
from paht.text import clean
from paht.workflow.states import CLOSED, ReportState

# Photos a citizen adds to their own report later arrive with the conversation as proof of who they
# are, not a reporter secret; the intake acts for them as the IOC's own desk would.
CHANNEL_DESK = Actor(user_id=None, username="paht-channels", roles=frozenset({Role.ioc_operator}))
_RATING = re.compile(r"^\s*([1-5])\s*(/\s*5|sao|điểm|\*+|⭐+)?\s*[.!]?\s*$", re.IGNORECASE)
_CODE = re.compile(r"\bPA-?[0-9A-Z]{8}\b", re.IGNORECASE)


def process(session: Session, inbound_id: int, parsed: Parsed, settings: Settings) -> None:
    query = select(InboundMessage).where(InboundMessage.id == inbound_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None or row.status != "pending":
        return
    try:
        with session.begin_nested():  # a refused report rolls back alone; the message is kept as failed
            if row.channel == Channel.email:
                _email(session, row, parsed, settings)
            else:
                _chat(session, row, parsed, settings)
    except (DomainError, ValidationError) as exc:
        row.status, row.error = "failed", str(exc)[:2000]
    row.processed_at = utc_now()


def _chat(session: Session, row: InboundMessage, parsed: Parsed, settings: Settings) -> None:
    conversation = _conversation(session, row.channel, row.sender_id or "")
    now = utc_now()
    window = timedelta(minutes=settings.channel_followup_minutes)
    within = now - conversation.last_inbound_at <= window
    report = session.get(Report, conversation.report_id) if conversation.report_id else None
    rating = _rating(parsed.text)
    if not (parsed.text or parsed.media or parsed.place):  # a sticker, a video, a photo that could not be fetched
        row.status, row.error = "ignored", "; ".join(parsed.notes) or "không có nội dung (nothing to take)"
        if parsed.notes:
            notify.reply_to_sender(session, row, purpose="notes", body=notify.skipped(parsed.notes), settings=settings)
    elif rating and report is not None and report.state == ReportState.published and report.rated_at is None:
        _rate(session, row, report, rating, settings)
    elif report is not None and report.state not in CLOSED and within:
        _add(session, row, report, parsed, settings)
    elif parsed.text:
        pending = conversation.pending if within else []
        report = _new_report(session, row, parsed, pending, settings)
        conversation.report_id, conversation.pending = report.id, []
    else:
        conversation.pending = [*(conversation.pending if within else []), _waiting(row, parsed)]
        row.status = "processed"
        if conversation.prompted_at is None or now - conversation.prompted_at > window:
            notify.reply_to_sender(session, row, purpose="ask_text", body=notify.ASK_TEXT, settings=settings)
            conversation.prompted_at = now
    conversation.last_inbound_at = now


def _email(session: Session, row: InboundMessage, parsed: Parsed, settings: Settings) -> None:
    if row.payload.get("automatic") or notify.is_own_address(parsed.sender_id, settings):
        row.status, row.error = "ignored", "thư tự động (auto-reply, bounce or list mail): not answered"
        return
    if row.payload.get("too_large"):
        row.status, row.error = "ignored", f"thư quá lớn ({row.payload['too_large']} bytes)"
        notify.reply_to_sender(
            session,
            row,
            purpose="too_large",
            body=notify.too_large(row.payload["too_large"], settings),
            settings=settings,
        )
        return
    report = _thread_report(session, parsed)
    rating = _rating(parsed.text)
    if report is not None and rating and report.state == ReportState.published and report.rated_at is None:
        _rate(session, row, report, rating, settings)
    elif report is not None and report.state not in CLOSED and (parsed.text or parsed.media or parsed.place):
        _add(session, row, report, parsed, settings)
    elif parsed.text or parsed.subject:
        _new_report(session, row, parsed, [], settings)
    else:
        row.status, row.error = "ignored", "thư không có nội dung (no text)"
        notify.reply_to_sender(session, row, purpose="no_text", body=notify.NO_TEXT, settings=settings)


def _new_report(
    session: Session, row: InboundMessage, parsed: Parsed, pending: list[dict[str, Any]], settings: Settings
) -> Report:
    media = [Media(**m) for item in pending for m in item.get("media", [])] + parsed.media
    places = [Place(**item["place"]) for item in pending if item.get("place")]
    place = parsed.place or (places[-1] if places else None)
    notes = [note for item in pending for note in item.get("notes", [])] + parsed.notes
    # Abuse limits per sender, not per address: every chat arrives from the provider's servers.
    submitter = Submitter(sender=(row.channel, row.sender_id or ""))
    report, token = submit_report(
        session,
        _draft(row.channel, parsed, place),
        actor=ANONYMOUS,
        settings=settings,
        channel=Channel(row.channel),
        submitter=submitter,
    )
    session.flush()
    _attach(session, report, media, ANONYMOUS, token, settings, notes)
    waiting = [int(item["inbound_id"]) for item in pending]
    if waiting:
        session.execute(update(InboundMessage).where(InboundMessage.id.in_(waiting)).values(report_id=report.id))
    row.status, row.report_id = "processed", report.id
    if notes:
        notify.reply_to_sender(
            session, row, purpose="notes", body=notify.skipped(notes), report=report, settings=settings
        )
    return report


def _draft(channel: str, parsed: Parsed, place: Place | None) -> ReportCreate:
    text = parsed.text or parsed.subject or ""
    fields: dict[str, Any] = {"description": text if len(text) <= 5000 else text[:4999] + "…"}
    if channel == Channel.email and parsed.subject:
        fields["title"] = parsed.subject[:200]
    if place and -90 <= place.lat <= 90 and -180 <= place.lon <= 180:
        fields["location"] = Location(**_given(lat=place.lat, lon=place.lon, address=(place.address or "")[:500]))
    if channel == Channel.email and parsed.sender_id:
        name = _given(name=(parsed.sender_name or "")[:255])
        try:
            fields["reporter"] = Reporter(**name, email=parsed.sender_id)
        except ValidationError:
            fields["reporter"] = Reporter(**name)
    # Writing to the city's official page or mailbox is the citizen's request to handle the report; the
    # first reply links the privacy notice (docs/channels.md).
    return ReportCreate(**fields, consent=True)


def _given(**values: Any) -> dict[str, Any]:
    """Only the values that are there: an absent field is left out, never passed as None or ""."""
    return {name: value for name, value in values.items() if value not in (None, "")}


def _add(session: Session, row: InboundMessage, report: Report, parsed: Parsed, settings: Settings) -> None:
    notes = list(parsed.notes)
    photos = _attach(session, report, parsed.media, CHANNEL_DESK, None, settings, notes)
    session.add(
        ReportAddition(
            report_id=report.id,
            channel=row.channel,
            inbound_message_id=row.id,
            text=clean(parsed.text) or None,
            lat=parsed.place.lat if parsed.place else None,
            lon=parsed.place.lon if parsed.place else None,
            photos=photos,
            created_at=utc_now(),
        )
    )
    row.status, row.report_id = "processed", report.id
    body = notify.added(report.code) + (f"\n{notify.skipped(notes)}" if notes else "")
    notify.reply_to_sender(session, row, purpose="added", body=body, report=report, settings=settings)


def _attach(
    session: Session,
    report: Report,
    media: list[Media],
    actor: Actor,
    token: str | None,
    settings: Settings,
    notes: list[str],
) -> int:
    added = 0
    for item in media:
        data = read(item)
        if data is None:
            notes.append("không đọc được ảnh đã nhận; chưa được nhận (photo lost)")
            continue
        try:
            with session.begin_nested():
                add_attachment(session, report.id, data, actor=actor, reporter_token=token, settings=settings)
            added += 1
        except DomainError as exc:
            notes.append(f"ảnh chưa được nhận: {exc.message}")
    return added


def _rate(session: Session, row: InboundMessage, report: Report, rating: int, settings: Settings) -> None:
    """The channel proves the sender is the reporter; a fresh one-time reporter secret lets `rate` agree."""
    token, digest = new_secret()
    session.execute(
        update(Report)
        .where(Report.id == report.id)
        .values(reporter_token_hash=digest)
        .execution_options(synchronize_session=False)
    )
    session.expire(report, ["reporter_token_hash"])
    rate(session, report.id, RatingIn(rating=rating), actor=ANONYMOUS, reporter_token=token)
    row.status, row.report_id = "processed", report.id
    notify.reply_to_sender(session, row, purpose="rated", body=notify.thanks(rating), report=report, settings=settings)


def _rating(text: str | None) -> int | None:
    found = _RATING.match(text or "")
    return int(found.group(1)) if found else None


def _waiting(row: InboundMessage, parsed: Parsed) -> dict[str, Any]:
    return {
        "inbound_id": row.id,
        "media": [{"path": m.path, "size": m.size} for m in parsed.media if m.path],
        "place": {"lat": parsed.place.lat, "lon": parsed.place.lon, "address": parsed.place.address}
        if parsed.place
        else None,
        "notes": parsed.notes,
    }


def _conversation(session: Session, channel: str, sender_id: str) -> Conversation:
    """The sender's conversation row, created if new and locked for this transaction."""
    now = utc_now()
    values = {"channel": channel, "sender_id": sender_id, "pending": [], "last_inbound_at": now, "created_at": now}
    if session.get_bind().dialect.name == "postgresql":
        session.execute(postgresql.insert(Conversation).values(**values).on_conflict_do_nothing())
    else:
        session.execute(sqlite.insert(Conversation).values(**values).on_conflict_do_nothing())
    query = select(Conversation).where(Conversation.channel == channel, Conversation.sender_id == sender_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    found = session.scalar(query.execution_options(populate_existing=True))
    assert found is not None
    return found


def _thread_report(session: Session, parsed: Parsed) -> Report | None:
    refs = [ref for ref in parsed.thread_refs if ref][:50]
    if refs:
        report_id = session.scalar(
            select(OutboundMessage.report_id)
            .where(OutboundMessage.provider_message_id.in_(refs), OutboundMessage.report_id.is_not(None))
            .limit(1)
        ) or session.scalar(
            select(InboundMessage.report_id)
            .where(
                InboundMessage.channel == Channel.email,
                InboundMessage.external_id.in_(refs),
                InboundMessage.report_id.is_not(None),
            )
            .limit(1)
        )
        if report_id is not None:
            return session.get(Report, report_id)
    found = _CODE.search(parsed.subject or "")
    code = normalise_code(found.group(0)) if found else None
    if code and parsed.sender_id:
        return session.scalar(
            select(Report).where(Report.code == code, func.lower(Report.reporter_email) == parsed.sender_id.lower())
        )
    return None
