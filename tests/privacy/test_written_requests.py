"""The IOC records a citizen's written request, sees its legal clocks (answer in 2 working days on the
city's calendar, complete in 15 days) and carries it out; every step is audited, and only the IOC may."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from typer.testing import CliRunner

from paht.cli import app as cli
from paht.clock import set_now
from paht.config import get_settings
from paht.models import Event, Report
from tests.privacy.conftest import has_canary

# Friday 6 March 2026, 10:00 in Huế: two working days later is Tuesday 10 March, 10:00.
RECEIVED = datetime(2026, 3, 6, 3, 0, tzinfo=UTC)
RESPOND_DUE = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
COMPLETE_DUE = datetime(2026, 3, 21, 3, 0, tzinfo=UTC)


def _open(client, personas, code: str, kind: str):  # type: ignore[no-untyped-def]
    body = {"code": code, "kind": kind, "reference": "CV 12/IOC", "received_at": RECEIVED.isoformat()}
    return client.post("/api/v1/privacy/requests", json=body, headers=personas["ioc_operator"])


def _listed(client, personas, status: str = "open") -> list[dict]:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/privacy/requests?status={status}", headers=personas["ioc_operator"])
    assert response.status_code == 200, response.text
    return response.json()


def test_a_written_erasure_runs_on_the_legal_clocks(client, personas, db, canary_report):
    set_now(RECEIVED + timedelta(hours=2))  # entered the same morning
    opened = _open(client, personas, canary_report["code"].lower(), "erase")
    assert opened.status_code == 201, opened.text
    request = opened.json()
    assert (request["kind"], request["source"], request["status"]) == ("erase", "written", "open")
    assert datetime.fromisoformat(request["respond_due_at"]) == RESPOND_DUE
    assert datetime.fromisoformat(request["complete_due_at"]) == COMPLETE_DUE

    set_now(datetime(2026, 3, 9, 9, 0, tzinfo=UTC))  # Monday: nothing late yet
    (row,) = _listed(client, personas)
    assert (row["respond_overdue"], row["complete_overdue"]) == (False, False)
    set_now(datetime(2026, 3, 10, 4, 0, tzinfo=UTC))  # Tuesday 11:00 in Huế: the answer is late
    (row,) = _listed(client, personas)
    assert (row["respond_overdue"], row["complete_overdue"]) == (True, False)
    answered = client.post(f"/api/v1/privacy/requests/{request['id']}/answer", headers=personas["ioc_operator"])
    assert answered.status_code == 200 and answered.json()["respond_overdue"] is False
    set_now(datetime(2026, 3, 22, 4, 0, tzinfo=UTC))
    (row,) = _listed(client, personas)
    assert row["complete_overdue"] is True

    done = client.post(f"/api/v1/privacy/requests/{request['id']}/complete", headers=personas["ioc_operator"])
    assert done.status_code == 200, done.text
    assert "reporter_phone" in done.json()["fields"]
    assert _listed(client, personas) == []
    (finished,) = _listed(client, personas, "done")
    assert finished["completed_at"] is not None and finished["complete_overdue"] is False
    again = client.post(f"/api/v1/privacy/requests/{request['id']}/complete", headers=personas["ioc_operator"])
    assert again.status_code == 409
    with db.read() as session:
        report = session.scalar(select(Report).where(Report.code == canary_report["code"]))
        kinds = [e.kind for e in session.scalars(select(Event).where(Event.report_id == report.id))]
        actors = set(session.scalars(select(Event.actor_role).where(Event.kind.like("privacy_%"))))
    assert report.reporter_phone is None and not has_canary(report.description)
    assert [k for k in kinds if k.startswith("privacy_")] == [
        "privacy_request_opened",
        "privacy_request_answered",
        "privacy_erased",
    ]
    assert actors == {"ioc_operator"}


def test_a_written_export_and_correction(client, personas, canary_report):
    set_now(RECEIVED + timedelta(days=1))
    export_id = _open(client, personas, canary_report["code"], "export").json()["id"]
    export = client.post(f"/api/v1/privacy/requests/{export_id}/complete", headers=personas["ioc_operator"])
    assert export.status_code == 200 and export.json()["contact"]["email"] == "canary-7f3a@example.vn"
    correct_id = _open(client, personas, canary_report["code"], "correct").json()["id"]
    url = f"/api/v1/privacy/requests/{correct_id}/complete"
    assert client.post(url, headers=personas["ioc_operator"]).status_code == 422  # what to correct is required
    fixed = client.post(url, json={"email": "moi@example.vn"}, headers=personas["ioc_operator"])
    assert fixed.status_code == 200 and fixed.json()["fields"] == ["email"]


def test_only_the_ioc_handles_requests(client, personas, canary_report):
    for persona in ("handler_a", "leader_a", "citizen_b"):
        assert client.get("/api/v1/privacy/requests", headers=personas[persona]).status_code == 403
        response = client.post(
            "/api/v1/privacy/requests",
            json={"code": canary_report["code"], "kind": "erase"},
            headers=personas[persona],
        )
        assert response.status_code == 403
    assert client.get("/api/v1/privacy/requests").status_code == 401
    unknown = client.post(
        "/api/v1/privacy/requests", json={"code": "PA-ZZZZZZZZ", "kind": "erase"}, headers=personas["ioc_operator"]
    )
    assert unknown.status_code == 404


def test_a_receipt_date_outside_the_past_year_is_refused(client, personas, canary_report):
    for received in (RECEIVED + timedelta(days=2), RECEIVED - timedelta(days=400)):
        set_now(RECEIVED)
        body = {"code": canary_report["code"], "kind": "erase", "received_at": received.isoformat()}
        response = client.post("/api/v1/privacy/requests", json=body, headers=personas["ioc_operator"])
        assert response.status_code == 422, response.text


def test_the_ioc_handles_a_letter_from_the_command_line(db, settings, canary_report, monkeypatch, tmp_path):
    monkeypatch.setenv("PAHT_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        opened = runner.invoke(cli, ["privacy", "request", canary_report["code"], "export", "--by", "ioc.operator"])
        assert opened.exit_code == 0, opened.output
        request_id = opened.output.split()[1]
        listed = runner.invoke(cli, ["privacy", "requests"], env={"COLUMNS": "200"})
        assert canary_report["code"] in listed.output
        refused = runner.invoke(cli, ["privacy", "complete", request_id, "--by", "ioc.operator"])
        assert refused.exit_code != 0  # an export needs a file, and the request stays open
        target = tmp_path / "export.json"
        done = runner.invoke(cli, ["privacy", "complete", request_id, "--by", "ioc.operator", "--output", str(target)])
        assert done.exit_code == 0, done.output
        assert not has_canary(done.output)
        assert json.loads(target.read_text(encoding="utf-8"))["contact"]["email"] == "canary-7f3a@example.vn"
    finally:
        get_settings.cache_clear()
