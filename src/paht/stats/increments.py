"""What each event of a report adds to the statistics — one pure walk over the report's history.

The hook (a single new event) and `paht stats rebuild` (every event) both call `walk`, so the maintained
aggregates and a full recomputation cannot disagree. The walk reads only facts that never change once
written: events, each clock's stage/start/due time, and each assignment's body.

A timed step lasts from the event that entered a state to the event that left it; it is on time when it
ended at or before the due time of the clock that ran in that state (DESIGN.md §5).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from paht.stats.definitions import CHANNEL, HOUR, IOC_KEY, bucket_label, bucket_of, local_day, zone

# The clock that runs in each state (mirrors paht.sla.service.STAGE_FOR_STATE).
STAGE_OF_STATE = {
    "received": "dispatch",
    "returned": "dispatch",
    "dispatched": "acknowledge",
    "processing": "resolve",
    "awaiting_approval": "approve",
    "approved": "publish",
}


@dataclass(frozen=True)
class EventFact:
    id: int
    kind: str
    action: str | None
    from_state: str | None
    to_state: str | None
    assignment_id: int | None
    created_at: datetime
    payload: Mapping[str, object]


@dataclass(frozen=True)
class ClockFact:
    stage: str
    started_at: datetime
    due_at: datetime


@dataclass
class Delta:
    """What one event adds under one (day, organization key): counters and bucket counts."""

    counters: Counter[str] = field(default_factory=Counter)
    buckets: Counter[tuple[str, str]] = field(default_factory=Counter)


# (day, organization_key) -> Delta
Deltas = dict[tuple[date, int], Delta]


def delta_at(deltas: Deltas, key: tuple[date, int]) -> Delta:
    """The Delta under `key`, made when missing. Not `setdefault(key, Delta())`: that builds a Delta and
    its two Counters on every call, hit or not — most of a statistics rebuild's time (issue 7)."""
    delta = deltas.get(key)
    if delta is None:
        delta = deltas[key] = Delta()
    return delta


@dataclass
class _State:
    entered_at: datetime | None = None
    assignment_id: int | None = None
    origin: dict[int, tuple[str, datetime]] = field(default_factory=dict)  # assignment → (action, when)
    submitted: set[int] = field(default_factory=set)  # assignments that have had a first result


class _Step:
    """Collects one event's deltas."""

    def __init__(self, event: EventFact, timezone: str) -> None:
        self.event, self.timezone, self.deltas = event, timezone, {}
        self.day = local_day(event.created_at, timezone)

    def add(self, organization_key: int, *names: str, day: date | None = None) -> None:
        delta = delta_at(self.deltas, (day or self.day, organization_key))
        for name in names:
            delta.counters[name] += 1

    def seconds(self, organization_key: int, column: str, value: int) -> None:
        delta_at(self.deltas, (self.day, organization_key)).counters[column] += value

    def bucket(self, organization_key: int, metric: str, bucket: str) -> None:
        delta_at(self.deltas, (self.day, organization_key)).buckets[(metric, bucket)] += 1

    def timed(self, organization_key: int, prefix: str, metric: str, step: tuple[int, bool] | None) -> None:
        """Record a timed step: `<prefix>_timed`, `<prefix>_on_time`, `<prefix>_seconds` and its histogram."""
        if step is None:
            return
        seconds, on_time = step
        self.add(organization_key, f"{prefix}_timed")
        if on_time:
            self.add(organization_key, f"{prefix}_on_time")
        self.seconds(organization_key, f"{prefix}_seconds", seconds)
        self.bucket(organization_key, metric, bucket_label(bucket_of(seconds)))


def walk(
    events: Iterable[EventFact],
    clocks: Iterable[ClockFact],
    body_of: Mapping[int, int],
    *,
    channel: str,
    timezone: str,
) -> list[tuple[int, Deltas]]:
    """Each event's id with what it adds to the statistics, in event order."""
    due = {(c.stage, c.started_at): c.due_at for c in clocks}
    state = _State()
    out: list[tuple[int, Deltas]] = []
    for event in sorted(events, key=lambda e: e.id):
        step = _Step(event, timezone)
        if event.kind == "created":
            step.add(IOC_KEY, "received")
            step.bucket(IOC_KEY, CHANNEL, channel)
            step.bucket(IOC_KEY, HOUR, f"{event.created_at.astimezone(zone(timezone)).hour:02d}")
            state.entered_at = event.created_at
        elif event.kind == "transition" and event.action in ACTIONS:
            timing = _timing(event, state, due)
            ACTIONS[event.action](step, state, body_of, timing)
            state.entered_at = event.created_at
        elif event.kind == "rated" and state.assignment_id in body_of:
            rating = event.payload.get("rating")
            if isinstance(rating, int) and 1 <= rating <= 5:
                step.add(body_of[state.assignment_id], f"rating_{rating}")
        out.append((event.id, step.deltas))
    return out


def _timing(event: EventFact, state: _State, due: Mapping[tuple[str, datetime], datetime]) -> tuple[int, bool] | None:
    """(whole seconds, on time) of the step this event ends, or None when its clock is unknown."""
    stage = STAGE_OF_STATE.get(event.from_state or "")
    if stage is None or state.entered_at is None:
        return None
    due_at = due.get((stage, state.entered_at))
    if due_at is None:
        return None
    seconds = int((event.created_at - state.entered_at).total_seconds())
    return seconds, event.created_at <= due_at


Timing = tuple[int, bool] | None


def _body(body_of: Mapping[int, int], event: EventFact) -> int | None:
    return body_of.get(event.assignment_id) if event.assignment_id is not None else None


def _dispatch(step: _Step, state: _State, body_of: Mapping[int, int], timing: Timing) -> None:
    event = step.event
    step.add(IOC_KEY, "dispatched")
    if event.from_state in ("received", "returned"):  # a re-dispatch before acknowledgement is not timed
        step.timed(IOC_KEY, "dispatch", "dispatch", timing)
    _start_assignment(step, state, body_of, "dispatch")


def _reopen(step: _Step, state: _State, body_of: Mapping[int, int], timing: Timing) -> None:
    step.add(IOC_KEY, "reopened")
    _start_assignment(step, state, body_of, "reopen")


def _start_assignment(step: _Step, state: _State, body_of: Mapping[int, int], origin: str) -> None:
    event = step.event
    if event.assignment_id is None:
        return
    state.assignment_id = event.assignment_id
    state.origin[event.assignment_id] = (origin, event.created_at)
    body = body_of.get(event.assignment_id)
    if body is not None:
        step.add(body, "assigned")


def _acknowledge(step: _Step, state: _State, body_of: Mapping[int, int], timing: Timing) -> None:
    body = _body(body_of, step.event)
    if body is not None:
        step.add(body, "acknowledged")
        step.timed(body, "ack", "acknowledge", timing)


def _return(step: _Step, state: _State, body_of: Mapping[int, int], timing: Timing) -> None:
    event = step.event
    body = _body(body_of, event)
    if body is None:
        return
    step.add(body, "returned")
    if event.from_state == "dispatched":  # a return answers the acknowledgement clock
        step.timed(body, "ack", "acknowledge", timing)
    origin = state.origin.get(event.assignment_id or -1)
    if origin is not None and origin[0] == "dispatch":
        # The IOC's misroute is counted on the day of the dispatch that came back.
        step.add(IOC_KEY, "misrouted", day=local_day(origin[1], step.timezone))


def _submit_result(step: _Step, state: _State, body_of: Mapping[int, int], timing: Timing) -> None:
    event = step.event
    body = _body(body_of, event)
    if body is None or event.assignment_id is None:
        return
    if event.assignment_id in state.submitted:
        step.add(body, "resubmitted")
        return
    state.submitted.add(event.assignment_id)
    step.add(body, "resolved")
    step.timed(body, "resolve", "resolve", timing)


def _approve(step: _Step, state: _State, body_of: Mapping[int, int], timing: Timing) -> None:
    body = _body(body_of, step.event)
    if body is not None:
        step.add(body, "approvals")
        step.timed(body, "approve", "approve", timing)


def _send_back(step: _Step, state: _State, body_of: Mapping[int, int], timing: Timing) -> None:
    body = _body(body_of, step.event)
    if step.event.from_state == "awaiting_approval":  # the body's leader
        if body is not None:
            step.add(body, "leader_send_backs")
            step.timed(body, "approve", "approve", timing)
        return
    step.add(IOC_KEY, "editor_send_backs")  # the IOC's editor, from approved
    step.timed(IOC_KEY, "publish", "publish", timing)
    if body is not None:
        step.add(body, "results_sent_back")


def _publish(step: _Step, state: _State, body_of: Mapping[int, int], timing: Timing) -> None:
    step.add(IOC_KEY, "published")
    step.timed(IOC_KEY, "publish", "publish", timing)
    body = _body(body_of, step.event)
    if body is not None:
        step.add(body, "results_published")


def _reject(step: _Step, state: _State, body_of: Mapping[int, int], timing: Timing) -> None:
    step.add(IOC_KEY, "rejected")


def _mark_duplicate(step: _Step, state: _State, body_of: Mapping[int, int], timing: Timing) -> None:
    step.add(IOC_KEY, "duplicates")


def _release(step: _Step, state: _State, body_of: Mapping[int, int], timing: Timing) -> None:
    """A held report joins the queue: it counts nothing, but the dispatch clock starts here, not at receipt."""


ACTIONS = {
    "dispatch": _dispatch,
    "reopen": _reopen,
    "acknowledge": _acknowledge,
    "return": _return,
    "submit_result": _submit_result,
    "approve": _approve,
    "send_back": _send_back,
    "publish": _publish,
    "reject": _reject,
    "mark_duplicate": _mark_duplicate,
    "release": _release,
}


def total(deltas: Iterable[Deltas]) -> Deltas:
    """Sum several events' deltas."""
    out: Deltas = {}
    for item in deltas:
        for key, delta in item.items():
            target = delta_at(out, key)
            target.counters.update(delta.counters)
            target.buckets.update(delta.buckets)
    return out
