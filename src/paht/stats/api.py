"""JSON routes for statistics: public figures and ranking, staff overdue lists and live clocks, exports."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from paht.auth.actor import Actor
from paht.auth.roles import Role
from paht.clock import utc_now
from paht.config import Settings
from paht.deps import DB, AppSettings, CurrentActor, Lang, ReadSession, SignedIn
from paht.enums import OrgKind
from paht.errors import NotFound, NotPermitted
from paht.models import Category, Organization
from paht.params import IsoDate
from paht.responses import OPTIONAL_AUTH, errors, json_bytes
from paht.stats import exports, mix, overdue, ranking, summary, trend
from paht.stats.fast import request_words
from paht.stats.periods import resolve_period
from paht.stats.public_cache import AnswerCache
from paht.stats.queries import GROUPS, Scope
from paht.stats.schemas import MixOut, OverdueOut, RankingOut, RunningOut, StatsOut, TrendOut
from paht.stats.sheet import stats_table
from paht.workflow.states import ReportState

# The 200 answer of an export is a file in the format its extension names.
DOWNLOADS: dict[int | str, dict[str, Any]] = {
    200: {"content": {kind.split(";")[0]: {} for kind in exports.MEDIA_TYPES.values()}}
}
router = APIRouter(prefix="/api/v1", tags=["statistics"], responses=errors(401, 403, 404, 422))

Format = Literal["csv", "xlsx"]


def check_scope(session: Session, *, organization_id: int | None, category_id: int | None, area: int | None) -> None:
    """Unknown bodies, categories or areas are 404, not an empty table that looks like a real zero."""
    if organization_id is not None:
        org = session.get(Organization, organization_id)
        if org is None or org.kind == OrgKind.ioc:
            raise NotFound("Không có đơn vị xử lý này (unknown handling body).")
    if category_id is not None and session.get(Category, category_id) is None:
        raise NotFound("Không có lĩnh vực này (unknown category).")
    if area is not None and area not in summary.areas(session, "vi"):
        raise NotFound("Không có khu vực này (unknown area).")


def public_scope(
    session: ReadSession,
    settings: AppSettings,
    start: Annotated[IsoDate | None, Query(alias="from", description="first day (local), inclusive")] = None,
    end: Annotated[IsoDate | None, Query(alias="to", description="last day (local), inclusive")] = None,
    period: Annotated[str | None, Query(description="week | month | quarter | year (ending today)")] = None,
    organization_id: int | None = None,
    category_id: int | None = None,
    area: Annotated[int | None, Query(description="area id (paht.places); optional dimension")] = None,
) -> Scope:
    check_scope(session, organization_id=organization_id, category_id=category_id, area=area)
    return Scope(
        period=resolve_period(start=start, end=end, preset=period, timezone=settings.timezone),
        organization_ids=frozenset({organization_id}) if organization_id is not None else None,
        category_id=category_id,
        area_id=area,
    )


PublicScope = Annotated[Scope, Depends(public_scope)]
GroupBy = Annotated[Literal["organization", "category", "area"], Query(description=f"one of {', '.join(GROUPS)}")]


@router.get("/public/stats", response_model=StatsOut)
def public_stats(
    request: Request,
    session: ReadSession,
    db: DB,
    settings: AppSettings,
    scope: PublicScope,
    lang: Lang,
    group_by: GroupBy = "organization",
) -> Any:
    """Every metric of docs/statistics.md for a period, per body (or category, or area), the IOC's and the total.

    Answers are cached for `PAHT_PUBLIC_STATS_CACHE_SECONDS` (paht.stats.public_cache)."""

    def answer(reader: Session) -> bytes:
        return json_bytes(summary.build(reader, scope, group_by=group_by, lang=lang, now=utc_now()))

    def in_its_own_session() -> bytes:  # a refresh runs after this request (and its session) has ended
        with db.read() as own:
            return answer(own)

    key = ("public_stats", scope, group_by, lang)
    cache = _answer_cache(request, settings)
    body = cache.get_or_build(key, lambda: answer(session), in_its_own_session)
    cache.remember(request_words(request.scope), key, in_its_own_session)  # the next ones: paht.stats.fast
    return Response(body, media_type="application/json")


def _answer_cache(request: Request, settings: Settings) -> AnswerCache:
    state = request.app.state
    if getattr(state, "public_stats_cache", None) is None:
        state.public_stats_cache = AnswerCache(settings.public_stats_cache_seconds)
    return state.public_stats_cache  # type: ignore[no-any-return]


@router.get("/public/stats/ranking", response_model=RankingOut)
def public_ranking(session: ReadSession, scope: PublicScope, settings: AppSettings, lang: Lang) -> Any:
    """Bodies ranked by the composite score; bodies under the minimum volume are listed unranked."""
    return ranking.build(session, scope, settings, lang=lang, now=utc_now())


@router.get("/public/stats/trend", response_model=TrendOut)
def public_trend(session: ReadSession, scope: PublicScope, granularity: Literal["week", "month"] = "week") -> Any:
    """Volumes, on-time rates and satisfaction per week or month."""
    return trend.build(session, scope, granularity)


@router.get("/public/stats/export.{fmt}", responses=DOWNLOADS)
def public_stats_export(
    fmt: Format,
    session: ReadSession,
    scope: PublicScope,
    settings: AppSettings,
    lang: Lang,
    group_by: GroupBy = "organization",
) -> StreamingResponse:
    """The statistics of the period as CSV or XLSX (one row per body, category or area)."""
    stats = summary.build(session, scope, group_by=group_by, lang=lang, now=utc_now())
    name = f"paht-thong-ke-{scope.period.start}-{scope.period.end}.{fmt}"
    return _download(exports.stream(stats_table(stats, lang), fmt, lang, settings.timezone), fmt, name)


def _download(body: Any, fmt: str, filename: str) -> StreamingResponse:
    return StreamingResponse(
        body,
        media_type=exports.MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def require_staff(actor: Actor) -> None:
    """Dashboards and overdue lists: the IOC, leaders and viewers (read-only oversight)."""
    if not (actor.is_ioc or actor.has(Role.leader, Role.viewer)):
        raise NotPermitted("Chỉ IOC, lãnh đạo và người giám sát xem được mục này (staff dashboards only).")


@router.get("/stats/overdue", response_model=OverdueOut)
def overdue_now(
    session: ReadSession,
    actor: SignedIn,
    organization_id: int | None = None,
    stage: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Any:
    """Running clocks past their due time, most overdue first, limited to what the caller may see."""
    require_staff(actor)
    return overdue.overdue_list(
        session, actor, now=utc_now(), organization_id=organization_id, stage=stage, cursor=cursor, limit=limit
    )


@router.get("/stats/live", response_model=RunningOut)
def live_clocks(session: ReadSession, actor: SignedIn) -> Any:
    """Clocks running and overdue now per responsible party (organization id; "0" is the IOC)."""
    require_staff(actor)
    scope = None if actor.is_ioc else frozenset(actor.readable_org_ids)
    return mix.live(session, scope, now=utc_now())


@router.get("/stats/mix", response_model=MixOut)
def intake_mix(session: ReadSession, actor: SignedIn, scope: PublicScope) -> Any:
    """The IOC's intake by channel and by hour of day (local time) over a period."""
    if not actor.is_ioc:
        raise NotPermitted("Chỉ IOC xem được cơ cấu tiếp nhận (IOC only).")
    return mix.intake_mix(session, scope)


@router.get("/exports/reports.{fmt}", responses=DOWNLOADS, openapi_extra=OPTIONAL_AUTH)
def export_reports(
    fmt: Format,
    db: DB,
    actor: CurrentActor,
    settings: AppSettings,
    lang: Lang,
    created_from: IsoDate | None = None,
    created_to: IsoDate | None = None,
    state: Annotated[list[ReportState] | None, Query()] = None,
    organization_id: int | None = None,
    category_id: int | None = None,
    contacts: Annotated[bool, Query(description="IOC only: add the reporters' contact details")] = False,
) -> StreamingResponse:
    """Reports as CSV or XLSX, streamed. Anonymous: published reports' public text only; staff: the reports
    they may see; reporter contacts only for IOC staff who ask with `contacts=true`."""
    kind = exports.audience(actor, contacts=contacts)
    filters = exports.ReportExportFilter(
        created_from=created_from,
        created_to=created_to,
        state=[s.value for s in state] if state else None,
        organization_id=organization_id,
        category_id=category_id,
    )
    table = exports.reports_table(db, actor, settings, kind=kind, filters=filters, lang=lang)
    name = f"paht-phan-anh-{utc_now().date()}.{fmt}"
    return _download(exports.stream(table, fmt, lang, settings.timezone), fmt, name)
