"""The statistics of a period, assembled for the API, the pages and the exports (one function for all)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from paht.enums import OrgKind
from paht.models import Category, Organization
from paht.stats import metrics, queries
from paht.stats.definitions import IOC_KEY, NONE_KEY
from paht.stats.queries import Scope
from paht.stats.schemas import GroupStats, IocStats, PeriodOut, StatsOut

NO_CATEGORY = ("Chưa phân loại", "No category")
NO_AREA = ("Chưa xác định khu vực", "Unknown area")


@dataclass(frozen=True)
class Named:
    id: int | None
    code: str | None
    name: str


def period_out(scope: Scope) -> PeriodOut:
    p = scope.period
    return PeriodOut(start=p.start, end=p.end, preset=p.preset, days=p.days)


def organizations(session: Session, lang: str) -> dict[int, Named]:
    """Every handling body (not the IOC), active ones and retired ones alike."""
    rows = session.scalars(select(Organization).where(Organization.kind != OrgKind.ioc).order_by(Organization.code))
    return {o.id: Named(o.id, o.code, (o.name_en or o.name) if lang == "en" else o.name) for o in rows}


def active_body_ids(session: Session) -> set[int]:
    return set(
        session.scalars(select(Organization.id).where(Organization.kind != OrgKind.ioc, Organization.active.is_(True)))
    )


def ioc_name(session: Session, lang: str) -> str:
    ioc = session.scalar(select(Organization).where(Organization.kind == OrgKind.ioc).limit(1))
    if ioc is None:
        return "IOC"
    return (ioc.name_en or ioc.name) if lang == "en" else ioc.name


def categories(session: Session, lang: str) -> dict[int, Named]:
    rows = session.scalars(select(Category).order_by(Category.code))
    return {c.id: Named(c.id, c.code, c.name_en if lang == "en" else c.name) for c in rows}


def areas(session: Session, lang: str) -> dict[int, Named]:
    """The areas of paht.places when it is installed (the area dimension is optional)."""
    try:
        from paht.models import Area  # type: ignore[attr-defined]
    except ImportError:
        return {}
    from paht.stats.aggregates import places_installed

    if not places_installed(session):
        return {}
    return {a.id: Named(a.id, a.code, a.name) for a in session.scalars(select(Area).order_by(Area.name))}


def _named(group_by: str, key: int, names: Mapping[int, Named], lang: str) -> Named:
    if key in names:
        return names[key]
    if key == NONE_KEY and group_by in ("category", "area"):
        label = NO_CATEGORY if group_by == "category" else NO_AREA
        return Named(None, None, label[1] if lang == "en" else label[0])
    return Named(key, None, f"#{key}")


def _sum(parts: Iterable[Counter[str]]) -> Counter[str]:
    out: Counter[str] = Counter()
    for part in parts:
        out.update(part)
    return out


def _sum_buckets(parts: Iterable[Mapping[str, Counter[str]]]) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for part in parts:
        for metric, counts in part.items():
            out.setdefault(metric, Counter()).update(counts)
    return out


def _group(
    named: Named,
    c: Counter[str],
    b: Mapping[str, Counter[str]],
    late: Counter[str],
    *,
    with_intake: bool,
) -> GroupStats:
    return GroupStats(
        id=named.id,
        code=named.code,
        name=named.name,
        intake=metrics.intake(c, b) if with_intake else None,
        handling=metrics.handling(c, b),
        satisfaction=metrics.satisfaction(c),
        overdue_now=metrics.overdue(late),
    )


def build(session: Session, scope: Scope, *, group_by: str, lang: str, now: datetime) -> StatsOut:
    """The statistics of `scope`, grouped by body, category or area, with the IOC's and the total."""
    counters = queries.counters(session, scope, group_by if group_by != "organization" else None)
    hist = queries.buckets(session, scope, group_by if group_by != "organization" else None)
    late = queries.overdue_counts(
        session, queries.Filters.of(scope), now, group_by if group_by != "organization" else None
    )
    whole_city = scope.organization_ids is None

    ioc = None
    if whole_city:
        ioc_counts = _sum(v for (org, _), v in counters.items() if org == IOC_KEY)
        ioc_hist = _sum_buckets(v for (org, _), v in hist.items() if org == IOC_KEY)
        ioc_late = _sum(v for (org, _), v in late.items() if org == IOC_KEY)
        ioc = IocStats(intake=metrics.intake(ioc_counts, ioc_hist), overdue_now=metrics.overdue(ioc_late))
    total = _group(
        Named(None, None, "Toàn tỉnh" if lang != "en" else "All bodies"),
        _sum(counters.values()),
        _sum_buckets(hist.values()),
        _sum(late.values()),
        with_intake=whole_city,
    )
    return StatsOut(
        period=period_out(scope),
        group_by=group_by,
        organization_id=next(iter(scope.organization_ids)) if len(scope.organization_ids or ()) == 1 else None,
        category_id=scope.category_id,
        area=scope.area_id,
        generated_at=now,
        ioc=ioc,
        total=total,
        groups=_groups(session, scope, group_by, lang, counters, hist, late),
    )


def _groups(
    session: Session,
    scope: Scope,
    group_by: str,
    lang: str,
    counters: Mapping[tuple[int, int], Counter[str]],
    hist: Mapping[tuple[int, int], Mapping[str, Counter[str]]],
    late: Mapping[tuple[int, int], Counter[str]],
) -> list[GroupStats]:
    if group_by == "organization":
        names = organizations(session, lang)
        keys = {org for org, _ in counters} | {org for org, _ in late} | active_body_ids(session)
        keys.discard(IOC_KEY)
        if scope.organization_ids is not None:
            keys &= set(scope.organization_ids)
        ordered = sorted(keys, key=lambda k: (names[k].name if k in names else "", k))
        return [
            _group(
                _named(group_by, org, names, lang),
                counters.get((org, 0), Counter()),
                hist.get((org, 0), {}),
                late.get((org, 0), Counter()),
                with_intake=False,
            )
            for org in ordered
        ]
    names = categories(session, lang) if group_by == "category" else areas(session, lang)
    keys = {key for _, key in counters} | {key for _, key in late}
    if group_by == "category" and scope.category_id is None:
        keys |= set(names)
    ordered = sorted(keys, key=lambda k: (k == NONE_KEY, _named(group_by, k, names, lang).name))
    return [
        _group(
            _named(group_by, key, names, lang),
            _sum(v for (_, k), v in counters.items() if k == key),
            _sum_buckets(v for (_, k), v in hist.items() if k == key),
            _sum(v for (_, k), v in late.items() if k == key),
            with_intake=scope.organization_ids is None,
        )
        for key in ordered
    ]
