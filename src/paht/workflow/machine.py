"""Pure decisions over the transition table: no web, no database, no clock.

`check()` says whether an actor may take an action on a report now and what follows;
`available_actions()` lists what to offer. Both read only `TRANSITIONS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from paht.auth.roles import Role
from paht.errors import InvalidTransition, NotPermitted
from paht.workflow.actions import Action
from paht.workflow.states import ReportState
from paht.workflow.transitions import TRANSITIONS, Scope, Transition


class ActorLike(Protocol):
    @property
    def user_id(self) -> int | None: ...
    @property
    def roles(self) -> frozenset[Role]: ...
    @property
    def organization_id(self) -> int | None: ...


@dataclass(frozen=True)
class ReportFacts:
    """What the workflow needs to know about a report."""

    state: ReportState
    organization_id: int | None  # the body it is assigned to now
    result_submitted_by_id: int | None = None


class MissingFields(ValueError):
    def __init__(self, action: Action, fields: list[str]) -> None:
        super().__init__(f"{action.value} requires: {', '.join(fields)}")
        self.fields = fields


def _rows(action: Action) -> list[Transition]:
    return [row for row in TRANSITIONS if row.action == action]


def check(
    report: ReportFacts,
    action: Action,
    actor: ActorLike,
    *,
    payload: Mapping[str, object] | None = None,
    allow_self_approval: bool = False,
) -> Transition:
    """Return the transition that applies, or raise NotPermitted / InvalidTransition / MissingFields."""
    # Only the rows of the actor's own roles count: a leader whose send_back lost a race to an approval
    # hears "not in this state" (409), not "not your role" (403), although the editor's row matches.
    rows = [row for row in _rows(action) if row.roles & actor.roles]
    if not rows:
        raise NotPermitted(f"Vai trò của bạn không được thực hiện «{action.value}».")
    row = next((r for r in rows if report.state in r.sources), None)
    if row is None:
        raise InvalidTransition(f"Không thể «{action.value}» khi phản ánh đang ở trạng thái «{report.state.value}».")
    if row.scope is Scope.assigned_body and (
        actor.organization_id is None or actor.organization_id != report.organization_id
    ):
        raise NotPermitted("Phản ánh không được giao cho đơn vị của bạn.")
    if (
        action is Action.approve
        and not allow_self_approval
        and report.result_submitted_by_id is not None
        and report.result_submitted_by_id == actor.user_id
    ):
        raise NotPermitted("Lãnh đạo không được tự phê duyệt kết quả do chính mình gửi.")
    if payload is not None:
        missing = [name for name in row.requires if payload.get(name) in (None, "")]
        if missing:
            raise MissingFields(action, missing)
    return row


def available_actions(report: ReportFacts, actor: ActorLike, *, allow_self_approval: bool = False) -> list[Action]:
    allowed = []
    for action in Action:
        try:
            check(report, action, actor, allow_self_approval=allow_self_approval)
        except (NotPermitted, InvalidTransition):
            continue
        allowed.append(action)
    return allowed
