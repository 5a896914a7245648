"""The deadline clocks of a generated report, as `paht.sla.service` and the overdue sweep move them.

A mixin of `timeline.Generator`: it uses the generator's id counters, due times and row writers.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from paht.enums import ClockStage, EventKind
from paht.sla.service import ASSIGNMENT_FIELDS, STAGE_FOR_STATE

if TYPE_CHECKING:
    from paht.benchdata.deadlines import DueTimes
    from paht.benchdata.timeline import _Life

SWEEP_SECONDS = 60


class ClockSteps:
    """Start, stop and breach clocks; their rows go out through the generator's `_event` and `_job`."""

    due: DueTimes
    rng: random.Random
    _next: Callable[[str], int]
    _event: Callable[..., int]
    _job: Callable[..., None]

    def _start_clock(self, life: _Life, at: datetime) -> None:
        stage = STAGE_FOR_STATE.get(life.state)  # type: ignore[call-overload]
        if stage is None:
            life.clock = None
            return
        category = life.category
        due = self.due.due(
            stage,
            at,
            urgent=life.urgent,
            dispatch_minutes=category.dispatch_minutes if category else None,
            resolve_days=category.resolve_working_days if category else 5,
            urgent_hours=category.urgent_resolve_hours if category else 24,
        )
        assignment = life.assignment if stage in ASSIGNMENT_FIELDS else None
        clock = [
            self._next("sla_clocks"),
            life.id,
            assignment["id"] if assignment else None,
            assignment["organization_id"] if assignment else None,
            stage,
            at,
            due,
            None,
            None,
        ]
        if assignment is not None:
            assignment[ASSIGNMENT_FIELDS[stage][0]] = due
        life.clock = clock
        life.clocks.append(clock)

    def _assignment_of(self, life: _Life, assignment_id: int | None) -> dict[str, Any] | None:
        return next((a for a in life.assignments if a["id"] == assignment_id), None)

    def _breach_if_swept(self, life: _Life, until: datetime) -> None:
        """The sweep runs every minute: a clock still running a sweep after its due time is breached."""
        clock = life.clock
        if clock is None or clock[8] is not None:
            return
        swept = clock[6] + timedelta(seconds=self.rng.uniform(0.5, SWEEP_SECONDS))
        if swept >= until:
            return
        clock[8] = swept
        stage = ClockStage(clock[4])
        assignment = self._assignment_of(life, clock[2])
        if assignment is not None and stage in ASSIGNMENT_FIELDS:
            assignment[ASSIGNMENT_FIELDS[stage][1]] = False
        payload = {"stage": stage.value, "due_at": clock[6].isoformat() + "+00:00", "clock_id": clock[0]}
        self._event(life, EventKind.sla_breached, swept, payload, organization_id=clock[3], assignment_id=clock[2])
        job = f'{{"clock_id": {clock[0]}, "report_id": "{life.key}", "stage": "{stage.value}"}}'
        self._job("escalate", job, swept, dedupe_key=f"escalate:{clock[0]}")

    def _stop_clock(self, life: _Life, at: datetime) -> None:
        clock = life.clock
        if clock is None:
            return
        self._breach_if_swept(life, at)
        clock[7] = at
        stage = ClockStage(clock[4])
        assignment = self._assignment_of(life, clock[2])
        if assignment is not None and stage in ASSIGNMENT_FIELDS:
            field_name = ASSIGNMENT_FIELDS[stage][1]
            if assignment[field_name] is not False:
                assignment[field_name] = clock[8] is None and at <= clock[6]
        life.clock = None
