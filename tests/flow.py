"""Driving reports through the API in tests, as a client would."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from paht.db import Database
from paht.models import Organization
from tests.conftest import Personas
from tests.factories import idem, new_report_body


class Flow:
    def __init__(self, client: TestClient, personas: Personas, db: Database) -> None:
        self.client, self.personas = client, personas
        with db.read() as session:
            self.orgs = {o.code: o.id for o in session.scalars(select(Organization))}

    def submit(self, persona: str = "anonymous", **overrides: Any) -> dict[str, Any]:
        response = self.client.post(
            "/api/v1/reports", json=new_report_body(**overrides), headers=self.personas[persona] | idem()
        )
        assert response.status_code == 201, response.text
        return response.json()

    def act(self, report: dict[str, Any] | str, persona: str, action: str, expect: int = 200, **payload: Any) -> Any:
        report_id = report if isinstance(report, str) else report["id"]
        response = self.client.post(
            f"/api/v1/reports/{report_id}/actions/{action}", json=payload, headers=self.personas[persona]
        )
        assert response.status_code == expect, f"{action} by {persona}: {response.status_code} {response.text}"
        return response.json()

    def to_state(self, state: str, persona: str = "anonymous", **overrides: Any) -> dict[str, Any]:
        """A new report (`overrides` of its body) driven to `state` along the happy path (body A = SXD)."""
        report = self.submit(persona, **overrides)
        path = [
            ("dispatched", "ioc_operator", "dispatch", {"organization_id": self.orgs["SXD"]}),
            ("processing", "handler_a", "acknowledge", {}),
            ("awaiting_approval", "handler_a", "submit_result", {"result": "Đã thay bóng đèn mới."}),
            ("approved", "leader_a", "approve", {}),
            ("published", "ioc_editor", "publish", {}),
        ]
        if state == "received":
            return report
        if state in ("rejected", "duplicate"):
            payload = (
                {"reason": "Không đủ thông tin"} if state == "rejected" else {"duplicate_of_id": self.submit()["id"]}
            )
            return self.act(report, "ioc_operator", "reject" if state == "rejected" else "mark_duplicate", **payload)
        if state == "returned":
            report = self.act(report, "ioc_operator", "dispatch", organization_id=self.orgs["SXD"])
            return self.act(
                report,
                "handler_a",
                "return",
                reason="Không thuộc thẩm quyền",
                suggested_organization_id=self.orgs["PHUHOI"],
            )
        for target, persona_, action, payload in path:
            report = self.act(report, persona_, action, **payload)
            if target == state:
                return report
        raise ValueError(state)
