"""A report held for IOC review (its reporter is on the abuse list) is timed from its release, not its receipt."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from paht.stats.definitions import IOC_KEY
from paht.stats.increments import ClockFact, EventFact, total, walk

RECEIVED = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
RELEASED = RECEIVED + timedelta(hours=5)
DISPATCHED = RELEASED + timedelta(minutes=10)


def _event(event_id: int, kind: str, action: str | None, from_state: str | None, to_state: str, at: datetime):
    return EventFact(event_id, kind, action, from_state, to_state, 7 if action == "dispatch" else None, at, {})


def test_the_dispatch_step_of_a_released_report_is_timed_from_its_release():
    events = [
        _event(1, "created", None, None, "held", RECEIVED),
        _event(2, "transition", "release", "held", "received", RELEASED),
        _event(3, "transition", "dispatch", "received", "dispatched", DISPATCHED),
    ]
    # The dispatch clock starts when the report is released (reports/service.py starts it at that instant).
    clocks = [ClockFact("dispatch", RELEASED, RELEASED + timedelta(minutes=30))]
    deltas = total(delta for _, delta in walk(events, clocks, {7: 42}, channel="web", timezone="Asia/Ho_Chi_Minh"))
    ioc: Counter[str] = Counter()
    for (_, key), delta in deltas.items():
        if key == IOC_KEY:
            ioc.update(delta.counters)
    assert ioc["dispatch_timed"] == 1
    assert ioc["dispatch_on_time"] == 1
    assert ioc["dispatch_seconds"] == 600
