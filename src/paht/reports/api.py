"""JSON routes for reports: submit, list, read, timeline, actions."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from paht.abuse import submissions
from paht.auth.actor import Actor
from paht.clock import as_utc, utc_now
from paht.config import Settings
from paht.db import Database
from paht.deps import DB, AppSettings, CurrentActor, Lang, SignedIn, WriteSession
from paht.enums import Channel
from paht.errors import Conflict, Invalid
from paht.intake import idempotency
from paht.intake.schemas import ReportCreate
from paht.intake.service import submit_report
from paht.models import Report
from paht.params import IsoDateTime
from paht.reports import listing, queries, schemas
from paht.reports.audit import record_contact_view
from paht.reports.rating import RatingIn, rate
from paht.reports.serialize import report_out
from paht.reports.service import actions_for, perform_action
from paht.responses import OPTIONAL_AUTH, document, errors
from paht.search import lists as search_lists
from paht.search.queries import MAX_QUERY_LENGTH, SearchSort
from paht.workflow import TRANSITIONS, Action, ReportState
from paht.workflow.actions import LABELS
from paht.workflow.states import as_reporter_sees

router = APIRouter(prefix="/api/v1", tags=["reports"], responses=errors(400, 401, 403, 404, 409, 412, 422, 429))

PAYLOADS: dict[Action, type[BaseModel]] = {
    Action.dispatch: schemas.DispatchIn,
    Action.acknowledge: schemas.AcknowledgeIn,
    Action.return_: schemas.ReturnIn,
    Action.submit_result: schemas.SubmitResultIn,
    Action.approve: schemas.ApproveIn,
    Action.send_back: schemas.ReasonIn,
    Action.publish: schemas.PublishIn,
    Action.reject: schemas.ReasonIn,
    Action.mark_duplicate: schemas.MarkDuplicateIn,
    Action.reopen: schemas.ReasonIn,
    Action.release: schemas.ReleaseIn,
}


@router.post("/reports", status_code=201, response_model=schemas.ReportCreated, openapi_extra=OPTIONAL_AUTH)
def create_report(
    body: ReportCreate,
    request: Request,
    response: Response,
    db: DB,
    settings: AppSettings,
    actor: CurrentActor,
    lang: Lang,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Any:
    """Submit a report. Requires an `Idempotency-Key`: a retry returns the original response."""
    key = idempotency.require_key(idempotency_key)
    try:  # the usual case: a new key, claimed and completed in the report's own transaction
        return submit_new_report(body, request, db, settings, actor, lang, key)
    except idempotency.KeyTaken:
        pass
    # The key has a row: a response to replay, another body (422), a request still running (409), or the
    # expired claim of a crashed one, taken over here and then completed like a first request.
    claim = idempotency.claim(
        db,
        scope=_key_scope(actor),
        key=key,
        fingerprint=_fingerprint(body),
        lock_seconds=settings.idempotency_lock_seconds,
    )
    if claim.stored is not None:
        response.status_code = claim.stored[0]
        response.headers["Idempotent-Replayed"] = "true"
        return claim.stored[1]
    try:
        return _submit(body, request, db, settings, actor, lang, lambda _session: claim)
    except BaseException:
        idempotency.release(db, claim)
        raise


def submit_new_report(
    body: ReportCreate, request: Request, db: Database, settings: Settings, actor: Actor, lang: str, key: str
) -> Response:
    """The report under a key never used before, as its 201 answer; raises KeyTaken when the key has a row.
    The route (above) and its lean answer (paht.intake.fast) both begin here."""
    scope, fingerprint, lock_seconds = _key_scope(actor), _fingerprint(body), settings.idempotency_lock_seconds
    return _submit(
        body,
        request,
        db,
        settings,
        actor,
        lang,
        lambda session: idempotency.claim_within(
            session, scope=scope, key=key, fingerprint=fingerprint, lock_seconds=lock_seconds
        ),
    )


def _key_scope(actor: Actor) -> str:
    return f"user:{actor.user_id}" if actor.user_id else "anonymous"


def _fingerprint(body: ReportCreate) -> str:
    return idempotency.request_fingerprint(body.model_dump(mode="json"))


def _submit(
    body: ReportCreate,
    request: Request,
    db: Database,
    settings: Settings,
    actor: Actor,
    lang: str,
    claiming: Callable[[Session], idempotency.Claim],
) -> Response:
    """One transaction: hold the key (`claiming`), create the report, store the response under the key.

    The answer is serialised once, to bytes, and the stored copy read back from them: building it as a dict
    for FastAPI to validate and encode again cost three more passes over the document per submission. Both
    are made inside `submit_report` (its `answer`), before the rows all submissions share are locked."""
    with db.writer() as session:
        claim = claiming(session)
        submitter = submissions.from_request(request, actor, settings, hotline=body.channel is Channel.hotline)
        answers: list[Response] = []

        def answer(report: Report, token: str) -> None:
            out = report_out(session, report, with_contact=actor.sees_contacts, lang=lang)
            created = schemas.ReportCreated.model_construct(**dict(out), reporter_token=token)  # validated parts
            response = document(created, status_code=201)
            idempotency.complete(session, claim, status=201, body=bytes(response.body))
            answers.append(response)

        submit_report(session, body, actor=actor, settings=settings, submitter=submitter, answer=answer)
        session.commit()
    return answers[0]


@router.get("/reports", response_model=schemas.ReportPage)
def list_reports(
    db: DB,
    actor: SignedIn,
    lang: Lang,
    settings: AppSettings,
    state: Annotated[list[ReportState] | None, Query()] = None,
    organization_id: int | None = None,
    category_id: int | None = None,
    channel: Channel | None = None,
    overdue: bool | None = None,
    created_from: IsoDateTime | None = None,
    created_to: IsoDateTime | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=listing.MAX_LIMIT)] = listing.DEFAULT_LIMIT,
    q: Annotated[str | None, Query(max_length=MAX_QUERY_LENGTH, description=search_lists.Q_HELP)] = None,
    sort: Annotated[SearchSort, Query(description=search_lists.SORT_HELP)] = SearchSort.newest,
) -> Any:
    """The caller's visible reports, newest first; follow `next_cursor` for the next page.

    `created_from`/`created_to` without a UTC offset are taken as UTC.
    """
    filters = queries.ReportFilters(
        state=[s.value for s in state] if state else None,
        organization_id=organization_id,
        category_id=category_id,
        channel=channel.value if channel else None,
        overdue=overdue,
        created_from=as_utc(created_from),
        created_to=as_utc(created_to),
        q=q,
    )
    page = search_lists.staff_page_json(
        db, actor, filters, sort=sort, cursor=cursor, limit=limit, cap=settings.search_relevance_candidates, lang=lang
    )
    return Response(page, media_type="application/json")


@router.get("/reports/{report_id}", response_model=schemas.ReportOut)
def get_report(report_id: uuid.UUID, db: DB, actor: SignedIn, lang: Lang, response: Response) -> Any:
    """One report, with its version as the ETag. IOC staff also see the reporter's contact details (audited)."""
    # Only a read that shows contact details writes (its audit event); the others never take the write lock.
    with db.writer() if actor.sees_contacts else db.reader() as session:
        report = queries.get_visible(session, report_id, actor)
        out = report_out(session, report, with_contact=actor.sees_contacts, lang=lang)
        if actor.sees_contacts:
            record_contact_view(session, report, actor, purpose="api:get_report")
            session.commit()
    response.headers["ETag"] = f'"{out.version}"'
    return out


@router.get("/reports/{report_id}/events", response_model=list[schemas.EventOut])
def report_events(report_id: uuid.UUID, db: DB, actor: SignedIn) -> Any:
    with db.reader() as session:
        queries.get_visible(session, report_id, actor)
        events = queries.events_of(session, report_id, include_audit=actor.is_ioc)
        out = [schemas.EventOut.model_validate(e, from_attributes=True) for e in events]
    if actor.is_ioc:
        return out
    # Outside the IOC a held report (paht.abuse) looks received: no "held" state, no release step.
    return [
        e.model_copy(update={"from_state": _as_seen(e.from_state), "to_state": _as_seen(e.to_state)})
        for e in out
        if e.action != Action.release
    ]


def _as_seen(state: str | None) -> str | None:
    return as_reporter_sees(state).value if state else None


@router.get("/reports/{report_id}/actions", response_model=list[schemas.ActionOut])
def report_actions(report_id: uuid.UUID, db: DB, actor: SignedIn, settings: AppSettings) -> Any:
    """The actions the caller may take on this report now (what the console shows as buttons)."""
    with db.reader() as session:
        report = queries.get_visible(session, report_id, actor)
        allowed = actions_for(session, report, actor, settings)
        return [
            schemas.ActionOut(
                action=a.value,
                label=LABELS[a][0],
                label_en=LABELS[a][1],
                requires=list(next(t.requires for t in TRANSITIONS if t.action == a and report.state in t.sources)),
            )
            for a in allowed
        ]


@router.post("/reports/{report_id}/actions/{action}", response_model=schemas.ReportOut)
def take_action(
    report_id: uuid.UUID,
    action: Action,
    session: WriteSession,
    actor: SignedIn,
    settings: AppSettings,
    lang: Lang,
    response: Response,
    payload: Annotated[dict[str, Any] | None, Body()] = None,
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> Any:
    """Take a workflow action. Payloads: see the transition table in docs/workflow.md."""
    try:
        data = PAYLOADS[action].model_validate(payload or {}).model_dump(mode="json")
    except ValidationError as exc:  # reported like any other body error: 422 with one entry per field
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from exc
    expected = _parse_if_match(if_match)
    try:
        step = perform_action(
            session,
            report_id,
            action,
            actor=actor,
            payload=data,
            settings=settings,
            now=utc_now(),
            expected_version=expected,
        )
        session.flush()
        out = report_out(session, step.report, with_contact=False, lang=lang, assignment=step.assignment)
        session.commit()
    except StaleDataError as exc:
        raise Conflict("Phản ánh vừa được người khác cập nhật; hãy tải lại (concurrent update).") from exc
    response.headers["ETag"] = f'"{out.version}"'
    return out


def _parse_if_match(value: str | None) -> int | None:
    """`If-Match: 3`, `"3"` or `W/"3"` (the ETag we send) → 3; `*` means any version."""
    if value is None or value.strip() == "*":
        return None
    tag = value.strip().removeprefix("W/").strip('"')
    if not (tag.isascii() and tag.isdigit()):
        raise Invalid("If-Match phải là số phiên bản của phản ánh (If-Match must be the report version).")
    return int(tag)


@router.post("/reports/{report_id}/rating", response_model=schemas.ReportOut, openapi_extra=OPTIONAL_AUTH)
def rate_report(
    report_id: uuid.UUID,
    body: RatingIn,
    session: WriteSession,
    actor: CurrentActor,
    lang: Lang,
    reporter_token: Annotated[str | None, Header(alias="X-Reporter-Token")] = None,
) -> Any:
    """The reporter rates the published result once (signed in, or with the X-Reporter-Token from submission)."""
    report = rate(session, report_id, body, actor=actor, reporter_token=reporter_token)
    out = report_out(session, report, with_contact=False, lang=lang)
    session.commit()
    return out
