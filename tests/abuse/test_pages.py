"""The abuse-list page, the held tab of the triage queue, and the sign-in page's 429."""

from __future__ import annotations

from paht.main import create_app
from tests.factories import idem, new_report_body
from tests.web.helpers import Browser

PAGE = "/quan-tri/danh-sach-lam-dung"


def test_an_operator_lists_a_phone_and_finds_its_report_under_the_held_tab(app, client):
    operator = Browser(app)
    operator.login("ioc.operator")
    assert operator.get(PAGE).status_code == 200
    added = operator.post(PAGE, {"kind": "phone", "value": "0905 222 333", "reason": "Báo tin giả nhiều lần"})
    assert added.status_code == 303, added.text[:300]
    listed = operator.get(PAGE)
    assert "+84905222333" in listed.text and "Báo tin giả nhiều lần" in listed.text
    report = client.post("/api/v1/reports", json=new_report_body(reporter={"phone": "0905222333"}), headers=idem())
    code = report.json()["code"]
    held = operator.get("/console/ioc/triage?state=held")
    assert code in held.text
    assert code not in operator.get("/console/ioc/triage").text  # not in the normal queue
    page = operator.get(f"/console/reports/{report.json()['id']}")
    assert 'id="action-release"' in page.text and 'id="action-dispatch"' not in page.text
    released = operator.post(f"/console/reports/{report.json()['id']}/actions/release", {"version": "1"})
    assert released.status_code == 303, released.text[:300]
    assert code in operator.get("/console/ioc/triage").text
    operator.close()


def test_a_bad_entry_is_shown_on_the_page_and_others_may_not_open_it(app):
    operator = Browser(app)
    operator.login("ioc.operator")
    operator.get(PAGE)
    refused = operator.post(PAGE, {"kind": "phone", "value": "12", "reason": "x"})
    assert refused.status_code == 422 and "không hợp lệ" in refused.text
    handler = Browser(app)
    handler.login("sxd.handler")
    assert handler.get(PAGE).status_code == 403
    operator.close()
    handler.close()


def test_the_sign_in_page_answers_429_with_retry_after_when_locked(settings, db):
    strict = settings.model_copy(update={"login_pair_failures": 2})
    visitor = Browser(create_app(strict, db, worker=False))
    visitor.get("/dang-nhap")
    for _ in range(2):
        assert visitor.post("/dang-nhap", {"username": "citizen.demo", "password": "sai"}).status_code == 401
    locked = visitor.post("/dang-nhap", {"username": "citizen.demo", "password": "sai"})
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert "thử lại" in locked.text
    visitor.close()
