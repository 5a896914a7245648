"""In a browser: an IOC operator without a second factor sets up TOTP at sign-in, then signs in with a code."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from paht.auth import totp
from paht.clock import utc_now
from paht.users.service import create_user

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_an_operator_sets_up_totp_and_signs_in_with_it(people, db):
    with db.write() as session:
        create_user(session, username="ioc.new", full_name="Điều hành viên mới", roles=["ioc_operator"],
                    organization_code="IOC", password="k7#vQ2mz-ioc")  # fmt: skip
    operator = people("operator")
    page = operator.go("/dang-nhap")
    page.fill("#f-username", "ioc.new")
    page.fill("#f-password", "k7#vQ2mz-ioc")
    page.click("form[action='/dang-nhap'] button[type=submit]")
    expect(page.locator(".totp-qr svg")).to_be_visible()
    operator.shot("01-enrolment")
    secret = page.locator("#totp-secret").inner_text()
    page.fill("#f-code", totp.code_at(secret, utc_now()))
    page.click("form[action='/dang-nhap/xac-thuc'] button[type=submit]")
    expect(page.locator(".account .who")).to_have_text("Điều hành viên mới")
    expect(page).to_have_url(operator.base + "/console/ioc/triage")
    operator.logout()
    page = operator.go("/dang-nhap")
    page.fill("#f-username", "ioc.new")
    page.fill("#f-password", "k7#vQ2mz-ioc")
    page.click("form[action='/dang-nhap'] button[type=submit]")
    expect(page.locator("#f-code")).to_be_focused()
    operator.shot("02-code")
    # The first code's 30-second step is spent (a code works once): the next step's code, within the drift allowed.
    page.fill("#f-code", totp.code_at(secret, utc_now() + timedelta(seconds=30)))
    page.click("form[action='/dang-nhap/xac-thuc'] button[type=submit]")
    expect(page.locator(".account .who")).to_be_visible()
