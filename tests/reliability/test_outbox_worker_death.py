"""A `paht worker` killed (SIGKILL) while it sends an e-mail: the job is claimed again and the message
arrives once (reliability-anchors row 14b).

The receiver is a real SMTP server (aiosmtpd) on loopback that holds the first session at a chosen point
until the worker has been killed; a second `paht worker`, with the stale-claim window shortened to 2 s,
then finishes the job. Two places for the kill:

- before the receiver has the message (held at RCPT TO): exactly one message arrives;
- after the receiver has the whole message but before the worker recorded it (held before the 250): the
  message arrives twice, both copies with the one Message-ID fixed before the first attempt, so the
  recipient's mail system keeps one. That is the documented at-least-once edge of the outbox.
"""

from __future__ import annotations

import asyncio
import threading
import time
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from paht.channels.delivery import queue_message
from paht.models import Job, OutboundMessage
from tests.live_server import free_port
from tests.reliability.processes import paht_env, start_paht, stop

RECIPIENT = "nguoi.dan.crash@example.vn"
WAIT_SECONDS = 180  # generous: a busy CI machine starts a worker slowly


class HoldingReceiver:
    """An SMTP server that holds its first session at `hold_at` ("rcpt" or "data") until released."""

    def __init__(self, hold_at: str) -> None:
        self.hold_at, self.held = hold_at, False
        self.reached, self.release = threading.Event(), threading.Event()
        self.messages: list[bytes] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def _hold(self, point: str) -> None:
        if self.hold_at == point and not self.held:
            self.held = True
            self.reached.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, WAIT_SECONDS)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        await self._hold("rcpt")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if RECIPIENT in envelope.rcpt_tos:
            self.messages.append(bytes(envelope.original_content or envelope.content))
        await self._hold("data")
        return "250 OK"


def queue_reply(db) -> int:
    """One e-mail to a citizen in the outbox; nothing else is left for the workers to do."""
    with db.write() as session:
        session.execute(update(Job).values(status="done"))
        row = queue_message(
            session,
            channel="email",
            recipient=RECIPIENT,
            purpose="received",
            subject="PAHT: đã tiếp nhận phản ánh PA-CRASH01",
            body="Phản ánh của bạn đã được tiếp nhận.",
            dedupe_key="crash-test-reply",
        )
        assert row is not None
        return row.id


def outbound(db, outbound_id: int) -> OutboundMessage:
    with db.read() as session:
        row = session.get(OutboundMessage, outbound_id)
        assert row is not None
        return row


def delivery_job(db) -> Job:
    with db.read() as session:
        return session.scalars(select(Job).where(Job.kind == "deliver_outbound")).one()


# The "data" case also runs in-process in tests/channels/test_delivery.py; with real workers it is slow-only.
@pytest.mark.parametrize("hold_at", ["rcpt", pytest.param("data", marks=pytest.mark.slow)])
def test_a_send_interrupted_by_a_killed_worker_is_finished_by_the_next_one(db, database_url, tmp_path, hold_at):
    receiver = HoldingReceiver(hold_at)
    receiver.controller.start()
    outbound_id = queue_reply(db)
    env = paht_env(
        database_url,
        tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=receiver.port,
        smtp_starttls="false",
        smtp_from="PAHT Huế <phananh@paht.test>",
        staff_email="false",
        job_stale_claim_seconds=2,
        worker_poll_seconds=0.2,
    )
    first = start_paht(["worker"], env, tmp_path / "worker-1.log")
    try:
        assert receiver.reached.wait(WAIT_SECONDS), (tmp_path / "worker-1.log").read_text()
    finally:
        stop(first)  # SIGKILL while the receiver holds the session
    receiver.release.set()
    interrupted = delivery_job(db)
    assert interrupted.status == "running" and outbound(db, outbound_id).status == "sending"

    second = start_paht(["worker"], env, tmp_path / "worker-2.log")
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        # The send is recorded first, the job's `done` in the next transaction: wait for both.
        while delivery_job(db).status != "done" and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop(second)
        receiver.controller.stop()
    sent, job = outbound(db, outbound_id), delivery_job(db)
    assert sent.status == "sent" and sent.attempts == 2, (tmp_path / "worker-2.log").read_text()
    assert job.status == "done" and job.attempts == 2  # claimed by the dead worker, then claimed again
    message_ids = [message_from_bytes(raw)["Message-ID"] for raw in receiver.messages]
    assert set(message_ids) == {sent.provider_message_id}
    assert len(message_ids) == (1 if hold_at == "rcpt" else 2)
