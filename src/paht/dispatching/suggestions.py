"""Which body should handle a report: the top three, each with a confidence and the reasons.

Four sources vote for bodies: (a) the admin's routing rules (category × area), (b) the area's own
People's Committee for local matters, (c) the model learned from past dispatches, (d) the category's
default body. A body's confidence is the noisy-OR of its votes, 1 − Π(1 − vote), so agreeing
sources add up and no source alone exceeds its own strength. Without a trained model the fixed
priors (b, d) are stronger; with one they only nudge it, since the model has learned the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from paht.config import Settings
from paht.dispatching.duplicates import Reason
from paht.dispatching.training import BODY, current, text_of
from paht.enums import OrgKind
from paht.models import Area, Category, Organization, Report, RoutingRule
from paht.places.service import area_of

RULE_STRENGTH = {"both": 0.97, "category": 0.9, "area": 0.8}
LOCAL_KINDS = (OrgKind.district, OrgKind.commune)
TOP = 3


@dataclass(frozen=True)
class Priors:
    local: float
    not_local: float
    default: float


WITHOUT_MODEL = Priors(local=0.7, not_local=0.1, default=0.6)
WITH_MODEL = Priors(local=0.1, not_local=0.02, default=0.1)


@dataclass
class Vote:
    body: str
    strength: float
    reason: Reason


@dataclass
class Suggestion:
    body: str
    confidence: float
    reasons: list[Reason] = field(default_factory=list)


def combine(votes: Sequence[Vote], *, top: int = TOP) -> list[Suggestion]:
    found: dict[str, Suggestion] = {}
    for vote in votes:
        entry = found.setdefault(vote.body, Suggestion(vote.body, 0.0))
        entry.confidence = 1 - (1 - entry.confidence) * (1 - max(0.0, min(1.0, vote.strength)))
        entry.reasons.append(vote.reason)
    ranked = sorted(found.values(), key=lambda s: (-s.confidence, s.body))
    for entry in ranked:
        entry.confidence = round(entry.confidence, 3)
    return ranked[:top]


def prior_votes(
    *,
    area_body: str | None,
    area_name: str | None,
    local: bool,
    default_body: str | None,
    has_model: bool,
) -> list[Vote]:
    priors = WITH_MODEL if has_model else WITHOUT_MODEL
    votes = []
    if area_body is not None:
        vi = f"UBND nơi xảy ra ({area_name})" + (" — việc của địa phương" if local else "")
        en = f"the People's Committee where it happened ({area_name})" + (" — a local matter" if local else "")
        votes.append(Vote(area_body, priors.local if local else priors.not_local, Reason("area", vi, en)))
    if default_body is not None:
        reason = Reason("default", "đơn vị mặc định của lĩnh vực", "the category's default body")
        votes.append(Vote(default_body, priors.default, reason))
    return votes


def model_votes(predictions: list[tuple[str, float]], examples: int) -> list[Vote]:
    return [
        Vote(
            body,
            probability,
            Reason(
                "model",
                f"học từ {examples} phản ánh đã xử lý: {round(probability * 100)}%",
                f"learned from {examples} handled reports: {round(probability * 100)}%",
            ),
        )
        for body, probability in predictions
        if probability >= 0.02
    ]


def is_local(category: Category | None, default_body: Organization | None, settings: Settings) -> bool:
    """A local matter: the category has no default body, its default is a People's Committee, or the
    admin listed it in PAHT_ROUTING_LOCAL_CATEGORIES."""
    if category is None:
        return False
    listed = category.code in settings.routing_local_categories
    return default_body is None or default_body.kind in LOCAL_KINDS or listed


def rule_votes(session: Session, category_id: int | None, area_id: int | None, codes: dict[int, str]) -> list[Vote]:
    rules = session.scalars(
        select(RoutingRule).where(
            RoutingRule.active,
            or_(RoutingRule.category_id.is_(None), RoutingRule.category_id == category_id),
            or_(RoutingRule.area_id.is_(None), RoutingRule.area_id == area_id),
        )
    )
    votes = []
    for rule in rules:
        if rule.category_id is None and rule.area_id is None:
            continue
        kind = "both" if rule.category_id and rule.area_id else ("category" if rule.category_id else "area")
        note = f": {rule.note}" if rule.note else ""
        reason = Reason("rule", f"quy tắc phân công #{rule.id}{note}", f"routing rule #{rule.id}{note}")
        votes.append(Vote(codes[rule.organization_id], RULE_STRENGTH[kind], reason))
    return votes


def suggest(session: Session, report: Report, settings: Settings) -> tuple[list[Suggestion], dict]:
    """Top bodies by code, and facts about the model used (for the response)."""
    orgs = {o.id: o for o in session.scalars(select(Organization).where(Organization.active))}
    codes = {i: o.code for i, o in orgs.items()}
    area: Area | None = area_of(session, report.id)
    category = session.get(Category, report.category_id) if report.category_id else None
    default_body = orgs.get(category.default_organization_id) if category and category.default_organization_id else None
    loaded = current(session, BODY)
    votes = rule_votes(session, report.category_id, area.id if area else None, codes)
    if loaded is not None:
        predictions = loaded.model.predict(
            text_of(report.title, report.description), category.code if category else None, area.code if area else None
        )
        votes += model_votes(predictions, loaded.examples)
    votes += prior_votes(
        area_body=codes.get(area.organization_id) if area and area.organization_id else None,
        area_name=area.name if area else None,
        local=is_local(category, default_body, settings),
        default_body=default_body.code if default_body else None,
        has_model=loaded is not None,
    )
    known = {o.code for o in orgs.values() if o.kind != OrgKind.ioc}
    model = {"id": loaded.id, "examples": loaded.examples, "trained_at": loaded.trained_at} if loaded else None
    return combine([v for v in votes if v.body in known]), model
