"""Likely duplicates of a report: nearby, recent, same category, similar words — each with its reason.

Scoring is a pure function (used both by the API and by `paht routing evaluate`); the database part
only fetches the candidates: other open or published reports within the time window and, when the
report has a point, within the distance box.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from paht.config import Settings
from paht.models import Report
from paht.places.geometry import degrees_around, distance_m
from paht.search.text import folded_tokens
from paht.workflow.states import ReportState

CLOSED_OUT = (ReportState.rejected, ReportState.duplicate)
MAX_CANDIDATES = 500
MAX_RESULTS = 10
DISTANCE_SCALE_M = 100.0
MIN_SIMILARITY = 0.25
# Folded words every report uses ("đề nghị xử lý", "người dân", "đường"): they say nothing about sameness.
_STOP = (
    "duong pho khu vuc de nghi xu ly nguoi dan kinh gui ioc phan anh tren tai o bi va cac co khong duoc rat "
    "nhieu xin cam on mong som giai quyet co quan chuc nang chao anh chi da lan nhung chua gan doan nay tu la "
    "cua cho den di khi"
)
STOP_WORDS = frozenset(_STOP.split(" "))


@dataclass(frozen=True)
class Doc:
    key: object
    at: datetime
    lat: float | None
    lon: float | None
    category: int | str | None
    text: str


@dataclass(frozen=True)
class Reason:
    code: str
    vi: str
    en: str


@dataclass(frozen=True)
class Match:
    doc: Doc
    score: float
    distance_m: float | None
    text_similarity: float
    reasons: tuple[Reason, ...]


def trigrams(text: str) -> Counter[str]:
    padded = " " + " ".join(t for t in folded_tokens(text) if t not in STOP_WORDS) + " "
    return Counter(padded[i : i + 3] for i in range(len(padded) - 2))


def cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(count * b[gram] for gram, count in a.items() if gram in b)
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


def _ago(delta: timedelta) -> tuple[str, str]:
    hours = abs(delta.total_seconds()) / 3600
    if hours < 48:
        amount_vi, amount_en = f"{max(1, round(hours))} giờ", f"{max(1, round(hours))} h"
    else:
        amount_vi, amount_en = f"{round(hours / 24)} ngày", f"{round(hours / 24)} days"
    if delta.total_seconds() >= 0:
        return f"gửi trước {amount_vi}", f"sent {amount_en} earlier"
    return f"gửi sau {amount_vi}", f"sent {amount_en} later"


def score(report: Doc, other: Doc, *, distance_limit: float, window: timedelta, grams: dict) -> Match | None:
    """How likely `other` reports the same thing as `report` (0–1), or None when it cannot."""
    delta = report.at - other.at
    if abs(delta) > window:
        return None
    metres = None
    if None not in (report.lat, report.lon, other.lat, other.lon):
        metres = distance_m(report.lat, report.lon, other.lat, other.lon)  # type: ignore[arg-type]
        if metres > distance_limit:
            return None
    similarity = cosine(grams[report.key], grams[other.key])
    same_category = report.category is not None and report.category == other.category
    category = 1.0 if same_category else (0.5 if report.category is None or other.category is None else 0.0)
    recency = 1 - abs(delta) / window
    if metres is not None:
        # Closeness decays fast (the same pothole is reported metres apart, not a block away). Weights and
        # scale were tuned on the generated history (docs/search-and-routing.md): best F1 of top-1.
        if similarity < MIN_SIMILARITY:  # two different problems at one spot are not duplicates
            return None
        closeness = math.exp(-metres / DISTANCE_SCALE_M)
        value = 0.4 * closeness + 0.1 * category + 0.3 * similarity + 0.2 * recency
    else:  # no point on one side: words and category must carry it
        value = 0.25 * category + 0.6 * similarity + 0.15 * recency - 0.15
    reasons = []
    if metres is not None:
        reasons.append(Reason("distance", f"cách {round(metres)} m", f"{round(metres)} m away"))
    if same_category:
        reasons.append(Reason("category", "cùng lĩnh vực", "same category"))
    if similarity >= 0.3:
        percent = round(similarity * 100)
        reasons.append(Reason("text", f"nội dung giống {percent}%", f"text {percent}% similar"))
    ago_vi, ago_en = _ago(delta)
    reasons.append(Reason("time", ago_vi, ago_en))
    return Match(other, round(max(0.0, value), 4), metres, round(similarity, 4), tuple(reasons))


def rank(report: Doc, candidates: list[Doc], *, distance_limit: float, window: timedelta, threshold: float) -> list:
    grams = {doc.key: trigrams(doc.text) for doc in [report, *candidates]}
    found = [
        m
        for other in candidates
        if other.key != report.key
        and (m := score(report, other, distance_limit=distance_limit, window=window, grams=grams)) is not None
        and m.score >= threshold
    ]
    return sorted(found, key=lambda m: (-m.score, m.doc.at))


def doc_of(report: Report) -> Doc:
    # Not the address: the distance already counts the place, and two problems at one address differ.
    text = "\n".join(part for part in (report.title, report.description) if part)
    return Doc(report.id, report.created_at, report.lat, report.lon, report.category_id, text)


def candidates(session: Session, report: Report, settings: Settings) -> list[Report]:
    window = timedelta(days=settings.duplicate_window_days)
    query = select(Report).where(
        Report.id != report.id,
        Report.state.not_in(CLOSED_OUT),
        Report.created_at >= report.created_at - window,
        Report.created_at <= report.created_at + window,
    )
    if report.lat is not None and report.lon is not None:
        dlat, dlon = degrees_around(report.lat, settings.duplicate_distance_m)
        nearby = Report.lat.between(report.lat - dlat, report.lat + dlat) & Report.lon.between(
            report.lon - dlon, report.lon + dlon
        )
        # Reports without a point (chat, e-mail) can still be the same thing: kept if the category agrees.
        query = query.where(or_(nearby, Report.lat.is_(None) & (Report.category_id == report.category_id)))
    elif report.category_id is not None:
        query = query.where(Report.category_id == report.category_id)
    return list(session.scalars(query.order_by(Report.created_at.desc()).limit(MAX_CANDIDATES)))


def likely_duplicates(session: Session, report: Report, settings: Settings) -> list[tuple[Report, Match]]:
    found = {r.id: r for r in candidates(session, report, settings)}
    matches = rank(
        doc_of(report),
        [doc_of(r) for r in found.values()],
        distance_limit=settings.duplicate_distance_m,
        window=timedelta(days=settings.duplicate_window_days),
        threshold=settings.duplicate_min_score,
    )
    return [(found[m.doc.key], m) for m in matches[:MAX_RESULTS]]  # type: ignore[index]
