"""Every state × action × role × body combination against DESIGN.md §4, written out independently here."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from paht.auth.roles import Role
from paht.errors import InvalidTransition, NotPermitted
from paht.workflow import Action, MissingFields, ReportFacts, ReportState, available_actions, check

S, A, R = ReportState, Action, Role
BODY, OTHER_BODY = 10, 20

# DESIGN.md §4, row by row: (action, from states, to, role, must belong to the assigned body)
DESIGN_TABLE = [
    (A.dispatch, {S.received, S.returned, S.dispatched}, S.dispatched, R.ioc_operator, False),
    (A.acknowledge, {S.dispatched}, S.processing, R.handler, True),
    (A.return_, {S.dispatched, S.processing}, S.returned, R.handler, True),
    (A.submit_result, {S.processing}, S.awaiting_approval, R.handler, True),
    (A.approve, {S.awaiting_approval}, S.approved, R.leader, True),
    (A.send_back, {S.awaiting_approval}, S.processing, R.leader, True),
    (A.send_back, {S.approved}, S.processing, R.ioc_editor, False),
    (A.publish, {S.approved}, S.published, R.ioc_editor, False),
    (A.reject, {S.received, S.returned, S.held}, S.rejected, R.ioc_operator, False),
    (A.mark_duplicate, {S.received, S.returned}, S.duplicate, R.ioc_operator, False),
    (A.reopen, {S.published}, S.dispatched, R.ioc_operator, False),
    # Issue 8 item 3: a reporter on the abuse list; the IOC releases the report into the queue or rejects it.
    (A.release, {S.held}, S.received, R.ioc_operator, False),
]


@dataclass(frozen=True)
class Person:
    user_id: int | None
    roles: frozenset[Role]
    organization_id: int | None


def expected(state: S, action: A, role: R, in_body: bool) -> S | type[Exception]:
    """403 when the role never takes this action; 409 when it does, but not from this state; 403 outside the body."""
    rows = [row for row in DESIGN_TABLE if row[0] == action and row[3] == role]
    if not rows:
        return NotPermitted
    row = next((r for r in rows if state in r[1]), None)
    if row is None:
        return InvalidTransition
    if row[4] and not in_body:
        return NotPermitted
    return row[2]


CASES = list(itertools.product(S, A, R, [True, False]))


@pytest.mark.parametrize(("state", "action", "role", "in_body"), CASES)
def test_check_matches_the_design_table(state, action, role, in_body):
    report = ReportFacts(state=state, organization_id=BODY, result_submitted_by_id=999)
    actor = Person(1, frozenset({role}), BODY if in_body else OTHER_BODY)
    outcome = expected(state, action, role, in_body)
    if isinstance(outcome, S):
        assert check(report, action, actor).target is outcome
        assert action in available_actions(report, actor)
    else:
        with pytest.raises(outcome):
            check(report, action, actor)
        assert action not in available_actions(report, actor)


def test_the_table_covers_every_state_with_some_way_out_or_is_closed():
    closed = {S.rejected, S.duplicate}
    for state in set(S) - closed:
        assert any(state in row[1] for row in DESIGN_TABLE), state


def test_an_actor_without_roles_may_do_nothing():
    report = ReportFacts(state=S.received, organization_id=None)
    assert available_actions(report, Person(None, frozenset(), None)) == []


def test_a_leader_cannot_approve_their_own_result():
    both = Person(7, frozenset({R.handler, R.leader}), BODY)
    report = ReportFacts(state=S.awaiting_approval, organization_id=BODY, result_submitted_by_id=7)
    with pytest.raises(NotPermitted):
        check(report, A.approve, both)
    assert A.approve not in available_actions(report, both)
    assert check(report, A.approve, both, allow_self_approval=True).target is S.approved


def test_required_fields_are_reported_by_name():
    report = ReportFacts(state=S.dispatched, organization_id=BODY)
    handler = Person(1, frozenset({R.handler}), BODY)
    with pytest.raises(MissingFields) as error:
        check(report, A.return_, handler, payload={"reason": ""})
    assert error.value.fields == ["reason", "suggested_organization_id"]


def test_an_unassigned_report_belongs_to_no_body():
    report = ReportFacts(state=S.dispatched, organization_id=None)
    with pytest.raises(NotPermitted):
        check(report, A.acknowledge, Person(1, frozenset({R.handler}), None))
