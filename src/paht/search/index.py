"""Keeping the search index in step with reports, in the same transaction as each change."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from paht.enums import EventKind
from paht.models import Event, Report, ReportSearch
from paht.prepared import Write
from paht.search.text import indexed


def staff_parts(report: Report) -> list[str | None]:
    """What staff may search: the citizen's and the officer's words, the address, the tracking code."""
    return [
        report.code,
        report.title,
        report.description,
        report.address,
        report.result,
        report.approved_result,
        report.public_title,
        report.public_description,
        report.public_result,
    ]


def public_parts(report: Report) -> list[str | None]:
    """What the public may search: only the text the IOC edited and published."""
    return [report.public_title, report.public_description, report.public_result]


def texts(report: Report) -> dict[str, str]:
    staff_raw, staff_folded = indexed(staff_parts(report))
    public_raw, public_folded = indexed(public_parts(report))
    return {
        "staff_raw": staff_raw,
        "staff_folded": staff_folded,
        "public_raw": public_raw,
        "public_folded": public_folded,
    }


_INSERT_ROW = Write(insert(ReportSearch.__table__))


def sync_report(session: Session, report: Report, event: Event | None = None) -> None:
    """Report-change hook: write the report's row only when its texts changed (FTS triggers follow)."""
    wanted = texts(report)
    # A new report has no row yet: no need to look (one query off every submission, issue 7 W1).
    new = event is not None and event.kind == EventKind.created
    row = None if new else session.scalar(select(ReportSearch).where(ReportSearch.report_id == report.id))
    if row is None:  # a plain INSERT: the unit of work cost ~80 µs more per row, and every submission adds one
        _INSERT_ROW.run(session, {"report_id": report.id, **wanted})
        return
    for name, value in wanted.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


def reindex(session: Session, *, batch: int = 500) -> Iterator[int]:
    """Rebuild every row (after changing the tokenizer); yields the number done after each batch."""
    done, last = 0, None
    while True:
        query = select(Report).order_by(Report.id).limit(batch)
        if last is not None:
            query = query.where(Report.id > last)
        reports = list(session.scalars(query))
        if not reports:
            return
        for report in reports:
            sync_report(session, report)
        session.flush()
        session.expunge_all()
        last, done = reports[-1].id, done + len(reports)
        yield done
