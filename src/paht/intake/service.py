"""The one intake service every channel ends in: a draft becomes a `received` report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from paht.abuse.entries import match as abuse_match
from paht.abuse.submissions import Submitter
from paht.abuse.submissions import limit as abuse_limits
from paht.audit.chain import append as append_event
from paht.auth.actor import Actor
from paht.auth.roles import Role
from paht.categories.terms import category_terms
from paht.clock import utc_now
from paht.config import Settings
from paht.enums import Channel, EventKind
from paht.errors import Invalid, NotPermitted
from paht.intake.schemas import ReportCreate
from paht.jobs.queue import enqueue
from paht.models import Event, Report, User
from paht.prepared import Prepared, Write, insert_object
from paht.privacy.consent import record_consent
from paht.reports.codes import new_code, new_secret
from paht.reports.hooks import after_change
from paht.sla.service import start_clock_for_state
from paht.workflow.states import ReportState

# Channels a caller may name in the JSON API; the others are set by their channel adapters.
API_CHANNELS = {Channel.app, Channel.web, Channel.hotline}


def _channel_for(data: ReportCreate, actor: Actor, channel: Channel | None) -> Channel:
    if channel is not None:  # set by a channel adapter, not by the caller
        return channel
    chosen = data.channel or Channel.app
    if chosen not in API_CHANNELS:
        raise Invalid(
            f"Kênh «{chosen.value}» chỉ được ghi nhận qua bộ tiếp nhận của kênh đó (set by that channel only)."
        )
    if chosen is Channel.hotline and Role.ioc_operator not in actor.roles:
        raise NotPermitted(
            "Chỉ điều hành viên IOC được ghi nhận cuộc gọi đường dây nóng (only IOC operators enter hotline calls)."
        )
    return chosen


def _category(session: Session, category_id: int | None) -> Any | None:
    if category_id is None:
        return None
    category = category_terms(session, category_id)
    if category is None or not category.active:
        raise Invalid(f"Lĩnh vực {category_id} không tồn tại (unknown category).")
    return category


def submit_report(
    session: Session,
    data: ReportCreate,
    *,
    actor: Actor,
    settings: Settings,
    channel: Channel | None = None,
    submitter: Submitter | None = None,
    answer: Callable[[Report, str], None] | None = None,
) -> tuple[Report, str]:
    """Create a report in `received` (`held` when the reporter is on the abuse list); returns it with the
    reporter's one-time secret. With a `submitter`, its submission limits are counted (429 past them).

    `answer(report, secret)` is the caller's own work in the transaction (the API stores its response under
    the Idempotency-Key): it runs once the report and its clock are written and before the rows every
    submission shares are touched, so that it is not done while other submissions wait for those locks."""
    chosen = _channel_for(data, actor, channel)
    category = _category(session, data.category_id)
    reporter = data.reporter
    name, phone, email = (reporter.name, reporter.phone, reporter.email) if reporter else (None, None, None)
    citizen = session.get(User, actor.user_id) if actor.has(Role.citizen) and chosen is not Channel.hotline else None
    if citizen is not None:
        name, phone, email = name or citizen.full_name, phone or citizen.phone, email or citizen.email
    if chosen is Channel.hotline and not phone:
        raise Invalid("Cần số điện thoại của người gọi (the caller's phone is required).")
    # Chat and e-mail reports answer on their own conversation (paht.channels); Open311 clients poll.
    if citizen is None and not (phone or email) and chosen in API_CHANNELS:
        raise Invalid("Cần số điện thoại hoặc email để nhận phản hồi (a phone or an e-mail is required).")

    # A listed reporter is answered like anyone else; only the IOC sees the report is held (paht.abuse).
    listed = abuse_match(session, phone=phone, email=email, sender=submitter.sender if submitter else None)
    now = utc_now()
    token, token_hash = new_secret()
    report = Report(
        code=_unique_code(session),
        state=ReportState.held if listed else ReportState.received,
        channel=chosen,
        urgent=data.urgent or bool(category and category.urgent_by_default),
        title=data.title,
        description=data.description,
        category_id=category.id if category else None,
        lat=data.location.lat if data.location else None,
        lon=data.location.lon if data.location else None,
        address=data.location.address if data.location else None,
        reporter_user_id=citizen.id if citizen else None,
        reporter_name=None if data.anonymous else name,
        reporter_phone=phone,
        reporter_email=email,
        reporter_token_hash=token_hash,
        anonymous=data.anonymous,
        consent=data.consent,
        consent_notice_version=settings.notice_version,
        created_by_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    insert_object(session, report, _INSERT_REPORT)
    record_consent(session, report, actor=actor, notice_version=settings.notice_version, now=now)
    start_clock_for_state(session, report, assignment=None, now=now, settings=settings)
    enqueue(session, "notify_reporter", {"report_id": str(report.id), "event": "received"})
    event = Event(
        report_id=report.id,
        kind=EventKind.created,
        to_state=report.state,
        actor_id=actor.user_id,
        actor_role=Role.ioc_operator if chosen is Channel.hotline else (Role.citizen if citizen else None),
        organization_id=actor.organization_id if chosen is Channel.hotline else None,
        payload={"channel": chosen.value, "urgent": report.urgent, "category_id": report.category_id},
        created_at=now,
    )
    if answer is not None:
        answer(report, token)
    # The event row is written last, after the hooks (which see it unsaved: `paht.reports.hooks`) and the
    # limits. On PostgreSQL the statistics hook adds to rows every submission updates (today's, the city's),
    # its flush takes the audit chain's lock (paht.audit.chain), and the limits lock the counter row every
    # submission from one address (a ward office, a carrier's NAT) updates; all are held until the commit,
    # so whatever follows the first of them is done one submission at a time. A refusal (429) rolls the
    # report back with everything else, the caller's answer included.
    after_change(session, report, event)
    if submitter is not None:
        abuse_limits(session, submitter, settings)
    append_event(session, event)
    return report, token


_INSERT_REPORT = Write(insert(Report.__table__))
# Built once, on the table (no ORM loading for one scalar): every submission asks.
_CODE_TAKEN = Prepared(select(Report.__table__.c.id).where(Report.__table__.c.code == bindparam("code")))


def _unique_code(session: Session) -> str:
    for _ in range(10):
        code = new_code()
        if not _CODE_TAKEN.rows(session, code=code):
            return code
    raise RuntimeError("could not allocate a unique tracking code")
