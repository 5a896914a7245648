"""Property: after any run of random workflow steps, the maintained aggregates equal a full recomputation.

Thousands of actions go through the real services (intake, perform_action, rating, the overdue sweep)
with a frozen clock that advances by random steps — including zero (two steps at the same instant),
exactly the 30-minute deadline, and jumps over nights, weekends and holidays. Refused actions roll back
like a real request. After every example the tables are compared with a recomputation from events.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paht.clock import frozen_at
from paht.enums import Channel
from paht.errors import DomainError
from paht.models import Report
from paht.reports.service import actions_for
from paht.sla.sweep import sweep_overdue
from paht.stats import aggregates, bulk
from tests.stats.compare import maintained, recomputed
from tests.stats.world import HUE, World, local

STEPS_MINUTES = [0, 0, 1, 5, 15, 29, 30, 31, 45, 90, 240, 600, 1440, 2880, 4320, 10080]
CATEGORIES = [None, "CHIEU_SANG", "NGAP_UNG", "RAC_THAI", "TRAT_TU_XD"]
BODIES = ["SXD", "PHUHOI"]
PERSONAS = ["operator", "editor", "handler_a", "leader_a", "handler_b", "leader_b"]


KINDS = ["submit", "submit", *["act"] * 12, "rate", "sweep", "recategorise"]
# One step: what to do, how far the clock moves, and three numbers that pick among the options the
# current state offers. Drawn independently of the database, so hypothesis sees a pure data strategy.
Op = tuple[str, int, int, int, int]
OPS = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.sampled_from(STEPS_MINUTES),
        st.integers(0, 2**16),
        st.integers(0, 2**16),
        st.integers(0, 2**16),
    ),
    min_size=30,
    max_size=60,
)


def pick(options: list, number: int):  # type: ignore[no-untyped-def]
    return options[number % len(options)]


class Run:
    def __init__(self, world: World) -> None:
        self.world = world
        self.now = local("2026-04-22 07:00")  # the week before the April holidays
        self.reports: list[uuid.UUID] = []
        self.actions = self.refused = 0

    def step(self, op: Op) -> None:
        kind, minutes, a, b, c = op
        self.now += timedelta(minutes=minutes)
        if kind == "submit" or not self.reports:
            self.reports.append(self.world.submit(self._local(), pick(CATEGORIES, a), pick(list(Channel), b)))
            return
        report_id = pick(self.reports, c)
        if kind == "act":
            self._act(report_id, a, b)
        elif kind == "rate":
            with contextlib.suppress(DomainError):  # not published yet, or already rated
                self.world.rate(report_id, self._local(), 1 + a % 5)
        elif kind == "sweep":
            with frozen_at(self.now), self.world.db.write() as session:
                sweep_overdue(session)
        else:
            self._recategorise(report_id, pick(CATEGORIES, a))

    def _local(self) -> str:
        return self.now.astimezone(HUE).replace(tzinfo=None).isoformat(sep=" ")

    def _offered(self, report_id: uuid.UUID) -> list[tuple[str, str]]:
        world = self.world
        with world.db.read() as session:
            report = session.get(Report, report_id)
            assert report is not None
            return [
                (persona, action.value)
                for persona in PERSONAS
                for action in actions_for(session, report, world.actors[persona], world.settings)
            ]

    def _act(self, report_id: uuid.UUID, a: int, b: int) -> None:
        offered = self._offered(report_id)
        for other in self.reports[-5:]:  # closed reports offer nothing: try one of the latest instead
            if offered:
                break
            report_id, offered = other, self._offered(other)
        if not offered or a % 10 == 0:  # sometimes an action the workflow refuses
            persona, action = pick(PERSONAS, a), pick(["acknowledge", "approve", "publish"], b)
        else:
            persona, action = pick(offered, a)
        payload: dict[str, object] = {}
        if action == "dispatch":
            payload["organization"] = pick(BODIES, b)
        elif action == "return":
            payload["suggested"] = pick(["STNMT", "SGTVT"], b)
        elif action == "mark_duplicate":
            payload["duplicate_of"] = pick(self.reports, b)
        try:
            self.world.act(report_id, self._local(), action, persona, **payload)
            self.actions += 1
        except DomainError:
            self.refused += 1  # the transaction rolled back, as a request would

    def _recategorise(self, report_id: uuid.UUID, category: str | None) -> None:
        """The IOC corrects a category outside the workflow; the report's history moves with it."""
        with self.world.db.write() as session:
            report = session.get(Report, report_id)
            assert report is not None
            report.category_id = self.world.categories[category] if category else None
            session.flush()
            aggregates.refresh_dims(session, [report_id])


def test_maintained_aggregates_equal_a_full_recomputation(db, settings):
    run = Run(World(db, settings))

    @settings_for_run
    @given(ops=OPS)
    def examples(ops: list[Op]) -> None:
        for op in ops:
            run.step(op)
        with db.read() as session:
            assert maintained(session) == recomputed(session)

    examples()
    print(f"property run: {run.actions} workflow actions applied, {run.refused} refused, {len(run.reports)} reports")
    assert run.actions >= 15 * EXAMPLES, (run.actions, run.refused)
    with db.read() as session:
        before = maintained(session)
    with db.write() as session:
        bulk.rebuild(session, batch_size=7)
    with db.read() as session:
        assert maintained(session) == before


# `make test` tries 15 sequences per database, `make test-slow` 200 (PAHT_STATS_EXAMPLES). Each example compares
# every report so far, so the time grows with the square of the count.
EXAMPLES = int(os.environ.get("PAHT_STATS_EXAMPLES", "15"))
settings_for_run = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
