"""Every staff view of a reporter's contact details is audited (reliability-anchors row 24): the test
walks every GET route of the API and the web consoles (and the consoles' "show contact" POSTs) with a
real report, and for each response that shows the reporter's name, phone or e-mail asserts exactly one
new `contact_viewed` event. Handling bodies never see the contact at all."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import func, select

from paht.enums import EventKind
from paht.models import Event
from tests.api.test_permissions import walk_routes
from tests.factories import idem, new_report_body
from tests.flow import Flow
from tests.privacy.conftest import CANARY_EMAIL, CANARY_NAME, CANARY_PHONE
from tests.web.helpers import Browser

CONTACT_MARKS = ("Canary-7f3a", "canary-7f3a", "912345678", "912 345 678")
SKIPPED = ("/static", "/dang-xuat", "/docs", "/redoc", "/openapi.json")
# Routes known to show contacts to the IOC: the walk must find each (so a broken walk cannot pass).
KNOWN = {"/api/v1/reports/{report_id}", "/api/v1/exports/reports.{fmt}"}


def _views(db, report_id: str) -> int:  # type: ignore[no-untyped-def]
    with db.read() as session:
        query = select(func.count()).where(
            Event.report_id == uuid.UUID(report_id), Event.kind == EventKind.contact_viewed
        )
        return session.scalar(query) or 0


def _urls(app: Any, values: dict[str, str], *, api: bool, method: str = "GET") -> list[tuple[str, str, Any]]:
    found = []
    for route_method, path, route in walk_routes(app.routes):
        names = re.findall(r"{(\w+)}", path)
        if route_method != method or path.startswith(SKIPPED) or path.startswith("/api") != api:
            continue
        if all(n in values for n in names):
            found.append((path, path.format(**{n: values[n] for n in names}), route))
    return found


def _shows_contact(body: bytes) -> bool:
    text = body.decode("utf-8", errors="ignore")
    return any(mark in text for mark in CONTACT_MARKS)


def test_every_route_showing_a_contact_writes_one_audit_event(app, client, personas, db):
    body = new_report_body(reporter={"name": CANARY_NAME, "phone": CANARY_PHONE, "email": CANARY_EMAIL})
    report = client.post("/api/v1/reports", json=body, headers=idem()).json()
    flow = Flow(client, personas, db)
    flow.act(report, "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])
    values = {"report_id": report["id"], "code": report["code"], "fmt": "csv", "id": report["id"]}
    revealing: set[str] = set()

    for path, url, route in _urls(app, values, api=True):
        asks = {p.name for p in route.dependant.query_params}
        for params in ({}, {"contacts": "true"}) if "contacts" in asks else ({},):
            before = _views(db, report["id"])
            response = client.get(url, params=params, headers=personas["ioc_operator"])
            if _shows_contact(response.content):
                revealing.add(path)
                assert _views(db, report["id"]) - before == 1, f"GET {url} {params}: shows the contact unaudited"
            handler = client.get(url, params=params, headers=personas["handler_a"])
            assert not _shows_contact(handler.content), f"GET {url} {params} shows the contact to a body"

    operator, handler = Browser(app), Browser(app)
    try:
        operator.login("ioc.operator")
        handler.login("sxd.handler")
        for path, url, _ in _urls(app, values, api=False):
            before = _views(db, report["id"])
            if _shows_contact(operator.get(url).content):
                revealing.add(path)
                assert _views(db, report["id"]) - before == 1, f"page {url}: shows the contact unaudited"
            assert not _shows_contact(handler.get(url).content), f"page {url} shows the contact to a body"
        # The console shows a contact only behind its "show contact" button (a POST with the CSRF token).
        for path, url, _ in _urls(app, values, api=False, method="POST"):
            if path.endswith("/contact"):
                operator.get(url.removesuffix("/contact"))
                before = _views(db, report["id"])
                assert _shows_contact(operator.post(url).content), url
                revealing.add(path)
                assert _views(db, report["id"]) - before == 1
                handler.get(url.removesuffix("/contact"))
                assert not _shows_contact(handler.post(url).content)
    finally:
        operator.close()
        handler.close()
    assert revealing >= KNOWN, revealing
    assert any(not p.startswith("/api") for p in revealing), revealing  # the console's contact button
