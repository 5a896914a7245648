"""Channel fixtures: the providers, an SMTP sink and an IMAP server on loopback, and settings that use them."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from paht.clock import set_now
from paht.config import Settings
from paht.db import Database
from paht.jobs.worker import run_pending
from paht.main import create_app
from tests.channels.fakes import GRAPH_VERSION, ImapServer, Providers, SmtpSink

FIXTURES = Path(__file__).parent / "fixtures"
APP_SECRET = "fb-app-secret-for-tests"
VERIFY_TOKEN = "xac-minh-webhook"
ZALO_APP_ID = "2769342349583627382"
ZALO_SECRET = "zalo-oa-secret-key-for-tests"
PUBLIC_MAILBOX = "phananh@paht.test"


@pytest.fixture
def providers() -> Iterator[Providers]:
    running = Providers().start()
    yield running
    running.stop()


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def imap_server() -> Iterator[ImapServer]:
    server = ImapServer()
    yield server
    server.stop()


@pytest.fixture
def mailbox(imap_server: ImapServer) -> ImapServer:
    imap_server.empty()
    return imap_server


@pytest.fixture
def channel_settings(settings: Settings, providers: Providers, smtp_sink: SmtpSink) -> Settings:
    return settings.model_copy(
        update={
            "public_url": "https://paht.test",
            "facebook_app_secret": APP_SECRET,
            "facebook_verify_token": VERIFY_TOKEN,
            "facebook_page_token": providers.page_token,
            "facebook_api_base": f"{providers.url}/{GRAPH_VERSION}",
            "zalo_app_id": ZALO_APP_ID,
            "zalo_oa_secret_key": ZALO_SECRET,
            "zalo_access_token": providers.zalo_token,
            "zalo_api_base": providers.url,
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_sink.port,
            "smtp_starttls": False,
            "smtp_from": f"PAHT Huế <{PUBLIC_MAILBOX}>",
            "channel_http_timeout_seconds": 5.0,
        }
    )


@pytest.fixture
def channel_client(channel_settings: Settings, db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(channel_settings, db, worker=False)) as client:
        yield client


def fixture_bytes(kind: str, name: str) -> bytes:
    """A recorded payload exactly as the provider sends it (compact JSON, its own escaping)."""
    return (FIXTURES / kind / name).read_bytes().strip()


def facebook_signature(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def zalo_signature(body: bytes, *, secret: str = ZALO_SECRET, app_id: str = ZALO_APP_ID) -> str:
    stamp = json.loads(body)["timestamp"]
    return "mac=" + hashlib.sha256(app_id.encode() + body + str(stamp).encode() + secret.encode()).hexdigest()


def at_zalo_time(body: bytes) -> None:
    """Freeze the clock at the event's own time, so a recorded event is fresh."""
    set_now(datetime.fromtimestamp(int(json.loads(body)["timestamp"]) / 1000, UTC))


def run_jobs(db: Database, settings: Settings) -> int:
    return run_pending(db, settings)


def publish(client: TestClient, personas, db: Database, report_id: str) -> None:
    """Drive a received report through every step to published, as the staff would (body A = SXD)."""
    from tests.flow import Flow

    flow = Flow(client, personas, db)
    flow.act(report_id, "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])
    flow.act(report_id, "handler_a", "acknowledge")
    flow.act(report_id, "handler_a", "submit_result", result="Đã thay bóng đèn LED mới.")
    flow.act(report_id, "leader_a", "approve")
    flow.act(report_id, "ioc_editor", "publish", result="Đã thay bóng đèn LED mới ngày 28/11.")
