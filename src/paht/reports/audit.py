"""Audit of staff reads of reporter contact details (DESIGN.md §1: the reporter's identity is confidential)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from paht.auth.actor import Actor
from paht.clock import utc_now
from paht.enums import EventKind
from paht.models import Event, Report


def record_contact_view(session: Session, report: Report, actor: Actor, *, purpose: str) -> None:
    session.add(
        Event(
            report_id=report.id,
            kind=EventKind.contact_viewed,
            actor_id=actor.user_id,
            actor_role=sorted(r.value for r in actor.roles)[0] if actor.roles else None,
            organization_id=actor.organization_id,
            payload={"purpose": purpose},
            created_at=utc_now(),
        )
    )
