"""Training data from the city's own history, training, storing and loading the models.

A body example is a report and the body that proved right: the last dispatch a body acknowledged and
did not return, or else the body named by the last return ("not ours — it belongs to X"). Dispatches
still waiting for acknowledgement teach nothing yet. A category example is a report with a category.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from paht.clock import utc_now
from paht.dispatching.model import Example, TextClassifier, dump, load
from paht.models import Area, Assignment, Category, Organization, Report, ReportPlace, RoutingModel

BODY, CATEGORY = "body", "category"
KINDS = (BODY, CATEGORY)
MAX_EXAMPLES = 50_000
MIN_EXAMPLES = 20
KEEP_MODELS = 3


def _report_rows(session: Session, report_ids: list) -> dict:  # type: ignore[type-arg]
    rows = session.execute(
        select(Report.id, Report.title, Report.description, Report.created_at, Category.code, Area.code)
        .outerjoin(Category, Category.id == Report.category_id)
        .outerjoin(ReportPlace, ReportPlace.report_id == Report.id)
        .outerjoin(Area, Area.id == ReportPlace.area_id)
        .where(Report.id.in_(report_ids))
    )
    return {r[0]: r for r in rows}


def text_of(title: str | None, description: str) -> str:
    return f"{title}\n{description}" if title else description


def body_examples(session: Session, *, limit: int = MAX_EXAMPLES) -> list[Example]:
    decided = (Assignment.acknowledged_at.is_not(None) & Assignment.returned_at.is_(None)) | (
        Assignment.suggested_organization_id.is_not(None)
    )
    recent = (
        select(Report.id)
        .where(exists().where(Assignment.report_id == Report.id, decided))
        .order_by(Report.created_at.desc())
        .limit(limit)
    )
    report_ids = list(session.scalars(recent))
    codes = dict(session.execute(select(Organization.id, Organization.code)).all())
    examples: list[Example] = []
    for chunk_start in range(0, len(report_ids), 2000):
        chunk = report_ids[chunk_start : chunk_start + 2000]
        labels: dict = {}
        for a in session.scalars(
            select(Assignment).where(Assignment.report_id.in_(chunk), decided).order_by(Assignment.id)
        ):
            confirmed = a.returned_at is None and a.acknowledged_at is not None
            if confirmed or a.report_id not in labels or not labels[a.report_id][0]:
                body = a.organization_id if confirmed else a.suggested_organization_id
                labels[a.report_id] = (confirmed, codes[body])
        for report_id, (_id, title, description, at, category, area) in _report_rows(session, chunk).items():
            examples.append(Example(text_of(title, description), category, area, labels[report_id][1], at))
    return sorted(examples, key=lambda e: e.at)[-limit:]


def category_examples(session: Session, *, limit: int = MAX_EXAMPLES) -> list[Example]:
    rows = session.execute(
        select(Report.title, Report.description, Report.created_at, Category.code, Area.code)
        .join(Category, Category.id == Report.category_id)
        .outerjoin(ReportPlace, ReportPlace.report_id == Report.id)
        .outerjoin(Area, Area.id == ReportPlace.area_id)
        .order_by(Report.created_at.desc())
        .limit(limit)
    )
    return [Example(text_of(t, d), None, area, code, at) for t, d, at, code, area in rows][::-1]


def fit(kind: str, examples: list[Example]) -> TextClassifier | None:
    if len(examples) < MIN_EXAMPLES or len({e.label for e in examples}) < 2:
        return None
    return TextClassifier(use_category=kind == BODY).fit(examples)


def examples_for(session: Session, kind: str) -> list[Example]:
    return body_examples(session) if kind == BODY else category_examples(session)


def store(session: Session, kind: str, model: TextClassifier, examples: list[Example]) -> RoutingModel:
    """Save a trained model and keep only the newest few of its kind."""
    blob, digest = dump(model)
    row = RoutingModel(
        kind=kind,
        examples=len(examples),
        metrics={"classes": model.classes, "newest_example": examples[-1].at.isoformat()},
        blob=blob,
        sha256=digest,
        trained_at=utc_now(),
    )
    session.add(row)
    session.flush()
    keep = list(
        session.scalars(
            select(RoutingModel.id).where(RoutingModel.kind == kind).order_by(RoutingModel.id.desc()).limit(KEEP_MODELS)
        )
    )
    session.execute(delete(RoutingModel).where(RoutingModel.kind == kind, RoutingModel.id.not_in(keep)))
    return row


def train(session: Session, kind: str) -> RoutingModel | None:
    """Train and store a new model of `kind`; None when there is too little history yet."""
    examples = examples_for(session, kind)
    model = fit(kind, examples)
    return store(session, kind, model, examples) if model is not None else None


@dataclass(frozen=True)
class Loaded:
    id: int
    examples: int
    trained_at: datetime
    model: TextClassifier


_cache: OrderedDict[str, TextClassifier] = OrderedDict()
_lock = threading.Lock()


def current(session: Session, kind: str) -> Loaded | None:
    """The newest stored model of `kind`, unpickled once per process (keyed by its digest)."""
    latest = session.execute(
        select(RoutingModel.id, RoutingModel.examples, RoutingModel.trained_at, RoutingModel.sha256)
        .where(RoutingModel.kind == kind)
        .order_by(RoutingModel.id.desc())
        .limit(1)
    ).first()
    if latest is None:
        return None
    with _lock:
        model = _cache.get(latest.sha256)
        if model is None:
            blob = session.scalar(select(RoutingModel.blob).where(RoutingModel.id == latest.id))
            model = load(blob, latest.sha256)
            _cache[latest.sha256] = model
            while len(_cache) > 2 * len(KINDS):
                _cache.popitem(last=False)
        else:
            _cache.move_to_end(latest.sha256)
    return Loaded(latest.id, latest.examples, latest.trained_at, model)
