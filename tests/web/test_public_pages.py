"""The public portal without a browser engine: forms, idempotent submission, tracking, results, rating, privacy."""

from __future__ import annotations

import io
import re

from PIL import Image
from sqlalchemy import func, select

from paht.models import Attachment, Report
from tests.flow import Flow

SECRET_NAME = "Trần Bí Mật"
SECRET_PHONE = "0905 765 432"
SECRET_EMAIL = "bi.mat@example.vn"


def jpeg(colour=(200, 30, 30)) -> bytes:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def form(**overrides: str) -> dict[str, str]:
    values = {
        "description": "Cây đổ chắn ngang đường Hùng Vương sau cơn giông.",
        "title": "Cây đổ trên đường Hùng Vương",
        "lat": "16.46512",
        "lon": "107.59876",
        "address": "Hùng Vương, phường Phú Hội",
        "name": SECRET_NAME,
        "phone": SECRET_PHONE,
        "email": SECRET_EMAIL,
        "consent": "on",
        "submission_key": "key-1",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def test_the_submit_form_keeps_what_was_typed_and_says_what_is_wrong(browser, db):
    visitor = browser(None)
    page = visitor.get("/gui-phan-anh")
    assert 'name="consent" value="on"  >' in page.text or 'name="consent" value="on" >' in page.text  # unticked
    response = visitor.post("/gui-phan-anh", form(consent=None, phone="12", email=""))
    assert response.status_code == 422
    assert "đồng ý cho xử lý dữ liệu cá nhân" in response.text
    assert "số điện thoại không hợp lệ" in response.text
    assert "Cây đổ chắn ngang đường Hùng Vương sau cơn giông.</textarea>" in response.text
    assert 'value="Cây đổ trên đường Hùng Vương"' in response.text
    assert 'value="16.46512"' in response.text and 'value="key-1"' in response.text
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == 0


def test_a_report_is_submitted_once_however_often_the_form_is_sent(browser, db):
    visitor = browser(None)
    visitor.get("/gui-phan-anh")
    photos = [("photos", ("a.jpg", jpeg(), "image/jpeg")), ("photos", ("b.jpg", jpeg((0, 90, 0)), "image/jpeg"))]
    first = visitor.post("/gui-phan-anh", form(), files=photos)
    assert first.status_code == 200, first.text
    code = re.search(r'id="tracking-code">(PA-[0-9A-Z]{8})<', first.text).group(1)
    token = re.search(r'data-save-reporter-token="([^"]+)"', first.text).group(1)
    again = visitor.post("/gui-phan-anh", form(), files=photos)
    assert code in again.text and token in again.text
    with db.read() as session:
        report = session.scalar(select(Report))
        assert session.scalar(select(func.count()).select_from(Report)) == 1
        assert report.code == code and report.channel == "web" and report.reporter_phone == "+84905765432"
        assert session.scalar(select(func.count()).select_from(Attachment)) == 2


def test_photos_are_checked_and_the_form_comes_back_when_one_is_not_an_image(browser, db):
    visitor = browser(None)
    visitor.get("/gui-phan-anh")
    bad = visitor.post("/gui-phan-anh", form(), files=[("photos", ("x.jpg", b"not an image", "image/jpeg"))])
    assert bad.status_code == 415
    assert 'id="photos-error"' in bad.text and "Vui lòng chọn lại ảnh" in bad.text
    too_many = visitor.post(
        "/gui-phan-anh",
        form(submission_key="key-2"),
        files=[("photos", (f"{i}.jpg", jpeg(), "image/jpeg")) for i in range(6)],
    )
    assert too_many.status_code == 422 and "Tối đa 5 ảnh" in too_many.text
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == 0
    # The same key works once the form is corrected: a failed attempt does not burn it.
    fixed = visitor.post("/gui-phan-anh", form())
    assert fixed.status_code == 200 and "tracking-code" in fixed.text


def test_tracking_by_code_shows_the_state_and_the_steps(browser, client, personas, db):
    flow = Flow(client, personas, db)
    report = flow.to_state("processing")
    visitor = browser(None)
    page = visitor.get(f"/tra-cuu?code={report['code'].lower()}")
    assert page.status_code == 200
    assert "Đang xử lý" in page.text and "Sở Xây dựng" in page.text
    assert page.text.count('class="done"') == 3  # received, dispatched, acknowledged
    missing = visitor.get("/tra-cuu?code=PA-00000000")
    assert missing.status_code == 404 and "Không có phản ánh nào với mã này" in missing.text
    assert 'value="PA-00000000"' in missing.text


def test_public_pages_never_show_who_reported(browser, client, personas, db):
    flow = Flow(client, personas, db)
    published = flow.to_state("published")
    mine = flow.to_state("published", reporter={"name": SECRET_NAME, "phone": SECRET_PHONE, "email": SECRET_EMAIL})
    visitor = browser(None)
    pages = [
        "/",
        "/ket-qua",
        f"/ket-qua/{mine['code']}",
        f"/ket-qua/{published['code']}",
        f"/tra-cuu?code={mine['code']}",
        "/ket-qua/ban-do.json",
    ]
    for path in pages:
        text = visitor.get(path).text
        assert mine["code"] in text or path.endswith(published["code"]), path
        for private in (SECRET_NAME, "905765432", "0905 765 432", SECRET_EMAIL, "Lê Văn Planted", "planted@example.vn"):
            assert private not in text, (path, private)


def test_the_results_list_filters_and_the_map_gets_public_precision_only(browser, client, personas, db):
    flow = Flow(client, personas, db)
    report = flow.to_state("published")
    flow.to_state("approved")  # not published: never listed
    visitor = browser(None)
    listed = visitor.get("/ket-qua")
    assert report["code"] in listed.text and listed.text.count('class="result-card"') == 1
    other_body = visitor.get(f"/ket-qua?body={flow.orgs['PHUHOI']}")
    assert report["code"] not in other_body.text and "Không có kết quả công khai nào" in other_body.text
    assert report["code"] in visitor.get(f"/ket-qua?body={flow.orgs['SXD']}").text
    markers = visitor.get("/ket-qua/ban-do.json").json()
    assert markers == [
        {
            "code": report["code"],
            "title": "Đèn đường hỏng",
            "lat": 16.464,
            "lon": 107.591,
            "url": f"/ket-qua/{report['code']}",
        }
    ]
    assert visitor.get("/ket-qua?period_from=2000-01-01&period_to=2000-01-02").text.count('class="result-card"') == 0


def test_a_result_page_exists_only_once_published(browser, client, personas, db):
    flow = Flow(client, personas, db)
    approved = flow.to_state("approved")
    response = browser(None).get(f"/ket-qua/{approved['code']}")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.text


def test_the_reporter_rates_once_with_the_secret_from_submission(browser, client, personas, db):
    flow = Flow(client, personas, db)
    created = flow.submit()
    for persona, action, payload in (
        ("ioc_operator", "dispatch", {"organization_id": flow.orgs["SXD"]}),
        ("handler_a", "acknowledge", {}),
        ("handler_a", "submit_result", {"result": "Xong."}),
        ("leader_a", "approve", {}),
        ("ioc_editor", "publish", {}),
    ):
        flow.act(created, persona, action, **payload)
    visitor = browser(None)
    page = visitor.get(f"/ket-qua/{created['code']}")
    assert 'id="rating-form"' in page.text and f'data-reporter-token-for="{created["code"]}"' in page.text
    url = f"/ket-qua/{created['code']}/danh-gia"
    wrong = visitor.post(url, {"rating": "4", "reporter_token": "not-it"})
    assert wrong.status_code == 403 and "mã bí mật không khớp" in wrong.text
    assert 'value="4" checked' in wrong.text
    no_stars = visitor.post(url, {"rating": "", "reporter_token": created["reporter_token"]})
    assert no_stars.status_code == 422 and "từ 1 đến 5 sao" in no_stars.text
    ok = visitor.post(url, {"rating": "5", "comment": "Rất nhanh", "reporter_token": created["reporter_token"]})
    assert ok.status_code == 303 and ok.headers["location"] == f"/ket-qua/{created['code']}?rated=1"
    shown = visitor.get(ok.headers["location"])
    assert "Cảm ơn bạn đã đánh giá" in shown.text and "5 trên 5" in shown.text and 'id="rating-form"' not in shown.text
    twice = visitor.post(url, {"rating": "1", "reporter_token": created["reporter_token"]})
    assert twice.status_code == 409
    with db.read() as session:
        assert session.scalar(select(Report.rating).where(Report.code == created["code"])) == 5


def test_a_signed_in_citizen_rates_their_own_report_without_a_secret(browser, client, personas, db):
    flow = Flow(client, personas, db)
    report = flow.to_state("published", persona="citizen")
    citizen = browser("citizen.demo")
    page = citizen.get(f"/ket-qua/{report['code']}")
    assert 'name="reporter_token" value=""' in page.text and "data-reporter-token-for" not in page.text
    rated = citizen.post(f"/ket-qua/{report['code']}/danh-gia", {"rating": "3"})
    assert rated.status_code == 303
    mine = citizen.get("/cua-toi")
    assert report["code"] in mine.text
    other = browser("citizen.b")
    assert report["code"] not in other.get("/cua-toi").text


def test_results_are_searched_without_diacritics(browser, client, personas, db):
    flow = Flow(client, personas, db)
    report = flow.to_state("published")
    visitor = browser(None)
    found = visitor.get("/ket-qua?q=den+duong+hong")
    assert report["code"] in found.text
    assert 'value="den duong hong"' in found.text
    assert report["code"] not in visitor.get("/ket-qua?q=cay+xanh").text
    assert [m["code"] for m in visitor.get("/ket-qua/ban-do.json?q=%C4%91%C3%A8n").json()] == [report["code"]]
    empty = visitor.get("/ket-qua?q=%21%21%21")
    assert empty.status_code == 200 and 'id="q-error"' in empty.text
