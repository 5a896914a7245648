"""Issue 8 item 2: hostile input to the channel parsers either parses or is refused as documented.

- Facebook and Zalo `parse()` return messages or raise one of `ingress.UNPARSEABLE`, which the webhook
  stores as "unparsed" (200) — and a signed webhook carrying any of it never answers 5xx.
- The e-mail parser never raises (mime.py: "each step falls back instead of failing").
- Open311 POST /requests answers a request or the spec's error document (400/403/404), never 5xx.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paht.channels.base import Parsed
from paht.channels.email.mime import headers_only, parse_email
from paht.channels.facebook.adapter import FacebookAdapter
from paht.channels.ingress import UNPARSEABLE
from paht.channels.open311.keys import create_key
from paht.channels.zalo.adapter import ZaloAdapter
from paht.config import Settings
from paht.db import Database
from paht.main import create_app
from tests.fuzz.strategies import as_body, facebook_payloads, json_values, nasty_text, raw_emails, zalo_payloads

APP_SECRET = "fb-secret-fuzz"
ZALO_APP_ID = "2769342349583627382"
ZALO_SECRET = "zalo-secret-fuzz"
CHANNELS = {
    "facebook_app_secret": APP_SECRET,
    "facebook_page_token": "page-token",
    "zalo_app_id": ZALO_APP_ID,
    "zalo_oa_secret_key": ZALO_SECRET,
    "zalo_access_token": "zalo-token",
    # thousands of fuzz messages from a handful of senders must not meet the abuse limits
    "submit_limit_per_sender": 1_000_000,
    "submit_limit_per_ip": 1_000_000,
}
FACEBOOK, ZALO = FacebookAdapter(Settings(**CHANNELS)), ZaloAdapter(Settings(**CHANNELS))
PARSER_RUNS = settings(max_examples=200, derandomize=True, database=None, deadline=None)
HTTP_RUNS = settings(
    max_examples=40, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
)


def _parsed_or_refused(parse: Any, body: bytes) -> list[Parsed] | None:
    try:
        found = parse({}, body)
    except UNPARSEABLE:
        return None
    for message in found:  # what the inbox stores must survive the trip through its JSON column
        assert isinstance(message.external_id, str) and message.external_id
        assert isinstance(message.sender_id, str)
        payload = message.to_payload()
        assert Parsed.from_payload(json.loads(json.dumps(payload, allow_nan=False))) is not None
    return found


@PARSER_RUNS
@given(payload=facebook_payloads)
def test_facebook_payloads_parse_or_are_refused(payload: Any) -> None:
    _parsed_or_refused(FACEBOOK.parse, as_body(payload))


@PARSER_RUNS
@given(payload=zalo_payloads(ZALO_APP_ID))
def test_zalo_payloads_parse_or_are_refused(payload: Any) -> None:
    _parsed_or_refused(ZALO.parse, as_body(payload))


@settings(max_examples=100, derandomize=True, database=None, deadline=None)
@given(body=st.one_of(json_values.map(as_body), st.binary(max_size=200)))
def test_any_json_or_bytes_is_parsed_or_refused_by_both_webhooks(body: bytes) -> None:
    _parsed_or_refused(FACEBOOK.parse, body)
    _parsed_or_refused(ZALO.parse, body)


@pytest.mark.parametrize("stamp", [2**70, -(2**70), 2**63, 10**20, 1e300, -1e300, 10**17])
def test_timestamps_beyond_what_datetime_takes_are_refused_or_dropped(stamp: float) -> None:
    """Found by the fuzzer: 2**70 ms made datetime raise OSError (EOVERFLOW), which escaped the webhook."""
    message = {"mid": "m.1", "text": "Đèn hỏng"}
    facebook = {
        "object": "page",
        "entry": [{"messaging": [{"sender": {"id": "1"}, "timestamp": stamp, "message": message}]}],
    }
    zalo = {
        "app_id": ZALO_APP_ID,
        "event_name": "user_send_text",
        "sender": {"id": "1"},
        "timestamp": stamp,
        "message": {"msg_id": "z.1", "text": "Đèn hỏng"},
    }
    for parse, payload in ((FACEBOOK.parse, facebook), (ZALO.parse, zalo)):
        found = _parsed_or_refused(parse, as_body(payload))
        assert found is None or found[0].sent_at is None


def test_deeply_nested_json_is_refused_not_crashed() -> None:
    body = b"[" * 100_000 + b"]" * 100_000  # under the 1 MB webhook cap
    assert _parsed_or_refused(FACEBOOK.parse, body) is None
    assert _parsed_or_refused(ZALO.parse, body) is None


@settings(max_examples=300, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(raw=st.one_of(raw_emails(), st.binary(max_size=2000)))
def test_any_email_bytes_parse_without_raising(raw: bytes) -> None:
    mail = parse_email(raw, max_photo_bytes=1024)
    assert mail.parsed.external_id
    assert mail.parsed.text is None or isinstance(mail.parsed.text, str)
    assert all(len(data) <= 1024 for _, data in mail.photos)
    json.dumps(mail.parsed.to_payload(), allow_nan=False)
    assert headers_only(raw.split(b"\r\n\r\n", 1)[0]).parsed.external_id


# --- through HTTP, on every database: signed webhooks and Open311 forms ---------------------------------


@pytest.fixture
def channel_client(settings: Settings, db: Database):  # type: ignore[no-untyped-def]
    with TestClient(create_app(settings.model_copy(update=CHANNELS), db, worker=False)) as client:
        yield client


def _facebook_signature(body: bytes) -> dict[str, str]:
    digest = hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}


def test_signed_facebook_webhooks_never_answer_5xx(channel_client: TestClient) -> None:
    @HTTP_RUNS
    @given(payload=facebook_payloads)
    def post(payload: Any) -> None:
        body = as_body(payload)
        response = channel_client.post("/channels/facebook/webhook", content=body, headers=_facebook_signature(body))
        assert response.status_code == 200, response.text

    post()


def test_signed_zalo_webhooks_never_answer_5xx(channel_client: TestClient) -> None:
    from paht.clock import utc_now

    @HTTP_RUNS
    @given(payload=zalo_payloads(ZALO_APP_ID))
    def post(payload: Any) -> None:
        payload = payload if isinstance(payload, dict) else {"event": payload}
        payload["timestamp"] = str(int(utc_now().timestamp() * 1000))  # exactly one fresh stamp to sign
        body = as_body(payload)
        stamp = str(payload["timestamp"]).encode()
        mac = hashlib.sha256(ZALO_APP_ID.encode() + body + stamp + ZALO_SECRET.encode()).hexdigest()
        headers = {"X-ZEvent-Signature": f"mac={mac}", "Content-Type": "application/json"}
        response = channel_client.post("/channels/zalo/webhook", content=body, headers=headers)
        assert response.status_code in (200, 403), response.text  # 403: a nested "timestamp" makes two stamps

    post()


OPEN311_FIELDS = [
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "description",
    "email",
    "phone",
    "first_name",
    "last_name",
    "media_url",
    "attribute[khan_cap]",
    "attribute[tieu_de]",
    "jurisdiction_id",
]
open311_values = st.one_of(
    nasty_text,
    st.sampled_from(["", "16.46", "107.59", "nan", "inf", "-1e309", "91", "co", "khong", "0905123456"]),
    st.sampled_from(["https://x.vn/a.jpg", "a@b.vn", "CHIEU_SANG", "RAC_THAI", "CHIEU_SANG", "chieu-sang"]),
)


def test_open311_forms_answer_a_request_or_the_spec_error(channel_client: TestClient, db: Database) -> None:
    with db.write() as session:
        _, api_key = create_key(session, name="Ứng dụng thử (fuzz)")

    @HTTP_RUNS
    @given(form=st.dictionaries(st.sampled_from(OPEN311_FIELDS), open311_values, max_size=9))
    def post(form: dict[str, str]) -> None:
        response = channel_client.post("/open311/v2/requests.json", data={**form, "api_key": api_key})
        assert response.status_code in (200, 400, 404), response.text
        answer = response.json()
        assert isinstance(answer, list) and answer, answer
        if response.status_code != 200:
            assert set(answer[0]) == {"code", "description"}

    post()
