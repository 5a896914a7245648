"""`paht smtp-receiver`: an SMTP server (aiosmtpd) that takes mail for the public address into the inbox.

It answers 250 only once the message is committed; on any trouble it answers 451 so that the sending
server keeps the message and tries again. Mail larger than `email_max_bytes` is refused at MAIL FROM
(SIZE) or DATA with 552, which the sending server turns into a bounce explaining the limit.
"""

from __future__ import annotations

import asyncio
import logging
from email.utils import getaddresses
from typing import Any

from aiosmtpd.controller import Controller

from paht.channels.email.intake import receive
from paht.config import Settings
from paht.db import Database

log = logging.getLogger("paht.channels.smtp")


class IntakeHandler:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db, self.settings = db, settings
        ours = [address for _, address in getaddresses([settings.smtp_from]) if address]
        self.domain = ours[0].rpartition("@")[2].lower() if ours else ""

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list) -> str:
        if self.domain and address.rpartition("@")[2].lower() != self.domain:
            return "550 5.1.1 Not a PAHT mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        try:
            await asyncio.to_thread(receive, self.db, bytes(raw), self.settings)
        except Exception:  # nothing is lost: the sender keeps the message and retries
            log.exception("could not store an incoming e-mail")
            return "451 4.3.0 Temporary failure storing the message; try again later"
        return "250 2.0.0 Message accepted by PAHT"


def start(db: Database, settings: Settings, *, host: str | None = None, port: int | None = None) -> Controller:
    controller = Controller(
        IntakeHandler(db, settings),
        hostname=host or settings.smtp_receiver_host,
        port=port if port is not None else settings.smtp_receiver_port,
        data_size_limit=settings.email_max_bytes,
    )
    controller.start()
    return controller
