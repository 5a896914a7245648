"""A report's timeline for the consoles, read from the event log: who, when, what changed, with the edits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from paht.auth.actor import Actor
from paht.models import Event, Report, User
from paht.reports.queries import events_of
from paht.web.diff import word_diff
from paht.web.i18n import Translator
from paht.web.labels import CHANNELS, EVENT_KINDS, ROLES, STAGES
from paht.web.lists import Directory
from paht.workflow.actions import LABELS as ACTION_LABELS
from paht.workflow.actions import Action


@dataclass
class Entry:
    at: datetime
    title: str
    who: str
    from_state: str | None
    to_state: str | None
    details: list[tuple[str, str | Markup]] = field(default_factory=list)
    kind: str = "transition"


def _who(event: Event, users: dict[int, User], d: Directory, t: Translator) -> str:
    # Citizens stay anonymous in the consoles: their identity is read only through the audited contact view.
    if event.actor_id is None or event.actor_role in (None, "citizen"):
        return t._("Citizen") if event.kind in ("created", "rated") else t._("System")
    user = users.get(event.actor_id)
    parts = [user.full_name if user else f"#{event.actor_id}", t._(ROLES.get(event.actor_role, event.actor_role))]
    if event.organization_id:
        parts.append(d.org(event.organization_id))
    return " · ".join(parts)


def _details(event: Event, d: Directory, t: Translator) -> list[tuple[str, str | Markup]]:
    payload = event.payload or {}
    details: list[tuple[str, str | Markup]] = []
    if event.action == "dispatch" and payload.get("organization_id"):
        details.append((t._("To"), d.org(payload["organization_id"])))
    if payload.get("suggested_organization_id"):
        details.append((t._("Suggested body"), d.org(payload["suggested_organization_id"])))
    for key, label in (("reason", t._("Reason")), ("note", t._("Note"))):
        if payload.get(key):
            details.append((label, str(payload[key])))
    if isinstance(payload.get("result"), dict):
        change = payload["result"]
        details.append((t._("Result"), word_diff(change.get("before"), change.get("after"))))
    names = {"title": t._("Public title"), "description": t._("Public description"), "result": t._("Public result")}
    for name, change in (payload.get("edits") or {}).items():
        details.append((names.get(name, name), word_diff(change.get("before"), change.get("after"))))
    if payload.get("duplicate_of_code"):
        details.append((t._("Original report"), str(payload["duplicate_of_code"])))
    if event.kind == "sla_breached":
        details.append((t._("Step"), t._(STAGES.get(payload.get("stage", ""), payload.get("stage", "")))))
    if event.kind == "rated":
        details.append((t._("Rating"), f"{payload.get('rating')}/5"))
    if event.kind == "created" and payload.get("channel"):
        details.append((t._("Channel"), t._(CHANNELS.get(payload["channel"], payload["channel"]))))
    return details


def timeline(session: Session, report: Report, actor: Actor, d: Directory, t: Translator) -> list[Entry]:
    events = [e for e in events_of(session, report.id) if e.kind != "contact_viewed" or actor.is_ioc]
    ids = {e.actor_id for e in events if e.actor_id is not None}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    entries = []
    for event in events:
        if event.kind == "transition" and event.action:
            vi, en = ACTION_LABELS[Action(event.action)]
            title = en if t.lang == "en" else vi
        else:
            title = t._(EVENT_KINDS.get(event.kind, event.kind))
        entries.append(
            Entry(
                at=event.created_at,
                title=title,
                who=_who(event, users, d, t),
                from_state=event.from_state,
                to_state=event.to_state,
                details=_details(event, d, t),
                kind=event.kind,
            )
        )
    return entries
