"""Playwright on Debian's Chromium (headless, no sandbox: CI runs as root), with a screenshot of every page visited."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "web"
PASSWORD = "demo12345"


def launch() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        raise RuntimeError(
            f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install chromium`; .ci/run does)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Session:
    """One person in one browser context (own cookies and local storage)."""

    base: str
    context: BrowserContext
    page: Page
    shots: Path
    errors: list[str] = field(default_factory=list)
    db: Any = None  # the live server's Database: the demo TOTP codes skip steps its replay guard has seen

    def go(self, path: str, shot: str | None = None) -> Page:
        response = self.page.goto(self.base + path)
        assert response is not None
        self.last_status = response.status
        if shot:
            self.shot(shot)
        return self.page

    def shot(self, name: str) -> Path:
        self.shots.mkdir(parents=True, exist_ok=True)
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def login(self, username: str, password: str = PASSWORD) -> Page:
        self.go("/dang-nhap")
        self.page.fill("#f-username", username)
        self.page.fill("#f-password", password)
        self.page.click("form[action='/dang-nhap'] button[type=submit]")
        expect(self.page.locator(".account .who, #f-code").first).to_be_visible()
        if self.page.locator("#f-code").count():  # the account's second factor: the demo TOTP key's code
            self.page.fill("#f-code", self.demo_code(username))
            self.page.click("form[action='/dang-nhap/xac-thuc'] button[type=submit]")
            expect(self.page.locator(".account .who")).to_be_visible()
        return self.page

    def demo_code(self, username: str) -> str:
        from tests.factories import demo_totp_code

        assert self.db is not None, "open_session(..., db=) to sign in with a second factor"
        with self.db.write() as session:
            return demo_totp_code(session, username)

    def logout(self) -> None:
        self.page.click(".account form button")
        expect(self.page.locator(".account .signin")).to_be_visible()

    def without_browser_validation(self) -> None:
        """Send forms as a client without HTML5 checks would, to see the server's own error messages."""
        self.page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")


def open_session(browser: Browser, base: str, folder: str, *, phone: bool = False, db: Any = None) -> Session:
    viewport = {"width": 390, "height": 844} if phone else {"width": 1366, "height": 900}
    context = browser.new_context(viewport=viewport, locale="vi-VN", is_mobile=phone, has_touch=phone)
    context.set_default_timeout(15_000)
    page = context.new_page()
    session = Session(base, context, page, ARTIFACTS / folder, db=db)
    page.on("pageerror", lambda exc: session.errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            session.errors.append(msg.text)
            if msg.type == "error" and not re.search(r"favicon|status of 4\d\d", msg.text)
            else None
        ),
    )
    return session
