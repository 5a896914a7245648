"""Which steps a generated report takes, and what each action changes (as `reports.service.HANDLERS` does)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from paht.benchdata import vocab
from paht.benchdata.rows import COLUMNS
from paht.enums import EventKind
from paht.workflow import Action

if TYPE_CHECKING:
    from paht.benchdata.timeline import Generator, _Life

RATINGS = (1, 2, 3, 4, 5)
RATING_CUMULATIVE = (1, 2, 4, 8, 12)


def _new_assignment(life: _Life, gen: Generator, org: int, actor: int, at: datetime) -> None:
    if life.assignment is not None and life.assignment["ended_at"] is None:
        life.assignment["ended_at"] = at
    assignment = dict.fromkeys(COLUMNS["assignments"])
    assignment |= {
        "id": gen._next("assignments"),
        "report_id": life.id,
        "organization_id": org,
        "dispatched_by_id": actor,
        "dispatched_at": at,
        "ack_due_at": at,  # replaced by the acknowledgement clock, as in the service
        "send_backs": 0,
    }
    life.assignments.append(assignment)
    life.assignment = assignment
    report = life.report
    report["current_assignment_id"] = assignment["id"]
    report["current_organization_id"] = org
    report["dispatched_at"] = report.get("dispatched_at") or at


def apply(gen: Generator, life: _Life, action: Action, actor: int, at: datetime, payload: dict) -> dict:
    """Apply `action`'s own changes to the report and its assignment; returns the event payload."""
    report, assignment = life.report, life.assignment
    if action is Action.dispatch:
        previous = report.get("current_organization_id")
        _new_assignment(life, gen, payload["organization_id"], actor, at)
        return {"organization_id": payload["organization_id"], "note": None, "previous_organization_id": previous}
    if action in (Action.reject, Action.mark_duplicate):
        report["closed_at"] = at
        if action is Action.reject:
            report["close_reason"] = payload["reason"]
            return {"reason": payload["reason"]}
        original_id, original_code = payload["original"]
        report["duplicate_of_id"] = original_id
        gen.duplicates[life.id] = payload["original"]
        return {"duplicate_of_id": str(original_id), "duplicate_of_code": original_code}
    assert assignment is not None
    if action is Action.acknowledge:
        assignment["acknowledged_at"], assignment["acknowledged_by_id"] = at, actor
        return {}
    if action is Action.return_:
        assignment |= {"returned_at": at, "return_reason": payload["reason"], "ended_at": at}
        assignment["suggested_organization_id"] = payload["suggested_organization_id"]
        report["current_organization_id"] = None
        return {"reason": payload["reason"], "suggested_organization_id": payload["suggested_organization_id"]}
    if action is Action.submit_result:
        event = {"result": {"before": report.get("result"), "after": payload["result"]}}
        report["result"], report["approved_result"] = payload["result"], None
        assignment["result_submitted_at"], assignment["result_submitted_by_id"] = at, actor
        return event
    if action is Action.approve:
        report["approved_result"] = report["result"]
        assignment["approved_at"], assignment["approved_by_id"] = at, actor
        return {}
    if action is Action.send_back:
        assignment["send_backs"] += 1
        report["approved_result"] = None
        return {"reason": payload["reason"]}
    if action is Action.publish:
        report["public_title"] = report["title"] or report["description"][:120]
        report["public_description"] = report["description"]
        report["public_result"] = report["approved_result"] or report["result"]
        report["published_at"] = report["closed_at"] = at
        assignment["published_at"] = at
        return {"edits": {}}
    raise ValueError(f"the generator does not take {action}")


def _original(gen: Generator, life: _Life) -> tuple[Any, str] | None:
    """An earlier report of the same category, followed to its root as `mark_duplicate` does."""
    candidates = [r for r in gen.roots.get(life.report["category_id"], []) if r[0] != life.id]
    if not candidates:
        return None
    chosen = gen.rng.choice(candidates)
    return gen.duplicates.get(chosen[0], chosen)


def drive(gen: Generator, life: _Life, final: str) -> None:
    """Walk the report towards `final`, one action at a time, never past the anchor (the present)."""
    rng, world, act = gen.rng, gen.world, gen._act
    operator, ioc = world.operator_id, world.ioc_id
    category = life.category
    body = (category.default_organization_id if category else None) or world.fallback_body
    if final in ("rejected", "duplicate"):
        original = _original(gen, life) if final == "duplicate" else None
        if original is not None:
            act(life, Action.mark_duplicate, operator, "ioc_operator", ioc, rng.uniform(3, 40), original=original)
        else:
            reason = rng.choice(vocab.REJECT_REASONS)
            act(life, Action.reject, operator, "ioc_operator", ioc, rng.uniform(3, 40), reason=reason)
        return
    if final == "received":
        return
    misrouted = len(world.bodies) > 1 and (final == "returned" or rng.random() < 0.08)
    first = rng.choice([b for b in world.bodies if b != body]) if misrouted else body
    if not act(life, Action.dispatch, operator, "ioc_operator", ioc, rng.uniform(2, 45), organization_id=first):
        return
    if misrouted:
        reason = rng.choice(vocab.RETURN_REASONS)
        returned = act(
            life,
            Action.return_,
            world.handlers[first],
            "handler",
            first,
            rng.uniform(5, 40),
            reason=reason,
            suggested_organization_id=body,
        )
        if not returned or final == "returned":
            return
        if not act(life, Action.dispatch, operator, "ioc_operator", ioc, rng.uniform(2, 30), organization_id=body):
            return
    if final == "dispatched":
        return
    handler, leader = world.handlers[body], world.leaders[body]
    ack_minutes = rng.uniform(31, 180) if rng.random() < 0.22 else rng.uniform(2, 28)
    if not act(life, Action.acknowledge, handler, "handler", body, ack_minutes):
        return
    if final == "processing" or not _submit(gen, life, handler, body, first_time=True):
        return
    if rng.random() < 0.12:
        reason = rng.choice(vocab.SEND_BACK_REASONS)
        if not act(life, Action.send_back, leader, "leader", body, rng.uniform(30, 600), reason=reason):
            return
        if not _submit(gen, life, handler, body, first_time=False):
            return
    if final == "awaiting_approval" or not act(life, Action.approve, leader, "leader", body, rng.uniform(30, 1800)):
        return
    if final == "approved" or not act(life, Action.publish, world.editor_id, "ioc_editor", ioc, rng.uniform(20, 1200)):
        return
    _rate(gen, life)


def _submit(gen: Generator, life: _Life, handler: int, body: int, *, first_time: bool) -> bool:
    rng = gen.rng
    if first_time:
        minutes = rng.uniform(30, 60 * 30) if life.urgent else rng.uniform(60, 60 * 24 * 8)
    else:
        minutes = rng.uniform(60, 60 * 24)
    photo_at = life.when + timedelta(minutes=minutes - 5)
    if rng.random() < 0.5 and life.when < photo_at < gen.anchor:
        gen._photo(life, "result", photo_at, handler, body)
    result = rng.choice(vocab.RESULTS)
    return gen._act(life, Action.submit_result, handler, "handler", body, minutes, result=result)


def _rate(gen: Generator, life: _Life) -> None:
    rng, report = gen.rng, life.report
    if rng.random() >= 0.4:
        return
    rated_at = life.when + timedelta(minutes=rng.uniform(60, 60 * 24 * 5))
    if rated_at >= gen.anchor:
        return
    rating = rng.choices(RATINGS, cum_weights=RATING_CUMULATIVE)[0]
    report["rating"], report["rated_at"] = rating, rated_at
    report["rating_comment"] = rng.choice(vocab.RATING_COMMENTS) if rng.random() < 0.3 else None
    gen._event(life, EventKind.rated, rated_at, {"rating": rating}, actor_id=report["reporter_user_id"])
