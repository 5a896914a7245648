"""Issue 8 item 2 / reliability-anchors row 3: random role × action sequences through the real API.

A Hypothesis state machine submits a report, then lets random personas try random actions on it with
well-formed payloads. Its model of the report (state, body holding it, successful transitions) is
driven by the transition table alone — the specification — and after every step the database must
agree: the state is one of the graph's, every transition event continues from the state the previous
one left (no step skipped) and is an edge of the graph, there is exactly one event per success, and a
refused action (403/404/409) changes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import select

from paht.auth.roles import Role
from paht.auth.service import actor_for
from paht.db import Database
from paht.enums import EventKind
from paht.main import create_app
from paht.models import Event, Organization, Report, User
from paht.workflow import TRANSITIONS, Action, ReportState
from paht.workflow.transitions import Scope
from tests.factories import PERSONAS, idem, new_report_body

ACTORS = ("ioc_operator", "ioc_editor", "handler_a", "leader_a", "handler_b", "leader_b", "citizen", "admin")
BODIES = ("SXD", "PHUHOI")
EDGES = {(source, row.target) for row in TRANSITIONS for source in row.sources}
STATES = set(ReportState)
FORWARD = {Action.dispatch, Action.acknowledge, Action.submit_result, Action.approve, Action.publish, Action.reopen}
IOC_STAFF = {"ioc_operator", "ioc_editor"}  # they see every report, so a refusal is exactly 403 or 409


@dataclass(frozen=True)
class Who:
    roles: frozenset[Role]
    organization_id: int | None


def expected_outcome(action: Action, state: ReportState, holder: int | None, who: Who) -> tuple[int, ReportState]:
    """What the transition table says: (200, new state), or (403 / 409, unchanged state)."""
    rows = [row for row in TRANSITIONS if row.action == action and row.roles & who.roles]
    if not rows:
        return 403, state
    row = next((r for r in rows if state in r.sources), None)
    if row is None:
        return 409, state
    if row.scope is Scope.assigned_body and (who.organization_id is None or who.organization_id != holder):
        return 403, state
    return 200, row.target


class WorkflowWorld:
    """The API, the personas' tokens and what the test knows about them."""

    def __init__(self, client: TestClient, db: Database, headers: dict[str, dict[str, str]]) -> None:
        self.client, self.db, self.headers = client, db, headers
        with db.read() as session:
            self.bodies = {o.code: o.id for o in session.scalars(select(Organization))}
            self.who = {}
            for persona in ACTORS:
                user = session.scalar(select(User).where(User.username == PERSONAS[persona]))
                actor = actor_for(session, user)
                self.who[persona] = Who(actor.roles, actor.organization_id)
        self.steps = 0
        self.reached: set[ReportState] = set()

    def submit(self) -> str:
        response = self.client.post("/api/v1/reports", json=new_report_body(), headers=idem())
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def payload(self, action: Action, body: str, holder: int | None, other_report: str) -> dict[str, object]:
        # A body returns a report to the IOC with a suggestion of another body than itself.
        other_body = next(self.bodies[code] for code in BODIES if self.bodies[code] != holder)
        return {
            Action.dispatch: {"organization_id": self.bodies[body]},
            Action.return_: {"reason": "Không thuộc thẩm quyền", "suggested_organization_id": other_body},
            Action.submit_result: {"result": "Đã xử lý xong."},
            Action.send_back: {"reason": "Cần bổ sung ảnh"},
            Action.reject: {"reason": "Không đủ thông tin"},
            Action.reopen: {"reason": "Người dân báo chưa xong"},
            Action.mark_duplicate: {"duplicate_of_id": other_report},
        }.get(action, {})

    def transitions(self, report_id: str) -> list[Event]:
        with self.db.read() as session:
            query = select(Event).where(Event.report_id == uuid.UUID(report_id), Event.kind == EventKind.transition)
            return list(session.scalars(query.order_by(Event.id)))

    def stored(self, report_id: str) -> Report:
        with self.db.read() as session:
            report = session.get(Report, uuid.UUID(report_id))
            assert report is not None
            return report


def machine_for(world: WorkflowWorld) -> type[RuleBasedStateMachine]:
    class ReportWorkflow(RuleBasedStateMachine):
        @initialize()
        def submit(self) -> None:
            self.report, self.original = world.submit(), world.submit()
            self.state, self.holder, self.successes = ReportState.received, None, 0

        @rule(
            persona=st.sampled_from(ACTORS),
            action=st.sampled_from([a for a in Action if a is not Action.release]),
            body=st.sampled_from(BODIES),
        )
        def act(self, persona: str, action: Action, body: str) -> None:
            world.steps += 1
            who = world.who[persona]
            status, target = expected_outcome(action, self.state, self.holder, who)
            response = world.client.post(
                f"/api/v1/reports/{self.report}/actions/{action.value}",
                json=world.payload(action, body, self.holder, self.original),
                headers=world.headers[persona],
            )
            if status == 200:
                assert response.status_code == 200, f"{persona} {action} in {self.state}: {response.text}"
                assert response.json()["state"] == target
                world.reached.add(target)
                self.state, self.successes = target, self.successes + 1
                self.holder = self._holder_after(action, body)
            elif persona in IOC_STAFF:
                assert response.status_code == status, f"{persona} {action} in {self.state}: {response.text}"
            else:  # a body or citizen that cannot see the report gets 404, never a hint that it exists
                assert response.status_code in (403, 404, 409), f"{persona} {action}: {response.text}"
                assert response.status_code == status or response.status_code == 404, response.text

        @rule(data=st.data())
        def make_a_legal_move(self, data: st.DataObject) -> None:
            """A move the table allows, so runs reach every state, not only refusals."""
            moves = [
                (persona, row.action)
                for row in TRANSITIONS
                if self.state in row.sources and row.action is not Action.release
                for persona in ACTORS
                if expected_outcome(row.action, self.state, self.holder, world.who[persona])[0] == 200
            ]
            moves += [move for move in moves if move[1] in FORWARD] * 2  # rejection ends a run: draw it less
            if moves:
                persona, action = data.draw(st.sampled_from(sorted(moves)))
                self.act(persona, action, data.draw(st.sampled_from(BODIES)))

        @rule(data=st.data())
        def make_another_legal_move(self, data: st.DataObject) -> None:
            """Rules are drawn evenly: a second legal-move rule makes two steps in three legal, enough for
            20-step runs to reach publication past the return and send-back loops."""
            self.make_a_legal_move(data)

        def _holder_after(self, action: Action, body: str) -> int | None:
            if action is Action.dispatch:
                return world.bodies[body]
            if action in (Action.return_, Action.reject, Action.mark_duplicate):
                return None
            return self.holder  # acknowledge … publish keep the body; reopen goes back to the same body

        @invariant()
        def database_agrees_with_the_table(self) -> None:
            if not hasattr(self, "report"):
                return
            report = world.stored(self.report)
            assert report.state in STATES
            assert report.state == self.state
            events = world.transitions(self.report)
            assert len(events) == self.successes  # exactly one event per successful transition
            previous = ReportState.received
            for event in events:  # no step skipped: each starts where the previous one ended
                assert event.from_state == previous, [(e.from_state, e.to_state) for e in events]
                assert (event.from_state, event.to_state) in EDGES
                previous = ReportState(event.to_state)

    return ReportWorkflow


def _world(app_settings, db: Database, personas) -> tuple[TestClient, WorkflowWorld]:  # type: ignore[no-untyped-def]
    # Hundreds of submissions from one test client must not meet the per-address abuse limit.
    generous = app_settings.model_copy(update={"submit_limit_per_ip": 1_000_000})
    client = TestClient(create_app(generous, db, worker=False))
    return client, WorkflowWorld(client, db, dict(personas.headers))


def _run(app_settings, db: Database, personas, *, examples: int, steps: int) -> WorkflowWorld:  # type: ignore[no-untyped-def]
    client, world = _world(app_settings, db, personas)
    with client:
        run_state_machine_as_test(
            machine_for(world),
            settings=settings(
                max_examples=examples,
                stateful_step_count=steps,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
                phases=[Phase.explicit, Phase.generate],  # shrinking a 20-step HTTP run takes minutes; steps print
            ),
        )
    return world


def test_random_role_action_sequences_follow_the_transition_table(settings, db: Database, personas) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("bounded run on SQLite; the slow run plays the machine on PostgreSQL too")
    world = _run(settings, db, personas, examples=30, steps=20)
    assert world.steps >= 200  # actions sent; rejected and duplicate reports end a run early
    assert world.reached >= set(ReportState) - {ReportState.received, ReportState.held}  # every state was visited


def test_the_oracle_refuses_what_the_table_forbids() -> None:
    handler_a = Who(frozenset({Role.handler}), organization_id=1)
    assert expected_outcome(Action.acknowledge, ReportState.dispatched, 1, handler_a) == (200, ReportState.processing)
    assert expected_outcome(Action.acknowledge, ReportState.dispatched, 2, handler_a) == (403, ReportState.dispatched)
    assert expected_outcome(Action.publish, ReportState.approved, 1, handler_a) == (403, ReportState.approved)
    assert expected_outcome(Action.acknowledge, ReportState.received, 1, handler_a) == (409, ReportState.received)


@pytest.mark.slow
def test_a_long_stateful_run_finds_no_illegal_state(settings, db: Database, personas) -> None:
    world = _run(settings, db, personas, examples=150, steps=25)
    print(f"stateful workflow: {world.steps} steps, states reached: {sorted(world.reached)}")
    assert world.steps >= 1000
