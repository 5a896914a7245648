"""Issue 8 item 2: schemathesis against /openapi.json with every persona — zero 5xx, zero schema violations.

The default run fuzzes every operation as each persona on SQLite (a few examples each) and plays the
coverage phase (boundary and invalid values for every parameter) as the IOC operator. The slow run
plays all four phases with many more examples, for every persona, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest

from tests.fuzz.schemathesis_run import PHASES, run

# persona of the fuzz run → persona of tests/factories.py (None: no token at all)
PERSONAS = {
    "anonymous": None,
    "citizen": "citizen",
    "handler": "handler_a",
    "leader": "leader_a",
    "ioc_operator": "ioc_operator",
    "admin": "admin",
}

# The coverage phase of the default run: the report workflow and sign-in, where bad input matters most.
CORE_TAGS = ("reports", "auth")


def _headers(personas, persona: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    name = PERSONAS[persona]
    return dict(personas[name]) if name else {}


def _sqlite_only(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the bounded fuzz run is SQLite-only; the slow run covers PostgreSQL")


@pytest.mark.parametrize("persona", PERSONAS)
def test_fuzzing_every_operation_finds_no_server_error_or_schema_violation(
    app, personas, database_url: str, persona: str
) -> None:
    _sqlite_only(database_url)
    found = run(app, _headers(personas, persona), max_examples=1, phases=("fuzzing",))
    assert not found.failures, found.report()
    assert len(found.operations) >= 60, sorted(found.operations)  # every operation was exercised


def test_coverage_phase_boundary_values_are_refused_cleanly(app, personas, database_url: str) -> None:
    _sqlite_only(database_url)
    found = run(app, _headers(personas, "ioc_operator"), max_examples=1, phases=("coverage",), tags=CORE_TAGS)
    assert not found.failures, found.report()
    assert found.cases > 300


@pytest.mark.slow
@pytest.mark.parametrize("persona", PERSONAS)
def test_all_phases_at_length_find_nothing(app, personas, persona: str) -> None:
    found = run(app, _headers(personas, persona), max_examples=10, phases=PHASES)
    print(f"{persona}: {found.cases} cases over {len(found.operations)} operations")
    assert not found.failures, found.report()
