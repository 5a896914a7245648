"""Run schemathesis in-process against the ASGI app (no server) and collect what it found.

The engine is the one behind `st run`: it plays the phases asked for (examples, coverage, fuzzing,
stateful) over every operation of /openapi.json and applies the checks below to every response.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import schemathesis
from schemathesis.engine import events, from_schema

SEED = 20260508
PHASES = ("examples", "coverage", "fuzzing", "stateful")
# Reliability-anchors row 17. Left out: positive_data_acceptance, which expects 2xx for every
# schema-valid request — but rules that JSON Schema cannot say (consent must be true, `from`/`to` or
# `period` but not both, periods up to 10 years, opaque cursors, each workflow action's own payload)
# rightly answer 422; object_level_authorization and max_response_time need a baseline per API.
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
)
# Logging out revokes the token the persona's whole run uses; only the anonymous run calls it.
TOKEN_REVOKING = "/api/v1/auth/logout"


@dataclass
class FuzzRun:
    operations: set[str] = field(default_factory=set)
    cases: int = 0
    failures: list[str] = field(default_factory=list)

    def report(self, limit: int = 15) -> str:
        shown = "\n".join(self.failures[:limit])
        more = f"\n… and {len(self.failures) - limit} more" if len(self.failures) > limit else ""
        return f"{len(self.failures)} failures in {self.cases} cases:\n{shown}{more}"


def config(*, max_examples: int, phases: tuple[str, ...], headers: dict[str, str]) -> schemathesis.Config:
    data: dict[str, Any] = {
        "seed": SEED,
        "generation": {"max-examples": max_examples, "deterministic": True, "database": "none", "mode": "all"},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        "phases": {name: {"enabled": name in phases} for name in PHASES},
    }
    if headers:
        data["headers"] = headers
    return schemathesis.Config.from_dict(data)


def run(
    app: Any, headers: dict[str, str], *, max_examples: int, phases: tuple[str, ...], tags: tuple[str, ...] = ()
) -> FuzzRun:
    """Fuzz every operation (or those with one of `tags`) with `headers` on every request."""
    schema = schemathesis.openapi.from_asgi(
        "/openapi.json", app, config=config(max_examples=max_examples, phases=phases, headers=headers)
    )
    if headers:
        schema = schema.exclude(path=TOKEN_REVOKING)
    if tags:
        schema = schema.include(tag=list(tags))
    found = FuzzRun()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            _collect(found, event)
        elif isinstance(event, events.NonFatalError):
            found.failures.append(f"{event.label}: engine error {event.value!r}"[:500])
        elif isinstance(event, events.FatalError):
            found.failures.append(f"fatal: {event.exception!r}"[:500])
    return found


def _collect(found: FuzzRun, event: events.ScenarioFinished) -> None:
    recorder = event.recorder
    found.cases += len(recorder.cases)
    for node in recorder.cases.values():
        found.operations.add(node.value.operation.label)
    for case_id, checks in recorder.checks.items():
        for check in checks:
            if check.failure_info is None:
                continue
            interaction = recorder.interactions.get(case_id)
            answer = interaction.response if interaction else None
            request = interaction.request if interaction else None
            where = f"{request.method} {request.uri}" if request else recorder.label
            status = answer.status_code if answer else "-"
            body = answer.content[:200] if answer and answer.content else b""
            sent = (request.body or b"")[:200] if request else b""
            found.failures.append(f"[{check.name}] {where} {sent!r} → {status} {body!r}")
