"""When each step's clock falls due (DESIGN.md §5), computed with a frozen clock and recorded on the
assignment: normal reports on the working-day calendar, urgent ones and the acknowledgement 24/7."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from paht.clock import set_now
from paht.config import Settings
from paht.enums import ClockStage
from paht.models import Assignment, Category, Report, SlaClock
from paht.sla.deadlines import due_at
from tests.flow import Flow

HUE = ZoneInfo("Asia/Ho_Chi_Minh")
SETTINGS = Settings(_env_file=None, database_url="sqlite://")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=HUE)


def category(**overrides: object) -> Category:
    values: dict[str, object] = {"resolve_working_days": 2, "urgent_resolve_hours": 6, "dispatch_minutes": None}
    return Category(**(values | overrides))


def due(stage: ClockStage, start: datetime, *, urgent: bool = False, cat: Category | None = None) -> datetime:
    return due_at(stage, start=start, urgent=urgent, category=cat, settings=SETTINGS)


class TestDueAt:
    def test_the_acknowledgement_is_thirty_minutes_round_the_clock(self):
        saturday_night = local(2026, 3, 7, 23, 50)
        assert due(ClockStage.acknowledge, saturday_night) == local(2026, 3, 8, 0, 20)
        assert due(ClockStage.acknowledge, saturday_night, urgent=True) == local(2026, 3, 8, 0, 20)
        tet_eve = local(2026, 2, 16, 23, 45)
        assert due(ClockStage.acknowledge, tet_eve, cat=category()) == local(2026, 2, 17, 0, 15)

    def test_dispatch_is_thirty_minutes_round_the_clock_unless_the_category_says_otherwise(self):
        sunday = local(2026, 3, 8, 3, 0)
        assert due(ClockStage.dispatch, sunday) == local(2026, 3, 8, 3, 30)
        assert due(ClockStage.dispatch, sunday, cat=category(dispatch_minutes=10)) == local(2026, 3, 8, 3, 10)

    def test_resolve_counts_the_categorys_working_days(self):
        assert due(ClockStage.resolve, local(2026, 3, 6, 16), cat=category()) == local(2026, 3, 10, 16)
        assert due(ClockStage.resolve, local(2026, 2, 13, 15, 40), cat=category()) == local(2026, 2, 24, 15, 40)
        ten_days = category(resolve_working_days=10)
        assert due(ClockStage.resolve, local(2026, 4, 24, 9), cat=ten_days) == local(2026, 5, 13, 9)

    def test_resolve_without_a_category_takes_five_working_days(self):
        assert due(ClockStage.resolve, local(2026, 3, 2, 9)) == local(2026, 3, 9, 9)

    def test_urgent_resolve_counts_hours_through_nights_weekends_and_holidays(self):
        assert due(ClockStage.resolve, local(2026, 2, 14, 22), urgent=True, cat=category()) == local(2026, 2, 15, 4)
        assert due(ClockStage.resolve, local(2026, 2, 14, 22), urgent=True) == local(2026, 2, 15, 22)

    @pytest.mark.parametrize("stage", [ClockStage.approve, ClockStage.publish])
    def test_approve_and_publish_take_one_working_day(self, stage):
        assert due(stage, local(2026, 3, 6, 10)) == local(2026, 3, 9, 10)
        assert due(stage, local(2026, 4, 29, 16)) == local(2026, 5, 4, 16)
        assert due(stage, local(2026, 3, 7, 10), urgent=True) == local(2026, 3, 8, 10)

    def test_office_hours_and_working_days_come_from_the_settings(self):
        settings = Settings(
            _env_file=None,
            database_url="sqlite://",
            office_morning="08:00-12:00",
            office_afternoon="13:00-17:00",
            approve_working_days=2,
        )
        start = local(2026, 3, 2, 16)
        assert due_at(ClockStage.approve, start=start, urgent=False, category=None, settings=settings) == local(
            2026, 3, 4, 16
        )
        one_day = category(resolve_working_days=1)
        lunchtime = local(2026, 3, 2, 12, 30)  # the clock starts at 13:00, and a day is 8 hours
        assert due_at(ClockStage.resolve, start=lunchtime, urgent=False, category=one_day, settings=settings) == (
            local(2026, 3, 3, 12)
        )


def category_id(db, code: str) -> int:
    with db.read() as session:
        found = session.scalar(select(Category.id).where(Category.code == code))
    assert found is not None
    return found


def assignment_of(db, report_id: str) -> Assignment:
    with db.read() as session:
        report = session.get(Report, uuid.UUID(report_id))
        assert report is not None and report.current_assignment_id is not None
        assignment = session.get(Assignment, report.current_assignment_id)
        assert assignment is not None
        return assignment


def clocks_of(db, report_id: str) -> dict[str, SlaClock]:
    with db.read() as session:
        rows = session.scalars(select(SlaClock).where(SlaClock.report_id == uuid.UUID(report_id)).order_by(SlaClock.id))
        return {clock.stage: clock for clock in rows}  # the latest clock of each stage


def at(moment: datetime) -> None:
    set_now(moment.astimezone(ZoneInfo("UTC")))


def test_a_normal_report_across_tet_records_every_due_time_on_its_assignment(client, personas, db):
    flow = Flow(client, personas, db)
    at(local(2026, 2, 13, 15))  # the Friday before Tết
    report = flow.submit(category_id=category_id(db, "CHIEU_SANG"), urgent=False)  # 2 working days
    assert clocks_of(db, report["id"])["dispatch"].due_at == local(2026, 2, 13, 15, 30)

    at(local(2026, 2, 13, 15, 20))
    flow.act(report, "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])
    assert assignment_of(db, report["id"]).ack_due_at == local(2026, 2, 13, 15, 50)

    at(local(2026, 2, 13, 15, 40))
    flow.act(report, "handler_a", "acknowledge")
    # 80 minutes on Friday, then Tết (16–20 Feb) and a weekend, then all of Monday 23 and most of Tuesday 24.
    assert assignment_of(db, report["id"]).resolve_due_at == local(2026, 2, 24, 15, 40)

    at(local(2026, 2, 24, 10))
    flow.act(report, "handler_a", "submit_result", result="Đã thay bóng đèn.")
    assert assignment_of(db, report["id"]).approve_due_at == local(2026, 2, 25, 10)

    at(local(2026, 2, 25, 9))
    flow.act(report, "leader_a", "approve")
    assert assignment_of(db, report["id"]).publish_due_at == local(2026, 2, 26, 9)

    at(local(2026, 2, 26, 8))
    flow.act(report, "ioc_editor", "publish")
    assignment = assignment_of(db, report["id"])
    assert (assignment.ack_on_time, assignment.resolve_on_time) == (True, True)
    assert (assignment.approve_on_time, assignment.publish_on_time) == (True, True)
    clocks = clocks_of(db, report["id"])
    assert clocks["acknowledge"].due_at == assignment.ack_due_at
    assert clocks["resolve"].due_at == assignment.resolve_due_at
    assert clocks["approve"].due_at == assignment.approve_due_at
    assert clocks["publish"].due_at == assignment.publish_due_at
    assert all(clock.stopped_at is not None for clock in clocks.values())


def test_an_urgent_report_runs_round_the_clock(client, personas, db):
    flow = Flow(client, personas, db)
    at(local(2026, 2, 14, 23, 30))  # Saturday night, during the Tết weekend
    report = flow.submit(category_id=category_id(db, "NGAP_UNG"))  # urgent by default, 24 hours
    assert report["urgent"] is True

    at(local(2026, 2, 14, 23, 50))
    flow.act(report, "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])
    assert assignment_of(db, report["id"]).ack_due_at == local(2026, 2, 15, 0, 20)

    at(local(2026, 2, 15, 0, 10))
    flow.act(report, "handler_a", "acknowledge")
    assert assignment_of(db, report["id"]).resolve_due_at == local(2026, 2, 16, 0, 10)

    at(local(2026, 2, 15, 10))
    flow.act(report, "handler_a", "submit_result", result="Đã khơi thông cống.")
    assert assignment_of(db, report["id"]).approve_due_at == local(2026, 2, 16, 10)

    at(local(2026, 2, 15, 12))
    flow.act(report, "leader_a", "approve")
    assignment = assignment_of(db, report["id"])
    assert assignment.publish_due_at == local(2026, 2, 16, 12)
    assert (assignment.ack_on_time, assignment.resolve_on_time, assignment.approve_on_time) == (True, True, True)


def test_a_saturday_night_dispatch_must_be_acknowledged_by_twenty_past_midnight(client, personas, db):
    flow = Flow(client, personas, db)
    at(local(2026, 3, 7, 23, 40))
    on_time = flow.submit(category_id=category_id(db, "CHIEU_SANG"))
    late = flow.submit(category_id=category_id(db, "CHIEU_SANG"))
    at(local(2026, 3, 7, 23, 50))
    for report in (on_time, late):
        flow.act(report, "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])
        assert assignment_of(db, report["id"]).ack_due_at == local(2026, 3, 8, 0, 20)

    at(local(2026, 3, 8, 0, 20))  # exactly at the due time still counts
    flow.act(on_time, "handler_a", "acknowledge")
    at(local(2026, 3, 8, 0, 25))
    flow.act(late, "handler_a", "acknowledge")
    assert assignment_of(db, on_time["id"]).ack_on_time is True
    late_assignment = assignment_of(db, late["id"])
    assert late_assignment.ack_on_time is False
    assert late_assignment.acknowledged_at == local(2026, 3, 8, 0, 25)
    # The normal report's resolve clock then waits for office hours: all of Monday and Tuesday.
    assert late_assignment.resolve_due_at == local(2026, 3, 10, 17)


def test_a_returned_report_restarts_the_iocs_dispatch_clock(client, personas, db):
    flow = Flow(client, personas, db)
    at(local(2026, 3, 2, 9))
    report = flow.submit()
    flow.act(report, "ioc_operator", "dispatch", organization_id=flow.orgs["PHUHOI"])
    at(local(2026, 3, 2, 9, 10))
    flow.act(report, "handler_b", "return", reason="Không thuộc thẩm quyền", suggested_organization_id=flow.orgs["SXD"])
    with db.read() as session:
        running = session.scalars(
            select(SlaClock).where(SlaClock.report_id == uuid.UUID(report["id"]), SlaClock.stopped_at.is_(None))
        ).all()
    assert [(c.stage, c.due_at) for c in running] == [("dispatch", local(2026, 3, 2, 9, 40))]
    assert assignment_of_returned(db, report["id"]).ack_on_time is True  # returned within the 30 minutes


def assignment_of_returned(db, report_id: str) -> Assignment:
    with db.read() as session:
        assignment = session.scalar(
            select(Assignment).where(Assignment.report_id == uuid.UUID(report_id)).order_by(Assignment.id.desc())
        )
    assert assignment is not None and assignment.returned_at is not None
    return assignment
