"""THE table: who may do what, from which state, to which state, with what information.

API validation, the action buttons, `docs/workflow.md` and the tests all read this one table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from paht.auth.roles import Role as R
from paht.workflow.actions import Action as A
from paht.workflow.states import ReportState as S


class Scope(StrEnum):
    ioc = "ioc"  # any holder of the role may act
    assigned_body = "assigned_body"  # only members of the body the report is assigned to now


@dataclass(frozen=True)
class Transition:
    action: A
    sources: frozenset[S]
    target: S
    roles: frozenset[R]
    scope: Scope
    requires: tuple[str, ...] = ()
    note: str = ""


def t(action: A, sources: set[S], target: S, roles: set[R], scope: Scope, *requires: str, note: str = "") -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), scope, requires, note)


IOC, BODY = Scope.ioc, Scope.assigned_body

TRANSITIONS: tuple[Transition, ...] = (
    t(
        A.dispatch,
        {S.received, S.returned, S.dispatched},
        S.dispatched,
        {R.ioc_operator},
        IOC,
        "organization_id",
        note="starts a new assignment and its clocks",
    ),
    t(A.acknowledge, {S.dispatched}, S.processing, {R.handler}, BODY, note="on time within 30 minutes"),
    t(
        A.return_,
        {S.dispatched, S.processing},
        S.returned,
        {R.handler},
        BODY,
        "reason",
        "suggested_organization_id",
    ),
    t(A.submit_result, {S.processing}, S.awaiting_approval, {R.handler}, BODY, "result"),
    t(A.approve, {S.awaiting_approval}, S.approved, {R.leader}, BODY, note="optional edited result"),
    t(A.send_back, {S.awaiting_approval}, S.processing, {R.leader}, BODY, "reason"),
    t(A.send_back, {S.approved}, S.processing, {R.ioc_editor}, IOC, "reason"),
    t(A.publish, {S.approved}, S.published, {R.ioc_editor}, IOC, note="optional public edits"),
    t(A.reject, {S.received, S.returned, S.held}, S.rejected, {R.ioc_operator}, IOC, "reason"),
    t(A.release, {S.held}, S.received, {R.ioc_operator}, IOC, note="a held report (abuse list) goes on as usual"),
    t(A.mark_duplicate, {S.received, S.returned}, S.duplicate, {R.ioc_operator}, IOC, "duplicate_of_id"),
    t(
        A.reopen,
        {S.published},
        S.dispatched,
        {R.ioc_operator},
        IOC,
        "reason",
        note="same body, new assignment",
    ),
)
