"""Two people acting on one report at the same instant: exactly one wins, the other gets a conflict.

The requests go through a real HTTP server (uvicorn on a loopback port) from two threads released by
one barrier, so they really overlap inside the application and the database, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from paht.auth.actor import Actor
from paht.auth.service import actor_for, issue_token
from paht.config import Settings
from paht.db import Database
from paht.enums import EventKind
from paht.intake.schemas import ReportCreate
from paht.intake.service import submit_report
from paht.models import Assignment, Event, Organization, Report, SlaClock, User
from paht.reports.service import perform_action
from paht.sla.service import STAGE_FOR_STATE
from paht.users.service import create_user
from paht.workflow import Action
from tests.factories import new_report_body, password_hash
from tests.live_server import serve

ROUNDS = 8  # × 7 races: 56 pairs of simultaneous conflicting actions per database


@pytest.fixture
def server(app: FastAPI) -> Iterator[str]:
    with serve(app) as url:
        yield url


def fire_together(clients: list[httpx.Client], requests: list[dict[str, Any]]) -> list[httpx.Response]:
    """Send request i on client i, all released at the same instant by one barrier."""
    barrier = threading.Barrier(len(requests))
    responses: list[httpx.Response | BaseException | None] = [None] * len(requests)

    def send(index: int) -> None:
        barrier.wait()
        try:
            responses[index] = clients[index].request(**requests[index])
        except BaseException as exc:  # reported below, in the test's thread
            responses[index] = exc

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for response in responses:
        if not isinstance(response, httpx.Response):
            raise AssertionError(f"a request failed: {response!r}")
    return responses  # type: ignore[return-value]


@contextmanager
def clients(base_url: str, count: int) -> Iterator[list[httpx.Client]]:
    """Keep-alive clients, connected before the first race so connecting is not part of it."""
    opened = [httpx.Client(base_url=base_url, timeout=60) for _ in range(count)]
    try:
        for client in opened:
            assert client.get("/healthz").status_code == 200
        yield opened
    finally:
        for client in opened:
            client.close()


@dataclass(frozen=True)
class Move:
    persona: str
    action: Action
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Race:
    name: str
    state: str
    first: Move
    second: Move
    # Actions that could legitimately follow one another send If-Match: the loser's version is stale.
    if_match: bool = False


RESULT = "Đã thay bóng đèn mới."
RACES = [
    Race(
        "dispatch-vs-reject",
        "received",
        Move("ioc_operator", Action.dispatch, {"organization_id": "SXD"}),
        Move("ioc_operator_2", Action.reject, {"reason": "Không đủ thông tin"}),
    ),
    Race(
        "two-operators-dispatch-to-different-bodies",
        "received",
        Move("ioc_operator", Action.dispatch, {"organization_id": "SXD"}),
        Move("ioc_operator_2", Action.dispatch, {"organization_id": "PHUHOI"}),
        if_match=True,
    ),
    Race(
        "acknowledge-vs-return",
        "dispatched",
        Move("handler_a", Action.acknowledge),
        Move("handler_a", Action.return_, {"reason": "Không thuộc thẩm quyền", "suggested_organization_id": "PHUHOI"}),
        if_match=True,
    ),
    Race(
        "submit-result-vs-return",
        "processing",
        Move("handler_a", Action.submit_result, {"result": RESULT}),
        Move("handler_a", Action.return_, {"reason": "Không thuộc thẩm quyền", "suggested_organization_id": "PHUHOI"}),
    ),
    Race(
        "leader-approve-vs-send-back",
        "awaiting_approval",
        Move("leader_a", Action.approve),
        Move("leader_a", Action.send_back, {"reason": "Cần ảnh sau khắc phục"}),
        if_match=True,
    ),
    Race(
        "leader-approve-twice",
        "awaiting_approval",
        Move("leader_a", Action.approve, {"result": "Đã thay bóng đèn LED."}),
        Move("leader_a", Action.approve),
    ),
    Race(
        "editor-publish-vs-send-back",
        "approved",
        Move("ioc_editor", Action.publish, {"title": "Sửa đèn đường"}),
        Move("ioc_editor", Action.send_back, {"reason": "Cần ảnh sau khắc phục"}),
    ),
]

# The happy path that brings a fresh report to each starting state: (reached state, username, action, payload).
HAPPY_PATH = [
    ("dispatched", "ioc.operator", Action.dispatch, {"organization_id": "SXD"}),
    ("processing", "sxd.handler", Action.acknowledge, {}),
    ("awaiting_approval", "sxd.handler", Action.submit_result, {"result": RESULT}),
    ("approved", "sxd.leader", Action.approve, {}),
]


class World:
    """Actors, organisation ids and bearer headers for the races; a second IOC operator is added."""

    def __init__(self, db: Database, personas: Any) -> None:
        with db.write() as session:
            second = create_user(
                session,
                username="ioc.operator2",
                full_name="Điều hành viên Hai",
                roles=["ioc_operator"],
                password_hash=password_hash(),
                organization_code="IOC",
            )
            token, _ = issue_token(session, user=second, ttl_hours=1)
            self.orgs = {o.code: o.id for o in session.scalars(select(Organization))}
            self.actors: dict[str, Actor] = {u.username: actor_for(session, u) for u in session.scalars(select(User))}
        self.headers = {name: personas[name] for name in ("ioc_operator", "handler_a", "leader_a", "ioc_editor")}
        self.headers["ioc_operator_2"] = {"Authorization": f"Bearer {token}"}

    def payload(self, move: Move) -> dict[str, Any]:
        return {k: self.orgs[v] if k.endswith("organization_id") else v for k, v in move.payload.items()}


def report_in_state(db: Database, settings: Settings, world: World, state: str) -> Report:
    """A new report brought to `state` through the services, as the API would."""
    with db.write() as session:
        report, _ = submit_report(
            session, ReportCreate(**new_report_body()), actor=world.actors["citizen.demo"], settings=settings
        )
        session.flush()
        for reached, username, action, payload in HAPPY_PATH:
            if report.state == state:
                break
            payload = {k: world.orgs[v] if k == "organization_id" else v for k, v in payload.items()}
            report = perform_action(
                session,
                report.id,
                action,
                actor=world.actors[username],
                payload=payload,
                settings=settings,
                now=report.updated_at,
            ).report
            session.flush()
            assert report.state == reached
        assert report.state == state
        return report


def action_request(world: World, report: Report, move: Move, *, if_match: bool) -> dict[str, Any]:
    headers = dict(world.headers[move.persona])
    if if_match:
        headers["If-Match"] = str(report.version)
    return {
        "method": "POST",
        "url": f"/api/v1/reports/{report.id}/actions/{move.action.value}",
        "json": world.payload(move),
        "headers": headers,
    }


def assert_one_winner(
    db: Database, race: Race, before: Report, since_event: int, responses: list[httpx.Response]
) -> None:
    statuses = sorted(r.status_code for r in responses)
    losing = {409, 412} if race.if_match else {409}
    assert statuses[0] == 200 and statuses[1] in losing, (race.name, [(r.status_code, r.text[:300]) for r in responses])
    winner = next(r for r in responses if r.status_code == 200).json()
    loser = next(r for r in responses if r.status_code != 200)
    # 409: the action no longer applies (or the write lost the version check); 412: its If-Match is stale.
    expected_codes = {409: {"invalid_transition", "conflict"}, 412: {"stale_version"}}[loser.status_code]
    assert loser.json()["code"] in expected_codes, (race.name, loser.text)
    won_move = race.first if responses[0].status_code == 200 else race.second
    with db.read() as session:
        report = session.get(Report, before.id)
        assert report is not None
        transitions = session.scalars(
            select(Event).where(
                Event.report_id == before.id, Event.kind == EventKind.transition, Event.id > since_event
            )
        ).all()
        running = session.scalar(
            select(func.count()).where(SlaClock.report_id == before.id, SlaClock.stopped_at.is_(None))
        )
        open_assignments = session.scalar(
            select(func.count()).where(Assignment.report_id == before.id, Assignment.ended_at.is_(None))
        )
    assert [e.action for e in transitions] == [won_move.action.value], race.name
    assert transitions[0].from_state == before.state and transitions[0].to_state == report.state
    assert report.state == winner["state"]
    assert report.version == before.version + 1 == winner["version"]
    assert running == (1 if report.state in STAGE_FOR_STATE else 0)
    assert open_assignments <= 1
    if won_move.action is Action.dispatch:
        assert report.current_organization_id == winner["organization_id"]


def last_event_id(db: Database, report_id: uuid.UUID) -> int:
    with db.read() as session:
        return session.scalar(select(func.max(Event.id)).where(Event.report_id == report_id)) or 0


def test_conflicting_actions_on_one_report_have_exactly_one_winner(server, db, settings, personas):
    """ROUNDS × every race in RACES: each time a fresh report, two requests released together."""
    world = World(db, personas)
    with clients(server, 2) as pair:
        for _ in range(ROUNDS):
            for race in RACES:
                report = report_in_state(db, settings, world, race.state)
                since_event = last_event_id(db, report.id)
                responses = fire_together(
                    pair,
                    [
                        action_request(world, report, race.first, if_match=race.if_match),
                        action_request(world, report, race.second, if_match=race.if_match),
                    ],
                )
                assert_one_winner(db, race, report, since_event, responses)
