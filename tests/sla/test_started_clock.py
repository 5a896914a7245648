"""The clock a write starts is shown from memory in the same transaction (`paht.sla.service.started_clock`):
it must be the row the database holds, and be forgotten once it may no longer be."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from paht.clock import frozen_at
from paht.errors import Invalid
from paht.intake.schemas import ReportCreate
from paht.intake.service import submit_report
from paht.models import Category, SlaClock
from paht.reports.queries import running_clock
from paht.reports.service import perform_action
from paht.sla.service import started_clock
from paht.workflow import Action
from tests.factories import new_report_body
from tests.sla.scenario import Scenario

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def stored_running(session, report_id) -> SlaClock:
    return session.scalars(select(SlaClock).where(SlaClock.report_id == report_id, SlaClock.stopped_at.is_(None))).one()


def same_clock(shown: SlaClock, stored: SlaClock) -> bool:
    return (shown.stage, shown.started_at, shown.due_at, shown.assignment_id) == (
        stored.stage, stored.started_at, stored.due_at, stored.assignment_id
    )  # fmt: skip


def test_a_submission_shows_the_clock_it_started_and_forgets_it_at_commit(db, settings):
    scenario = Scenario(db, settings)
    with frozen_at(MONDAY), db.write() as session:
        category = session.scalars(select(Category).where(Category.active)).first()
        category.dispatch_minutes = 17  # the category's own deadline, read without loading the entity
        session.flush()
        body = ReportCreate(**new_report_body(category_id=category.id))
        report, _ = submit_report(session, body, actor=scenario.actors["citizen.demo"], settings=settings)
        shown = started_clock(session, report.id)
        assert shown is not None and running_clock(session, report.id) is shown
        assert same_clock(shown, stored_running(session, report.id))
        assert (shown.due_at - shown.started_at).total_seconds() == 17 * 60
        session.commit()
        assert started_clock(session, report.id) is None  # a later transaction reads the database
        assert same_clock(running_clock(session, report.id), stored_running(session, report.id))


def test_a_step_shows_its_new_clock_not_the_one_it_stopped(db, settings):
    scenario = Scenario(db, settings)
    report_id = scenario.submit(MONDAY)
    with frozen_at(MONDAY), db.write() as session:
        actor = scenario.actors["ioc.operator"]
        perform_action(
            session, report_id, Action.dispatch, actor=actor, payload={"organization_id": scenario.orgs["SXD"]},
            settings=settings, now=MONDAY,
        )  # fmt: skip
        shown = running_clock(session, report_id)
        assert shown is started_clock(session, report_id)
        assert shown.stage == "acknowledge" and shown.assignment_id is not None
        assert same_clock(shown, stored_running(session, report_id))


def test_a_rolled_back_savepoint_forgets_the_clock_it_started(db, settings):
    scenario = Scenario(db, settings)
    with frozen_at(MONDAY), db.write() as session:
        savepoint = session.begin_nested()
        report, _ = submit_report(
            session, ReportCreate(**new_report_body()), actor=scenario.actors["citizen.demo"], settings=settings
        )
        report_id = report.id
        assert started_clock(session, report_id) is not None
        savepoint.rollback()
        assert started_clock(session, report_id) is None
        assert running_clock(session, report_id) is None  # nor is there one in the database


def test_an_unknown_or_inactive_category_is_refused_by_name(db, settings):
    scenario = Scenario(db, settings)
    with db.write() as session:
        inactive = session.scalars(select(Category)).first()
        inactive.active = False
        session.flush()
        for category_id in (inactive.id, 999_999):
            body = ReportCreate(**new_report_body(category_id=category_id))
            with pytest.raises(Invalid, match=f"Lĩnh vực {category_id} không tồn tại"):
                submit_report(session, body, actor=scenario.actors["citizen.demo"], settings=settings)
