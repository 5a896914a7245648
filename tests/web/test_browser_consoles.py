"""The hotline form, the deadline board, the admin pages, the language switch and the phone layout, in a browser."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from paht.clock import set_now, utc_now
from tests.flow import Flow

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
DONE = ".notice.success[role=status]"


def test_an_operator_records_a_hotline_call_in_a_few_keystrokes(people):
    ioc = people("ioc")
    page = ioc.login("ioc.operator")
    page = ioc.go("/console/ioc/hotline", "01-hotline-form")
    expect(page.locator("#f-phone")).to_be_focused()
    page.keyboard.type("Ống nước vỡ trước chợ Đông Ba, nước chảy tràn ra đường")  # typed into the wrong field first
    page.fill("#f-phone", "")
    page.fill("#f-description", "Ống nước vỡ trước chợ Đông Ba, nước chảy tràn ra đường.")
    page.select_option("#f-category_id", label="Cấp nước")
    page.check("input[name=consent]")
    ioc.without_browser_validation()
    page.click("form[action='/console/ioc/hotline'] button[type=submit]")
    expect(page.locator("#phone-error")).to_be_visible()
    expect(page.locator("#f-description")).to_have_value("Ống nước vỡ trước chợ Đông Ba, nước chảy tràn ra đường.")
    expect(page.locator("#f-category_id option:checked")).to_have_text("Cấp nước")
    ioc.shot("02-hotline-error-kept")
    page.fill("#f-phone", "0234 3822 123")
    page.click("#hotline-map", position={"x": 260, "y": 200})
    page.fill("#f-address", "Chợ Đông Ba")
    page.click("form[action='/console/ioc/hotline'] button[type=submit]")
    expect(page.locator(DONE)).to_contain_text("Đã ghi nhận cuộc gọi")
    expect(page.locator(".report header")).to_contain_text("Đường dây nóng")
    expect(page.locator("h1 .code")).to_have_text(re.compile(r"PA-[0-9A-Z]{8}"))
    # The category's default body (the water company) is offered first for dispatch.
    expect(page.locator("#dispatch-organization_id option:checked")).to_contain_text("Cấp nước Thừa Thiên Huế")
    ioc.shot("03-hotline-recorded")


def test_the_deadline_board_shows_running_clocks_at_risk_and_overdue_by_body(people, client, personas, db):
    flow = Flow(client, personas, db)
    flow.to_state("received")
    flow.to_state("dispatched")
    flow.to_state("processing")
    late = flow.to_state("dispatched")
    # Forty minutes later the two acknowledgements (30 min) and the dispatch (30 min) are overdue.
    set_now(utc_now() + timedelta(minutes=40))
    ioc = people("ioc")
    ioc.login("ioc.operator")
    page = ioc.go("/console/ioc/deadlines", "01-deadline-board")
    expect(page.locator("#kpi-running")).to_have_text("4")
    expect(page.locator("#kpi-overdue")).to_have_text("3")
    sxd = page.locator("#by-body tr", has_text="Sở Xây dựng")
    expect(sxd.locator("td").nth(1)).to_have_text("3")
    expect(sxd.locator("td").nth(3)).to_have_text("2")
    page.select_option("#f-status", "overdue")
    page.click("form[action='/console/ioc/deadlines'] button[type=submit]")
    expect(page.locator("#deadline-table tbody tr")).to_have_count(3)
    expect(page.locator("#deadline-table")).to_contain_text(late["code"])
    expect(page.locator("#deadline-table .countdown.overdue").first).to_contain_text("quá hạn")
    ioc.shot("02-deadline-board-overdue")


def test_an_administrator_manages_organisations_users_and_categories(people):
    admin = people("admin")
    page = admin.login("admin")
    expect(page).to_have_url(re.compile("/console/admin/organizations"))
    expect(page.locator("#org-PHUHOI summary")).to_contain_text("— ")  # under UBNDTP in the tree
    admin.shot("01-organisations")
    form = page.locator("#new-organization")
    form.locator("#f-code").fill("PHU CAT")
    form.locator("#f-name").fill("UBND phường Phú Cát")
    form.locator("#f-kind").select_option("commune")
    form.locator("#f-parent").select_option(label="UBNDTP — UBND thành phố Huế")
    form.locator("button[type=submit]").click()
    expect(page.locator(".notice.error")).to_contain_text("Mã đơn vị")
    expect(page.locator("#new-organization #f-name")).to_have_value("UBND phường Phú Cát")
    admin.shot("02-organisation-error-kept")
    page.locator("#new-organization #f-code").fill("PHUCAT")
    page.locator("#new-organization button[type=submit]").click()
    expect(page.locator(DONE)).to_be_visible()
    expect(page.locator("#org-PHUCAT")).to_contain_text("UBND phường Phú Cát")

    page = admin.go("/console/admin/users")
    form = page.locator("#new-user")
    form.locator("#f-username").fill("phucat.handler")
    form.locator("#f-full_name").fill("Cán bộ Phú Cát")
    form.locator("#f-organization_id").select_option(label="PHUCAT — UBND phường Phú Cát")
    form.locator("input[name=roles][value=handler]").check()
    form.locator("#f-password").fill("mat-khau-tam-thoi")
    form.locator("button[type=submit]").click()
    expect(page.locator(DONE)).to_be_visible()
    row = page.locator("#user-phucat\\.handler")
    expect(row).to_contain_text("Cán bộ xử lý")
    row.locator("summary").click()
    row.locator("form[action$='/password'] button").click()
    expect(page.locator("#new-password")).to_contain_text("phucat.handler")
    password = page.locator("#new-password .code").inner_text()
    admin.shot("03-users-password-reset")

    # The new account signs in with the new password; once disabled, it cannot.
    officer = people("officer")
    page2 = officer.login("phucat.handler", password)
    expect(page2).to_have_url(re.compile("/console/body/inbox"))
    page = admin.go("/console/admin/users?q=phucat")
    row = page.locator("#user-phucat\\.handler")
    row.locator("summary").click()
    row.locator("form[action$='/active'] button").click()
    expect(page.locator(DONE)).to_contain_text("vô hiệu hoá")
    page2 = officer.go("/console/body/inbox")
    expect(page2).to_have_url(re.compile("/dang-nhap"))

    page = admin.go("/console/admin/categories")
    row = page.locator("#category-CAP_NUOC")
    row.locator("input[name=resolve_working_days]").fill("0")
    admin.without_browser_validation()
    row.locator("button[type=submit]").click()
    expect(page.locator(".notice.error")).to_contain_text("Thời hạn xử lý")
    row = page.locator("#category-CAP_NUOC")
    expect(row.locator("input[name=resolve_working_days]")).to_have_value("0")
    row.locator("input[name=resolve_working_days]").fill("3")
    row.locator("select[name=default_organization_id]").select_option(label="UBND thành phố Huế")
    row.locator("button[type=submit]").click()
    expect(page.locator(DONE)).to_be_visible()
    expect(page.locator("#category-CAP_NUOC input[name=resolve_working_days]")).to_have_value("3")
    expect(page.locator("#category-CAP_NUOC select[name=default_organization_id] option:checked")).to_have_text(
        "UBND thành phố Huế"
    )
    admin.shot("04-categories")


def test_the_language_switch_turns_the_pages_to_english_and_back(people):
    visitor = people("visitor")
    page = visitor.go("/")
    expect(page.locator(".mainnav")).to_contain_text("Gửi phản ánh")
    page.click(".languages a[lang=en]")
    expect(page.locator(".mainnav")).to_contain_text("Send a report")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page = visitor.go("/gui-phan-anh", "01-submit-in-english")
    expect(page.locator("h1")).to_have_text("Send a report")
    expect(page.locator("label[for=f-description]")).to_contain_text("What is the problem?")
    visitor.login("ioc.operator")
    expect(page.locator("h1")).to_have_text("Triage: reports waiting for the IOC")
    visitor.shot("02-triage-in-english")
    page.click(".languages a[lang=vi]")
    expect(page.locator("h1")).to_have_text("Tiếp nhận: phản ánh chờ IOC xử lý")


def test_the_portal_fits_a_phone_screen(people):
    phone = people("phone", phone=True)
    for path, name in (("/", "01-home-phone"), ("/gui-phan-anh", "02-submit-phone"), ("/ket-qua", "03-results-phone")):
        page = phone.go(path, name)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    page = phone.go("/")
    expect(page.locator(".mainnav")).to_be_hidden()
    page.click(".menu-button")
    expect(page.locator(".mainnav")).to_be_visible()
