"""The channel jobs the worker runs outside its own transaction (they talk to providers over the network).

Each opens its own short transactions and never keeps one open across a network call: with SQLite a
write transaction holds the only write lock, and a provider that is slow must not stall the city.
"""

from __future__ import annotations

from typing import Any

from paht.channels.base import Parsed
from paht.channels.delivery import deliver
from paht.channels.media import fetch, inbox_folder
from paht.channels.service import process
from paht.config import Settings
from paht.db import Database
from paht.models import InboundMessage


def process_inbound(db: Database, payload: dict[str, Any], settings: Settings) -> None:
    """Download the message's photos with no transaction open, then process it in one transaction."""
    inbound_id = int(payload["inbound_id"])
    with db.read() as session:
        row = session.get(InboundMessage, inbound_id)
        if row is None or row.status != "pending":
            return
        channel, parsed = row.channel, Parsed.from_payload(row.payload)
    fetch(parsed, inbox_folder(settings, channel, str(inbound_id)), settings)
    with db.write() as session:
        process(session, inbound_id, parsed, settings)


def deliver_outbound(db: Database, payload: dict[str, Any], settings: Settings) -> None:
    deliver(db, int(payload["outbound_id"]), settings)


def poll_mailbox(db: Database, payload: dict[str, Any], settings: Settings) -> None:
    from paht.channels.email.imap import poll

    if settings.imap_host:
        poll(db, settings)
