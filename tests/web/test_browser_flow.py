"""One report from the public form through every console to its public result, in a real browser.

The citizen sends it; the IOC operator dispatches it to the wrong body (Phú Hội ward), whose handler
returns it naming the right one; the IOC re-dispatches it; HEPCO's handler acknowledges and submits
a result with a photo; HEPCO's leader sends it back once, then edits and approves; the IOC editor
publishes; the citizen finds the result and rates it. Every page visited is saved as a screenshot.
"""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

DESCRIPTION = "Đèn đường trước số 12 Lê Lợi không sáng đã ba đêm, đoạn đường rất tối."
PHONE = "0905 111 222"
EMAIL = "nguoi.phan.anh@example.vn"
DONE = ".notice.success[role=status]"


def photo(tmp_path, name: str, colour: tuple[int, int, int]) -> str:
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def submit_report(citizen, tmp_path) -> str:
    page = citizen.go("/gui-phan-anh", "01-submit-form")
    page.fill("#f-description", DESCRIPTION)
    page.select_option("#f-category_id", label="Chiếu sáng công cộng")
    page.click("#pick-map", position={"x": 220, "y": 140})
    expect(page.locator("#f-lat")).not_to_have_value("")
    page.fill("#f-address", "12 Lê Lợi, phường Phú Hội")
    page.set_input_files("#f-photos", [photo(tmp_path, "den.jpg", (40, 40, 60))])
    page.fill("#f-phone", PHONE)
    page.fill("#f-email", EMAIL)
    expect(page.locator("input[name=consent]")).not_to_be_checked()  # unticked by default
    page.click("form[action='/gui-phan-anh'] button[type=submit]")
    # Without consent the form comes back with the error, and with everything typed kept.
    expect(page.locator("#consent-error")).to_be_visible()
    expect(page.locator("#f-description")).to_have_value(DESCRIPTION)
    expect(page.locator("#f-phone")).to_have_value(PHONE)
    expect(page.locator("#f-category_id option:checked")).to_have_text("Chiếu sáng công cộng")
    expect(page.locator("#f-lat")).not_to_have_value("")
    citizen.shot("02-submit-error-kept")
    page.check("input[name=consent]")
    page.set_input_files("#f-photos", [photo(tmp_path, "den.jpg", (40, 40, 60))])
    page.click("form[action='/gui-phan-anh'] button[type=submit]")
    expect(page.locator("#tracking-code")).to_be_visible()
    citizen.shot("03-submitted")
    return page.locator("#tracking-code").inner_text().strip()


def test_a_report_travels_from_the_portal_through_every_console_to_its_rated_result(people, tmp_path):
    citizen = people("citizen")
    code = submit_report(citizen, tmp_path)
    assert re.fullmatch(r"PA-[0-9A-Z]{8}", code)

    # The IOC operator sees it in the triage queue, reads the contact (audited) and dispatches it — wrongly.
    ioc = people("ioc")
    page = ioc.login("ioc.operator")
    expect(page).to_have_url(re.compile("/console/ioc/triage"))
    row = page.locator(f"tr[data-code='{code}']")
    expect(row).to_contain_text("Cổng thông tin")
    expect(row.locator(".countdown")).to_be_visible()
    ioc.shot("04-triage")
    row.locator("a.queue-item").click()
    expect(page.locator("#panel h1")).to_contain_text(code)
    expect(page.locator("#panel .photos img")).to_have_count(1)
    page.locator("#panel #contact button").click()
    expect(page.locator("#contact-details")).to_contain_text("+84905111222")
    ioc.shot("05-triage-report-with-contact")
    page.fill("#panel [data-picker-search='dispatch-organization_id']", "phu hoi")
    expect(page.locator("#panel #dispatch-organization_id")).to_have_value(re.compile(r"\d+"))
    assert "Phú Hội" in page.locator("#panel #dispatch-organization_id option:checked").inner_text()
    page.click("#panel #action-dispatch button[type=submit]")
    expect(page.locator(DONE)).to_be_visible()
    expect(page.locator(f"tr[data-code='{code}']")).to_have_count(0)
    report_url = None

    # Phú Hội's handler returns it: first without naming the right body (error, reason kept), then properly.
    ward = people("ward")
    page = ward.login("phuhoi.handler")
    expect(page).to_have_url(re.compile("/console/body/inbox"))
    ward.shot("06-wrong-body-inbox")
    page.locator(f"tr[data-code='{code}'] a.code").click()
    report_url = page.url.split("?")[0].removeprefix(ward.base)
    page.click("#action-return summary")
    page.fill("#return-reason", "Đèn đường do Công ty Môi trường và Công trình đô thị quản lý.")
    ward.without_browser_validation()
    page.click("#action-return button[type=submit]")
    expect(page.locator("#suggested_organization_id-error")).to_be_visible()
    expect(page.locator("#return-reason")).to_have_value(
        "Đèn đường do Công ty Môi trường và Công trình đô thị quản lý."
    )
    ward.shot("07-return-error-kept")
    page.fill("[data-picker-search='return-suggested_organization_id']", "moi truong va cong trinh")
    page.click("#action-return button[type=submit]")
    expect(page.locator(DONE)).to_contain_text("trả phản ánh về IOC")

    # The IOC sees where it came from, why, and the suggested body first; re-dispatches.
    page = ioc.go("/console/ioc/triage?state=returned")
    row = page.locator(f"tr[data-code='{code}']")
    expect(row).to_contain_text("UBND phường Phú Hội")
    expect(row).to_contain_text("Công ty CP Môi trường và Công trình đô thị Huế")
    row.locator("a.queue-item").click()
    expect(page.locator("#panel #returned-info")).to_contain_text("Đèn đường do Công ty")
    suggested = page.locator("#panel #dispatch-organization_id option:checked")
    expect(suggested).to_contain_text("do đơn vị trả lại đề xuất")
    ioc.shot("08-returned-with-suggestion")
    page.click("#panel #action-dispatch button[type=submit]")
    expect(page.locator(DONE)).to_be_visible()

    # HEPCO's handler acknowledges from the inbox (with its live countdown), then submits a result with a photo.
    hepco = people("hepco")
    page = hepco.login("hepco.handler")
    row = page.locator(f"tr[data-code='{code}']")
    expect(row.locator(".countdown")).to_contain_text("còn lại")
    hepco.shot("09-inbox-countdown")
    row.locator("button[type=submit]").click()
    expect(page.locator(DONE)).to_contain_text("Đã xác nhận tiếp nhận")
    page = hepco.go("/console/body/processing", "10-processing")
    page.locator(f"tr[data-code='{code}'] a.code").click()
    page.fill("#submit_result-result", "Đã thay bóng đèn.")
    page.set_input_files("#submit_result-photos", [photo(tmp_path, "xong.jpg", (250, 220, 120))])
    hepco.shot("11-submit-result")
    page.click("#action-submit_result button[type=submit]")
    expect(page.locator(DONE)).to_be_visible()
    expect(page.locator("#result .photos img")).to_have_count(1)

    # HEPCO's leader sends it back once…
    leader = people("leader")
    page = leader.login("hepco.leader")
    expect(page).to_have_url(re.compile("/console/body/approvals"))
    page.locator(f"tr[data-code='{code}'] a").first.click()
    leader.shot("12-approval")
    page.click("#action-send_back summary")
    page.fill("#send_back-reason", "Cần ghi rõ thời gian thay và loại bóng đèn.")
    page.click("#action-send_back button[type=submit]")
    expect(page.locator(DONE)).to_be_visible()

    # … the handler resubmits …
    page = hepco.go(report_url)
    expect(page.locator(".timeline")).to_contain_text("Cần ghi rõ thời gian thay")
    page.fill("#submit_result-result", "Đã thay bóng đèn LED 100W lúc 16:00.")
    page.click("#action-submit_result button[type=submit]")
    expect(page.locator(DONE)).to_be_visible()

    # … and the leader edits the result and approves it.
    page = leader.go(report_url)
    page.click("#action-edit-approve summary")
    page.fill("#approve-result", "Đã thay bóng đèn LED 100W lúc 16:00 ngày hôm nay; đèn đã sáng.")
    page.click("#action-edit-approve button[type=submit]")
    expect(page.locator(DONE)).to_contain_text("phê duyệt")
    leader.shot("13-approved")

    # The IOC editor sees the three versions side by side, edits the public title and publishes.
    editor = people("editor")
    page = editor.login("ioc.editor")
    page.locator(f"a[href$='{report_url.rsplit('/', 1)[-1]}']").first.click()
    expect(page.locator("#col-officer")).to_contain_text("LED 100W lúc 16:00")
    expect(page.locator("#col-leader ins")).to_contain_text("ngày")
    page.fill("#f-title", "Sửa đèn đường trước số 12 Lê Lợi")
    expect(page.locator("#diff-title ins")).to_contain_text("Sửa")
    editor.shot("14-editor-side-by-side")
    page.click("#public-version button[type=submit]")
    expect(page.locator(DONE)).to_contain_text("công khai")

    # Back on the portal: the result, the body, the steps, and the rating form (the secret is in this browser).
    page = citizen.go(f"/ket-qua/{code}")
    expect(page.locator("h1")).to_have_text("Sửa đèn đường trước số 12 Lê Lợi")
    expect(page.locator("body")).to_contain_text("Công ty CP Môi trường và Công trình đô thị Huế")
    expect(page.locator("body")).to_contain_text("Đã thay bóng đèn LED 100W lúc 16:00 ngày hôm nay")
    expect(page.locator("ol.steps li.done")).to_have_count(6)
    expect(page.locator(".photos img")).to_have_count(2)
    expect(page.locator("#rating-form")).to_be_visible()
    citizen.shot("15-public-result-with-rating-form")
    html = page.content()
    for private in ("0905111222", "905 111 222", EMAIL, "+84905111222"):
        assert private not in html
    page.check("input[name=rating][value='5']")
    page.fill("#f-comment", "Xử lý nhanh, cảm ơn.")
    page.click("#rating-form button[type=submit]")
    expect(page.locator(DONE)).to_contain_text("Cảm ơn bạn đã đánh giá")
    expect(page.locator("#rating")).to_contain_text("5 trên 5")
    citizen.shot("16-rated")

    # Tracking by code shows every step; neither it nor the results list shows contact details.
    for path in (f"/tra-cuu?code={code.lower()}", "/ket-qua", "/"):
        page = citizen.go(path)
        html = page.content()
        assert code in html
        for private in ("0905111222", EMAIL):
            assert private not in html
    citizen.shot("17-tracking")

    # An officer of a body that never held the report gets "not found".
    other = people("other")
    other.login("sxd.handler")
    page = other.go(report_url)
    assert other.last_status == 404
    expect(page.locator("h1")).to_have_text("Không tìm thấy")
    other.shot("18-other-body-not-found")
