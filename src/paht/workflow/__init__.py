"""The five-step workflow as pure data and functions (imports nothing from the web or the database)."""

from paht.workflow.actions import Action
from paht.workflow.machine import MissingFields, ReportFacts, available_actions, check
from paht.workflow.states import ReportState
from paht.workflow.transitions import TRANSITIONS, Scope, Transition

__all__ = [
    "TRANSITIONS",
    "Action",
    "MissingFields",
    "ReportFacts",
    "ReportState",
    "Scope",
    "Transition",
    "available_actions",
    "check",
]
