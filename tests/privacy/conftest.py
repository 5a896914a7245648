"""A report whose reporter carries the canary values that tests/pii_log_guard.py also looks for."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import idem, new_report_body

CANARY_NAME = "Nguyễn Văn Canary-7f3a"
CANARY_PHONE = "0912 345 678"
CANARY_EMAIL = "canary-7f3a@example.vn"
CANARY_ADDRESS = "số 47 kiệt 12 Canary-7f3a, phường Phú Hội"
CANARY_TEXT = "Nhà tôi (Canary-7f3a, 0912345678) bị ngập nước thải từ cống."
# What must never survive an erasure or reach a log: the values in every spelling we store or show.
CANARY_MARKS = ("Canary-7f3a", "canary-7f3a", "912345678", "912 345 678")


def canary_body(**overrides: Any) -> dict[str, Any]:
    return new_report_body(
        description=CANARY_TEXT,
        location={"lat": 16.463712, "lon": 107.590934, "address": CANARY_ADDRESS},
        reporter={"name": CANARY_NAME, "phone": CANARY_PHONE, "email": CANARY_EMAIL},
        **overrides,
    )


def has_canary(text: str) -> bool:
    return any(mark in text for mark in CANARY_MARKS)


@pytest.fixture
def canary_report(client, personas) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Submitted anonymously through the API; carries the one-time `reporter_token`."""
    response = client.post("/api/v1/reports", json=canary_body(), headers=idem())
    assert response.status_code == 201, response.text
    return response.json()
