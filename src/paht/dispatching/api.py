"""Routes for dispatch help (IOC), "me too" (citizens) and routing rules (admins)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Response
from sqlalchemy import select

from paht.auth.actor import Actor
from paht.auth.roles import Role
from paht.deps import AppSettings, CurrentActor, ReadSession, SignedIn, WriteSession
from paht.dispatching import rules, schemas, supporters
from paht.dispatching.categories import suggest_categories
from paht.dispatching.duplicates import Reason, likely_duplicates
from paht.dispatching.suggestions import suggest
from paht.dispatching.training import Loaded
from paht.errors import NotPermitted
from paht.models import Organization, Report
from paht.places.service import area_of
from paht.reports.queries import get_visible
from paht.responses import OPTIONAL_AUTH, errors

router = APIRouter(prefix="/api/v1", tags=["dispatching"], responses=errors(400, 401, 403, 404, 409, 422))


def _ioc_report(session, report_id: uuid.UUID, actor: Actor) -> Report:  # type: ignore[no-untyped-def]
    report = get_visible(session, report_id, actor)
    if not actor.is_ioc:
        raise NotPermitted("Chỉ IOC dùng được chức năng này (IOC staff only).")
    return report


def _reasons(reasons: list[Reason] | tuple[Reason, ...]) -> list[schemas.ReasonOut]:
    return [schemas.ReasonOut(code=r.code, text=r.vi, text_en=r.en) for r in reasons]


def _model(loaded: Loaded | None) -> schemas.ModelInfo | None:
    return schemas.ModelInfo(id=loaded.id, examples=loaded.examples, trained_at=loaded.trained_at) if loaded else None


@router.get("/reports/{report_id}/duplicates", response_model=schemas.DuplicatesOut)
def duplicates(report_id: uuid.UUID, session: ReadSession, actor: SignedIn, settings: AppSettings) -> Any:
    """Likely duplicates of a report (nearby, recent, same category, similar words), best first, with reasons."""
    report = _ioc_report(session, report_id, actor)
    items = [
        schemas.DuplicateOut(
            id=other.id,
            code=other.code,
            state=other.state,
            title=other.title or other.description[:120],
            created_at=other.created_at,
            score=match.score,
            distance_m=round(match.distance_m, 1) if match.distance_m is not None else None,
            text_similarity=match.text_similarity,
            older=other.created_at <= report.created_at,
            reasons=_reasons(match.reasons),
        )
        for other, match in likely_duplicates(session, report, settings)
    ]
    return schemas.DuplicatesOut(
        report_id=report.id,
        distance_m=settings.duplicate_distance_m,
        window_days=settings.duplicate_window_days,
        items=items,
    )


@router.get("/reports/{report_id}/suggestions", response_model=schemas.SuggestionsOut)
def suggestions(report_id: uuid.UUID, session: ReadSession, actor: SignedIn, settings: AppSettings) -> Any:
    """The three bodies most likely right for this report, with a confidence (0–1) and the reasons."""
    report = _ioc_report(session, report_id, actor)
    found, model = suggest(session, report, settings)
    orgs = {
        o.code: o for o in session.scalars(select(Organization).where(Organization.code.in_([s.body for s in found])))
    }
    area = area_of(session, report.id)
    return schemas.SuggestionsOut(
        report_id=report.id,
        area=area.code if area else None,
        model=schemas.ModelInfo(**model) if model else None,
        items=[
            schemas.SuggestionOut(
                organization=schemas.BodyRef(id=orgs[s.body].id, code=s.body, name=orgs[s.body].name),
                confidence=s.confidence,
                reasons=_reasons(s.reasons),
            )
            for s in found
        ],
    )


@router.get("/reports/{report_id}/category-suggestions", response_model=schemas.CategorySuggestionsOut)
def category_suggestions(report_id: uuid.UUID, session: ReadSession, actor: SignedIn) -> Any:
    """Likely categories from the report's words (for reports that arrived without one)."""
    report = _ioc_report(session, report_id, actor)
    found, loaded = suggest_categories(session, report)
    return schemas.CategorySuggestionsOut(
        report_id=report.id,
        current_category_id=report.category_id,
        model=_model(loaded),
        items=[
            schemas.CategorySuggestionOut(category=schemas.BodyRef(id=c.id, code=c.code, name=c.name), confidence=p)
            for c, p in found
        ],
    )


@router.post("/reports/{ref}/me-too", response_model=schemas.MeTooOut, openapi_extra=OPTIONAL_AUTH)
def me_too(
    ref: str,
    response: Response,
    session: WriteSession,
    actor: CurrentActor,
    device_id: Annotated[str | None, Header(alias="X-Device-Id")] = None,
) -> Any:
    """ "Me too" on a running or published report, by its id or tracking code: once per citizen or device.

    Signed-in citizens count once per account; others send a stable random `X-Device-Id` (stored hashed).
    201 when the caller was added, 200 when they had already said so.
    """
    report, total, added = supporters.add(session, ref, actor=actor, device_id=device_id)
    session.commit()
    response.status_code = 201 if added else 200
    return schemas.MeTooOut(code=report.code, count=total, added=added)


@router.get("/public/reports/{code}/me-too", response_model=schemas.MeTooOut, tags=["public"])
def me_too_count(code: str, session: ReadSession) -> Any:
    """How many people reported the same thing (supporters and duplicates), for a report's tracking code."""
    report = supporters.find_by_code(session, code)
    return schemas.MeTooOut(code=report.code, count=supporters.count(session, report.id), added=False)


def _admin(actor: Actor) -> None:
    if Role.admin not in actor.roles:
        raise NotPermitted("Chỉ quản trị viên (administrators only).")


@router.get("/admin/routing-rules", response_model=list[schemas.RoutingRuleOut], tags=["admin"])
def list_rules(session: ReadSession, actor: SignedIn) -> Any:
    _admin(actor)
    return rules.list_rules(session)


@router.post("/admin/routing-rules", response_model=schemas.RoutingRuleOut, status_code=201, tags=["admin"])
def create_rule(body: schemas.RoutingRuleIn, session: WriteSession, actor: SignedIn) -> Any:
    _admin(actor)
    rule = rules.create_rule(session, body, user_id=actor.user_id)
    out = schemas.RoutingRuleOut.model_validate(rule)
    session.commit()
    return out


@router.get("/admin/routing-rules/{rule_id}", response_model=schemas.RoutingRuleOut, tags=["admin"])
def get_rule(rule_id: int, session: ReadSession, actor: SignedIn) -> Any:
    _admin(actor)
    return rules.get_rule(session, rule_id)


@router.put("/admin/routing-rules/{rule_id}", response_model=schemas.RoutingRuleOut, tags=["admin"])
def update_rule(rule_id: int, body: schemas.RoutingRuleIn, session: WriteSession, actor: SignedIn) -> Any:
    _admin(actor)
    out = schemas.RoutingRuleOut.model_validate(rules.update_rule(session, rule_id, body))
    session.commit()
    return out


@router.delete("/admin/routing-rules/{rule_id}", status_code=204, tags=["admin"])
def delete_rule(rule_id: int, session: WriteSession, actor: SignedIn) -> Response:
    _admin(actor)
    rules.delete_rule(session, rule_id)
    session.commit()
    return Response(status_code=204)
