"""The public ranking of handling bodies by a composite score (weights in Settings, docs/statistics.md).

score = 100 × Σ wᵢ·cᵢ / Σ wᵢ over the components a body has figures for, where the components are the
acknowledged-on-time rate, the resolved-on-time rate, the leaders' approved-on-time rate and the
satisfaction (average rating mapped from 1–5 onto 0–1). A body that received fewer reports than the
minimum volume in the period is listed without a rank.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from paht.config import Settings
from paht.stats import summary
from paht.stats.queries import Scope
from paht.stats.schemas import GroupStats, RankingEntry, RankingOut


def weights(settings: Settings) -> dict[str, float]:
    return {
        "acknowledge": settings.stats_weight_acknowledge,
        "resolve": settings.stats_weight_resolve,
        "approve": settings.stats_weight_approve,
        "satisfaction": settings.stats_weight_satisfaction,
    }


def components(group: GroupStats) -> dict[str, float | None]:
    handling, rated = group.handling, group.satisfaction
    return {
        "acknowledge": handling.acknowledge.on_time_rate,
        "resolve": handling.resolve.on_time_rate,
        "approve": handling.approve.on_time_rate,
        "satisfaction": (rated.average - 1) / 4 if rated.average is not None else None,
    }


def score(parts: dict[str, float | None], weight: dict[str, float]) -> float | None:
    present = [(weight[name], value) for name, value in parts.items() if value is not None and weight[name] > 0]
    total_weight = sum(w for w, _ in present)
    if total_weight <= 0:
        return None
    return round(100 * sum(w * v for w, v in present) / total_weight, 2)


def _reason(volume: int, minimum: int, value: float | None, lang: str) -> str | None:
    if volume < minimum:
        return (
            f"Fewer than {minimum} reports received in the period ({volume})"
            if lang == "en"
            else f"Nhận dưới {minimum} phản ánh trong kỳ ({volume})"
        )
    if value is None:
        return "No timed steps or ratings yet" if lang == "en" else "Chưa có số liệu đo được"
    return None


def build(session: Session, scope: Scope, settings: Settings, *, lang: str, now: datetime) -> RankingOut:
    stats = summary.build(session, scope, group_by="organization", lang=lang, now=now)
    weight = weights(settings)
    minimum = settings.stats_ranking_min_volume
    entries = []
    for group in stats.groups:
        parts = components(group)
        value = score(parts, weight)
        volume = group.handling.received
        reason = _reason(volume, minimum, value, lang)
        assert group.id is not None
        entries.append(
            RankingEntry(
                rank=None,
                organization_id=group.id,
                code=group.code or "",
                name=group.name,
                ranked=reason is None,
                reason=reason,
                score=value,
                volume=volume,
                components=parts,
            )
        )
    ranked = sorted((e for e in entries if e.ranked), key=lambda e: (-(e.score or 0), -e.volume, e.code))
    previous: float | None = None
    for position, entry in enumerate(ranked, start=1):
        # Equal scores share a rank ("1, 2, 2, 4").
        entry.rank = ranked[position - 2].rank if position > 1 and entry.score == previous else position
        previous = entry.score
    unranked = sorted((e for e in entries if not e.ranked), key=lambda e: (-e.volume, e.code))
    return RankingOut(
        period=stats.period,
        generated_at=now,
        weights=weight,
        minimum_volume=minimum,
        entries=ranked + unranked,
    )
