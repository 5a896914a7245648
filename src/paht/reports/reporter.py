"""Acting as the reporter: a signed-in citizen who filed the report, or whoever holds its one-time secret."""

from __future__ import annotations

import hmac
import uuid

from sqlalchemy.orm import Session

from paht.auth.actor import Actor
from paht.errors import NotFound, NotPermitted
from paht.models import Report
from paht.reports import queries
from paht.reports.codes import secret_digest


def is_reporter(report: Report, actor: Actor, reporter_token: str | None) -> bool:
    if actor.user_id is not None and report.reporter_user_id == actor.user_id:
        return True
    return bool(
        reporter_token
        and report.reporter_token_hash
        and hmac.compare_digest(report.reporter_token_hash, secret_digest(reporter_token))
    )


def report_as_reporter(session: Session, report_id: uuid.UUID, actor: Actor, reporter_token: str | None) -> Report:
    report = session.get(Report, report_id)
    if report is not None and is_reporter(report, actor, reporter_token):
        return report
    if actor.is_anonymous:
        raise NotFound("Không tìm thấy phản ánh (report not found).")
    queries.get_visible(session, report_id, actor)  # 404 when the caller cannot see it at all
    raise NotPermitted("Chỉ người gửi phản ánh mới được thực hiện thao tác này (only the reporter may do this).")
