"""Statistics pages: the public /thong-ke, the IOC's dashboard and a body's dashboard (leaders and viewers).

They call the same functions as the JSON API (summary, ranking, trend, overdue, mix) and render through
the web's base.html. Charts are drawn by stats.js from a JSON block (the pages allow no inline script).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import Depends, Query
from fastapi.responses import FileResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from paht.auth.roles import IOC_ROLES, Role
from paht.clock import utc_now
from paht.errors import DomainError, Invalid, NotPermitted
from paht.stats import exports, mix, overdue, ranking, summary, trend
from paht.stats.api import check_scope
from paht.stats.labels import translator
from paht.stats.periods import PRESETS, Period, resolve_period
from paht.stats.queries import Scope
from paht.stats.schemas import StatsOut, TrendOut
from paht.web.context import PageViewer, Viewer, finish, render
from paht.web.routing import web_router

router = web_router()
SCRIPT = Path(__file__).resolve().parent.parent / "templates" / "stats" / "stats.js"
GROUPS = ("organization", "category", "area")


@dataclass(frozen=True)
class RawFilters:
    """The filter form as typed: empty fields are allowed, bad values become a message on the page."""

    start: str | None = None
    end: str | None = None
    period: str | None = None
    category_id: str | None = None
    area: str | None = None


def raw_filters(
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
    period: str | None = None,
    category_id: str | None = None,
    area: str | None = None,
) -> RawFilters:
    return RawFilters(start, end, period, category_id, area)


Filters = Annotated[RawFilters, Depends(raw_filters)]


def _day(value: str | None, name: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise Invalid(f"{name}: cần một ngày dạng YYYY-MM-DD (a date such as 2026-05-01).") from exc


def _number(value: str | None, name: str) -> int | None:
    try:
        return int(value) if value else None
    except ValueError as exc:
        raise Invalid(f"{name}: cần một số (a number).") from exc


def _filters(
    viewer: Viewer, session: Session, raw: RawFilters, organization_ids: frozenset[int] | None = None
) -> tuple[Scope, str | None]:
    """The scope asked for; a bad filter falls back to the last 30 days with the error shown on the page."""
    timezone = viewer.settings.timezone
    try:
        category_id, area = _number(raw.category_id, "category_id"), _number(raw.area, "area")
        check_scope(session, organization_id=None, category_id=category_id, area=area)
        start, end = _day(raw.start, "from"), _day(raw.end, "to")
        chosen = resolve_period(start=start, end=end, preset=raw.period or None, timezone=timezone)
        return Scope(chosen, organization_ids, category_id, area), None
    except DomainError as exc:
        default = resolve_period(start=None, end=None, preset=None, timezone=timezone)
        return Scope(default, organization_ids), exc.message


def _trend_series(points: TrendOut, lang: str) -> dict[str, list[Any]]:
    label = "%d/%m" if points.granularity == "week" else "%m/%Y"
    return {
        "labels": [p.start.strftime(label) for p in points.points],
        "received": [p.received for p in points.points],
        "resolved": [p.resolved for p in points.points],
        "ackOnTime": [p.acknowledge_on_time_rate for p in points.points],
        "resolveOnTime": [p.resolve_on_time_rate for p in points.points],
    }


def _trends(session: Session, scope: Scope, lang: str) -> dict[str, Any]:
    """The 12 weeks and the 12 months up to the end of the period."""
    end = scope.period.end
    weeks = Scope(Period(end - timedelta(weeks=12) + timedelta(days=1), end), *_rest(scope))
    first = end.year * 12 + end.month - 1 - 11
    months = Scope(Period(date(first // 12, first % 12 + 1, 1), end), *_rest(scope))
    return {
        "weeks": _trend_series(trend.build(session, weeks, "week"), lang),
        "months": _trend_series(trend.build(session, months, "month"), lang),
    }


def _rest(scope: Scope) -> tuple[Any, ...]:
    return (scope.organization_ids, scope.category_id, scope.area_id)


def chart_json(values: dict[str, Any]) -> str:
    """JSON safe inside a <script type="application/json"> block."""
    return json.dumps(values, ensure_ascii=False).replace("<", "\\u003c")


def _chart_text(tr: Any) -> dict[str, str]:
    return {
        "received": tr("Received"),
        "resolved": tr("Resolved"),
        "ackOnTime": tr("Acknowledged on time (%)"),
        "resolveOnTime": tr("Resolved on time (%)"),
        "ratings": tr("Ratings"),
    }


def _query(**values: object) -> str:
    return urlencode({k: v for k, v in values.items() if v not in (None, "")})


def _common(viewer: Viewer, session: Session, scope: Scope, error: str | None, group_by: str) -> dict[str, Any]:
    tr = translator(viewer.lang)
    p = scope.period
    params = {"period": p.preset} if p.preset else {"from": p.start.isoformat(), "to": p.end.isoformat()}
    params |= {"category_id": scope.category_id, "area": scope.area_id}
    return {
        "tr": tr,
        "error": error,
        "scope": scope,
        "group_by": group_by,
        "presets": list(PRESETS),
        "categories": list(summary.categories(session, viewer.lang).values()),
        "areas": list(summary.areas(session, viewer.lang).values()),
        "export_query": _query(**params, group_by=group_by, lang=viewer.lang),
        "report_query": _query(
            created_from=p.start.isoformat(), created_to=p.end.isoformat(), category_id=scope.category_id
        ),
        "pct": _percent,
    }


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


@router.get("/thong-ke")
def public_statistics(viewer: PageViewer, raw: Filters, group_by: str = "organization") -> Response:
    """Every body's figures for a period, the IOC's, the ranking, trends and satisfaction: no sign-in."""
    group_by = group_by if group_by in GROUPS else "organization"
    now = utc_now()
    with viewer.db.reader() as session:
        scope, error = _filters(viewer, session, raw)
        stats = summary.build(session, scope, group_by=group_by, lang=viewer.lang, now=now)
        ranked = ranking.build(session, scope, viewer.settings, lang=viewer.lang, now=now)
        context = _common(viewer, session, scope, error, group_by)
        charts = _trends(session, scope, viewer.lang)
    charts |= {"satisfaction": list(stats.total.satisfaction.distribution.values()), "text": _chart_text(context["tr"])}
    return render(viewer, "stats/public.html", stats=stats, ranking=ranked, charts=chart_json(charts), **context)


@router.get("/thong-ke/dieu-hanh")
def ioc_dashboard(viewer: PageViewer, raw: Filters) -> Response:
    """The IOC's dashboard: all bodies, clocks running, overdue now, misroutes, channel mix, volume by hour."""
    viewer.require(*IOC_ROLES)
    now = utc_now()
    with viewer.db.reader() as session:
        scope, error = _filters(viewer, session, raw)
        stats = summary.build(session, scope, group_by="organization", lang=viewer.lang, now=now)
        live = mix.live(session, None, now=now)
        late = overdue.overdue_list(session, viewer.actor, now=now, limit=20)
        intake = mix.intake_mix(session, scope)
        context = _common(viewer, session, scope, error, "organization")
    tr = context["tr"]
    charts = {
        "channels": {"labels": [tr(f"channel:{c}") for c in intake.channels], "values": list(intake.channels.values())},
        "hours": {"labels": list(intake.hours), "values": list(intake.hours.values())},
        "clocks": _clock_chart(live.running, stats, tr),
        "text": _chart_text(tr),
    }
    returns = sorted((g for g in stats.groups if g.handling.returned), key=lambda g: (-g.handling.returned, g.name))
    return render(
        viewer,
        "stats/ioc.html",
        stats=stats,
        live=live,
        late=late,
        intake=intake,
        returns=returns,
        running_total=sum(sum(stages.values()) for stages in live.running.values()),
        names=_party_names(stats, tr),
        charts=chart_json(charts),
        **context,
    )


@router.get("/thong-ke/don-vi")
def body_dashboard(viewer: PageViewer, raw: Filters) -> Response:
    """A leader's or a viewer's dashboard: their body and the bodies below it, read-only."""
    viewer.require(Role.leader, Role.viewer)
    bodies = frozenset(viewer.actor.readable_org_ids)
    if not bodies:
        raise NotPermitted(viewer.t._("Your account belongs to no handling body."))
    now = utc_now()
    with viewer.db.reader() as session:
        scope, error = _filters(viewer, session, raw, bodies)
        stats = summary.build(session, scope, group_by="organization", lang=viewer.lang, now=now)
        live = mix.live(session, bodies, now=now)
        late = overdue.overdue_list(session, viewer.actor, now=now, limit=20)
        context = _common(viewer, session, scope, error, "organization")
        charts = _trends(session, scope, viewer.lang)
    tr = context["tr"]
    charts |= {"clocks": _clock_chart(live.running, stats, tr), "text": _chart_text(tr)}
    return render(
        viewer,
        "stats/body.html",
        stats=stats,
        live=live,
        late=late,
        names=_party_names(stats, tr),
        read_only=not viewer.actor.has(Role.leader),
        charts=chart_json(charts),
        **context,
    )


STAGES = ("dispatch", "acknowledge", "resolve", "approve", "publish")


def _party_names(stats: StatsOut, tr: Any) -> dict[str, str]:
    names = {str(g.id): g.name for g in stats.groups if g.id is not None}
    return names | {"0": tr("IOC")}


def _clock_chart(running: dict[str, dict[str, int]], stats: StatsOut, tr: Any) -> dict[str, Any]:
    names = _party_names(stats, tr)
    parties = sorted(running, key=lambda p: -sum(running[p].values()))[:15]
    return {
        "labels": [names.get(p, f"#{p}") for p in parties],
        "datasets": [
            {"label": tr(f"stage:{stage}"), "values": [running[p].get(stage, 0) for p in parties]} for stage in STAGES
        ],
    }


@router.get("/thong-ke/xuat/phan-anh.{fmt}")
def export_reports(
    viewer: PageViewer,
    fmt: Literal["csv", "xlsx"],
    created_from: date | None = None,
    created_to: date | None = None,
    category_id: int | None = None,
    contacts: bool = False,
) -> Response:
    """The same report export as the API, for a signed-in browser: the session's visibility decides the rows."""
    kind = exports.audience(viewer.actor, contacts=contacts)
    filters = exports.ReportExportFilter(created_from=created_from, created_to=created_to, category_id=category_id)
    settings = viewer.settings
    table = exports.reports_table(viewer.db, viewer.actor, settings, kind=kind, filters=filters, lang=viewer.lang)
    name = f"paht-phan-anh-{utc_now().date()}.{fmt}"
    response = StreamingResponse(
        exports.stream(table, fmt, viewer.lang, settings.timezone),
        media_type=exports.MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
    return finish(viewer, response)


@router.get("/thong-ke/stats.js")
def script() -> FileResponse:
    return FileResponse(SCRIPT, media_type="text/javascript", headers={"Cache-Control": "public, max-age=3600"})
