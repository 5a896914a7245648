"""Driving reports through the real services at chosen local times (Huế, UTC+7), for statistics tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from paht.auth.actor import ANONYMOUS, Actor
from paht.auth.service import actor_for
from paht.clock import frozen_at
from paht.config import Settings
from paht.db import Database
from paht.enums import Channel
from paht.intake.schemas import Location, ReportCreate, Reporter
from paht.intake.service import submit_report
from paht.models import Category, Organization, User
from paht.reports.rating import RatingIn, rate
from paht.reports.service import perform_action
from paht.workflow import Action

HUE = ZoneInfo("Asia/Ho_Chi_Minh")
USERS = {
    "operator": "ioc.operator",
    "editor": "ioc.editor",
    "handler_a": "sxd.handler",
    "leader_a": "sxd.leader",
    "handler_b": "phuhoi.handler",
    "leader_b": "phuhoi.leader",
}


def local(text: str) -> datetime:
    """'2026-04-24 16:00' in Huế time, as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=HUE).astimezone(UTC)


class World:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db, self.settings = db, settings
        self.tokens: dict[uuid.UUID, str] = {}
        with db.read() as session:
            self.orgs = {o.code: o.id for o in session.scalars(select(Organization))}
            self.categories = {c.code: c.id for c in session.scalars(select(Category))}
            self.actors: dict[str, Actor] = {}
            for persona, username in USERS.items():
                user = session.scalar(select(User).where(User.username == username))
                assert user is not None
                self.actors[persona] = actor_for(session, user)

    def submit(
        self, at: str, category: str | None, channel: Channel = Channel.app, *, description: str = "Đèn đường hỏng."
    ) -> uuid.UUID:
        draft = ReportCreate(
            description=description,
            category_id=self.categories[category] if category else None,
            location=Location(lat=16.4637, lon=107.5909),
            reporter=Reporter(name="Lê Văn Thử", phone="0905111222", email="thu@example.vn"),
            consent=True,
        )
        with frozen_at(local(at)), self.db.write() as session:
            report, token = submit_report(session, draft, actor=ANONYMOUS, settings=self.settings, channel=channel)
            self.tokens[report.id] = token
            return report.id

    def act(self, report_id: uuid.UUID, at: str, action: str, persona: str, **payload: Any) -> None:
        if "organization" in payload:
            payload["organization_id"] = self.orgs[payload.pop("organization")]
        if "suggested" in payload:
            payload["suggested_organization_id"] = self.orgs[payload.pop("suggested")]
        if action in ("return", "send_back", "reject", "reopen"):
            payload.setdefault("reason", "Lý do thử nghiệm")
        if action == "submit_result":
            payload.setdefault("result", "Đã xử lý xong.")
        if "duplicate_of" in payload:
            payload["duplicate_of_id"] = str(payload.pop("duplicate_of"))
        when = local(at)
        with frozen_at(when), self.db.write() as session:
            perform_action(
                session,
                report_id,
                Action(action),
                actor=self.actors[persona],
                payload=payload,
                settings=self.settings,
                now=when,
            )

    def rate(self, report_id: uuid.UUID, at: str, stars: int) -> None:
        with frozen_at(local(at)), self.db.write() as session:
            rate(session, report_id, RatingIn(rating=stars), actor=ANONYMOUS, reporter_token=self.tokens[report_id])
