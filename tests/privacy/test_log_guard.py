"""The log guard itself (tests/pii_log_guard.py): it recognises the canaries however they are written,
and it sees what the application logs."""

from __future__ import annotations

import logging
import unicodedata

import pytest

from tests.pii_log_guard import GUARD, find_canary


@pytest.mark.parametrize(
    "text",
    [
        "gọi 0912 345 678",
        "sender +84912345678 refused",
        "84-912-345-678",
        "(0912) 345.678",
        unicodedata.normalize("NFD", "Người gửi: Nguyễn Văn Canary-7f3a"),
        "to=CANARY-7F3A@example.vn",
        "Lê Văn Planted",
        "planted@example.vn",
        "citizen.b@example.vn",
    ],
)
def test_every_spelling_of_a_canary_is_recognised(text):
    assert find_canary(text) is not None


@pytest.mark.parametrize(
    "text", ["job 12 failed: IntegrityError", "report PA-7F3A0912 dispatched", "10912345678", "0912 345 6789"]
)
def test_other_text_is_not(text):
    assert find_canary(text) is None


def test_a_logged_canary_is_caught_with_its_traceback():
    logger = logging.getLogger("paht.test_guard")
    before = GUARD.checked
    logger.debug("nothing personal here")
    try:
        raise ValueError("reporter_phone='+84912345678'")
    except ValueError:
        logger.exception("could not store the report")
    hits = GUARD.drain()  # taken back, so that this test itself passes the guard
    assert GUARD.checked == before + 2
    assert [(h.logger, h.canary) for h in hits] == [("paht.test_guard", "+84912345678")]
