"""Reports at a given step, made through the services with a frozen clock, for the deadline tests."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select

from paht.auth.actor import Actor
from paht.auth.service import actor_for
from paht.clock import frozen_at
from paht.config import Settings
from paht.db import Database
from paht.intake.schemas import ReportCreate
from paht.intake.service import submit_report
from paht.models import Organization, User
from paht.reports.service import perform_action
from paht.workflow import Action
from tests.factories import new_report_body


class Scenario:
    """Actors by username and organisation ids by code, loaded once from the seeded directory."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db, self.settings = db, settings
        with db.read() as session:
            self.actors: dict[str, Actor] = {u.username: actor_for(session, u) for u in session.scalars(select(User))}
            self.orgs = {o.code: o.id for o in session.scalars(select(Organization))}

    def submit(self, at: datetime, **overrides: Any) -> uuid.UUID:
        with frozen_at(at), self.db.write() as session:
            report, _ = submit_report(
                session,
                ReportCreate(**new_report_body(**overrides)),
                actor=self.actors["citizen.demo"],
                settings=self.settings,
            )
            session.flush()
            return report.id

    def act(self, report_id: uuid.UUID, username: str, action: Action, at: datetime, **payload: Any) -> None:
        with frozen_at(at), self.db.write() as session:
            perform_action(
                session,
                report_id,
                action,
                actor=self.actors[username],
                payload=payload,
                settings=self.settings,
                now=at,
            )

    def dispatched(self, at: datetime, body: str = "SXD", **overrides: Any) -> uuid.UUID:
        """A new report, dispatched to `body` at `at`: its 30-minute acknowledgement clock is running."""
        report_id = self.submit(at, **overrides)
        self.act(report_id, "ioc.operator", Action.dispatch, at, organization_id=self.orgs[body])
        return report_id
