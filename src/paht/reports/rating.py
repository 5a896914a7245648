"""The reporter's rating of a published result: 1–5 and a comment, once."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy import update
from sqlalchemy.orm import Session

from paht.auth.actor import Actor
from paht.clock import utc_now
from paht.enums import EventKind
from paht.errors import Conflict, InvalidTransition
from paht.intake.schemas import CleanText, blank_to_none
from paht.models import Event, Report
from paht.reports.hooks import after_change
from paht.reports.reporter import report_as_reporter
from paht.workflow.states import ReportState


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: int = Field(ge=1, le=5)
    comment: Annotated[CleanText | None, Field(max_length=2000), AfterValidator(blank_to_none)] = None


def rate(session: Session, report_id: uuid.UUID, data: RatingIn, *, actor: Actor, reporter_token: str | None) -> Report:
    report = report_as_reporter(session, report_id, actor, reporter_token)
    if report.state != ReportState.published:
        raise InvalidTransition("Chỉ đánh giá được kết quả đã công khai (only a published result can be rated).")
    now = utc_now()
    # Compare-and-swap so two simultaneous ratings cannot both land; no version bump for a rating.
    done = session.execute(
        update(Report)
        .where(Report.id == report.id, Report.rated_at.is_(None))
        .values(rating=data.rating, rating_comment=data.comment, rated_at=now)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise Conflict("Phản ánh này đã được đánh giá (already rated).")
    event = Event(
        report_id=report.id,
        kind=EventKind.rated,
        actor_id=actor.user_id,
        payload={"rating": data.rating},
        created_at=now,
    )
    session.add(event)
    session.flush()
    session.refresh(report)
    after_change(session, report, event)
    return report
