"""Real protocol peers on loopback for the channel tests.

`Providers` is one HTTP server standing in for Meta's Graph API (Send API), Zalo's OA API (message/cs)
and their CDNs. It answers in the providers' documented shapes and refuses requests that do not have
the documented shape, so an adapter that drifts from the API fails here. `SmtpSink` is a real SMTP
server (aiosmtpd) that keeps what it receives. `ImapServer` runs pymap, a real IMAP server.
"""

from __future__ import annotations

import asyncio
import imaplib
import io
import json
import secrets
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller
from PIL import Image

GRAPH_VERSION = "v21.0"
MESSAGE_TAGS = {"CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE", "ACCOUNT_UPDATE", "HUMAN_AGENT"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def jpeg(width: int = 64, height: int = 48, color: tuple[int, int, int] = (200, 60, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="JPEG")
    return out.getvalue()


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class Providers:
    page_token: str = "EAAG-test-page-token"
    zalo_token: str = "zalo-test-access-token"
    requests: list[Seen] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)
    down: bool = False  # answer 503 to every API call, as a provider in trouble does
    hold: threading.Event | None = None  # when set, API calls wait for it (a worker is killed meanwhile)
    arrived: threading.Event = field(default_factory=threading.Event)
    zalo_error: tuple[int, str] | None = None

    def start(self) -> Providers:
        providers = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:  # the CDN
                data = providers.media.get(urlsplit(self.path).path)
                if data is None:
                    self._answer(404, {"error": "not found"})
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # the APIs
                parts = urlsplit(self.path)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                seen = Seen(
                    "POST", parts.path, parse_qs(parts.query), {k.lower(): v for k, v in self.headers.items()}, body
                )
                providers.requests.append(seen)
                providers.arrived.set()
                if providers.hold is not None:
                    providers.hold.wait(30)
                if providers.down:
                    self._answer(503, {"error": {"message": "Service temporarily unavailable", "code": 2}})
                elif parts.path == f"/{GRAPH_VERSION}/me/messages":
                    self._answer(*providers.graph(seen))
                elif parts.path == "/v3.0/oa/message/cs":
                    self._answer(*providers.zalo(seen))
                else:
                    self._answer(404, {"error": "unknown endpoint"})

            def _answer(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        if self.hold is not None:
            self.hold.set()
        self.server.shutdown()
        self.server.server_close()

    def api_calls(self, path_end: str) -> list[Seen]:
        return [r for r in self.requests if r.path.endswith(path_end)]

    def graph(self, seen: Seen) -> tuple[int, dict[str, Any]]:
        """The Send API: POST /{version}/me/messages?access_token=…, JSON recipient/message/messaging_type."""
        if seen.query.get("access_token") != [self.page_token]:
            return 400, {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}}
        body = seen.body
        problems = []
        if not isinstance(body, dict) or not seen.headers.get("content-type", "").startswith("application/json"):
            problems.append("body must be JSON")
        else:
            if set(body) - {"recipient", "message", "messaging_type", "tag", "notification_type"}:
                problems.append(f"unknown fields {set(body)}")
            if not str((body.get("recipient") or {}).get("id", "")).isdigit():
                problems.append("recipient.id must be a page-scoped id")
            text = (body.get("message") or {}).get("text")
            if not isinstance(text, str) or not 0 < len(text) <= 2000:
                problems.append("message.text must have 1 to 2000 characters")
            kind = body.get("messaging_type")
            if kind not in ("RESPONSE", "UPDATE", "MESSAGE_TAG"):
                problems.append("messaging_type is required")
            if (kind == "MESSAGE_TAG") != (body.get("tag") in MESSAGE_TAGS):
                problems.append("a MESSAGE_TAG message needs a valid tag, and only it")
        if problems:
            return 400, {"error": {"message": "(#100) " + "; ".join(problems), "type": "OAuthException", "code": 100}}
        return 200, {"recipient_id": body["recipient"]["id"], "message_id": "m_" + secrets.token_urlsafe(30)}

    def zalo(self, seen: Seen) -> tuple[int, dict[str, Any]]:
        """The OA message API v3: POST /v3.0/oa/message/cs, header access_token, recipient.user_id + message.text."""
        if seen.headers.get("access_token") != self.zalo_token:
            return 200, {"error": -216, "message": "Access token is invalid"}
        if self.zalo_error is not None:
            return 200, {"error": self.zalo_error[0], "message": self.zalo_error[1]}
        body = seen.body
        ok = (
            isinstance(body, dict)
            and set(body) == {"recipient", "message"}
            and set(body["recipient"]) == {"user_id"}
            and str(body["recipient"]["user_id"]).isdigit()
            and isinstance(body["message"].get("text"), str)
            and 0 < len(body["message"]["text"]) <= 2000
        )
        if not ok:
            return 200, {"error": -201, "message": "Parameters are invalid"}
        user = body["recipient"]["user_id"]
        return 200, {"data": {"message_id": secrets.token_hex(16), "user_id": user}, "error": 0, "message": "Success"}


class SmtpSink:
    """A real SMTP server keeping every message it accepts."""

    def __init__(self) -> None:
        self.raw: list[bytes] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: str | None = None  # e.g. "451 4.3.0 try later" or "550 5.1.1 no such user"
        self.hold: threading.Event | None = None  # when set, the 250 waits for it (the sender is killed meanwhile)
        self.arrived = threading.Event()
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                if sink.refuse:
                    return sink.refuse
                sink.raw.append(bytes(envelope.original_content or envelope.content))
                sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                sink.arrived.set()
                if sink.hold is not None:
                    await asyncio.get_running_loop().run_in_executor(None, sink.hold.wait, 30)
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.hold is not None:
            self.hold.set()
        self.controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        return [BytesParser(policy=policy.default).parsebytes(raw) for raw in self.raw]  # type: ignore[misc]


# pymap checks every IMAP login against PBKDF2 with 500,000 rounds (0.3 s of CPU), and the worker logs in at
# every poll: the suite spent minutes of CPU on it. The tests are about the protocol, not the server's password
# storage, so the server hashes its one user's password with 1,000 rounds; everything else is stock pymap.
PYMAP_WITH_CHEAP_PASSWORD_HASH = """
import sys
import pysasl.hashing
pysasl.hashing.BuiltinHash.__init__.__kwdefaults__["rounds"] = 1000
from pymap.main import main
sys.exit(main())
"""


class ImapServer:
    """pymap's in-memory IMAP server in its own process, with one mailbox user."""

    user, password = "phananh", "mat-khau-imap"

    def __init__(self) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                PYMAP_WITH_CHEAP_PASSWORD_HASH,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-tls",
                "dict",
                "--demo-user",
                self.user,
                "--demo-password",
                self.password,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(200):
            try:
                with self.client():
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("pymap did not start")

    def client(self) -> imaplib.IMAP4:
        return imaplib.IMAP4("127.0.0.1", self.port, timeout=10)

    def append(self, raw: bytes) -> None:
        with self.client() as imap:
            imap.login(self.user, self.password)
            status, _ = imap.append("INBOX", None, None, raw)
            assert status == "OK"

    def empty(self) -> None:
        with self.client() as imap:
            imap.login(self.user, self.password)
            imap.select("INBOX")
            _, found = imap.search(None, "ALL")
            if found[0]:
                imap.store("1:*", "+FLAGS", "(\\Deleted)")
                imap.expunge()

    def unseen(self) -> int:
        with self.client() as imap:
            imap.login(self.user, self.password)
            imap.select("INBOX", readonly=True)
            _, found = imap.search(None, "UNSEEN")
            return len(found[0].split())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
