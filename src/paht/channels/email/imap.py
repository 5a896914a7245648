"""Polling the public mailbox by IMAP: each unseen message stored once, and only then flagged \\Seen.

A crash between storing and flagging leaves the message unseen; the next poll finds it already in the
inbox (by Message-ID) and only flags it. A message larger than `email_max_bytes` is never downloaded:
its headers are enough to answer the sender.
"""

from __future__ import annotations

import imaplib
import logging
import re
import ssl

from paht.channels.email.intake import store_mail
from paht.channels.email.mime import headers_only, parse_email
from paht.config import Settings
from paht.db import Database

log = logging.getLogger("paht.channels.imap")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


def _connect(settings: Settings) -> imaplib.IMAP4:
    assert settings.imap_host
    timeout = settings.channel_http_timeout_seconds * 3
    if settings.imap_ssl:
        return imaplib.IMAP4_SSL(
            settings.imap_host, settings.imap_port, ssl_context=ssl.create_default_context(), timeout=timeout
        )
    return imaplib.IMAP4(settings.imap_host, settings.imap_port, timeout=timeout)


def _part(data: list, pattern: bytes) -> tuple[bytes, bytes]:
    """(response line, literal) of the FETCH item whose line matches `pattern`."""
    for item in data:
        if isinstance(item, tuple) and pattern in item[0]:
            return item[0], item[1]
    raise imaplib.IMAP4.error(f"unexpected FETCH answer: {data!r:.200}")


def poll(db: Database, settings: Settings, *, limit: int = 200) -> int:
    """One pass over the mailbox; returns how many new messages were stored."""
    stored = 0
    with _connect(settings) as imap:
        imap.login(settings.imap_user or "", settings.imap_password or "")
        status, _ = imap.select(settings.imap_folder)
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot open folder {settings.imap_folder!r}")
        _, found = imap.uid("SEARCH", None, "UNSEEN")
        for uid in (found[0] or b"").split()[:limit]:
            stored += _take(imap, uid, db, settings)
            imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    return stored


def _take(imap: imaplib.IMAP4, uid: bytes, db: Database, settings: Settings) -> bool:
    _, data = imap.uid("FETCH", uid, "(RFC822.SIZE BODY.PEEK[HEADER])")
    line, header = _part(data, b"RFC822.SIZE")
    size_match = _SIZE.search(line)
    size = int(size_match.group(1)) if size_match else 0
    if size > settings.email_max_bytes:
        log.info("e-mail %s is %d bytes: answered from its headers", uid, size)
        return store_mail(db, headers_only(header), settings, too_large=size)
    _, data = imap.uid("FETCH", uid, "(BODY.PEEK[])")
    _, raw = _part(data, b"BODY[]")
    return store_mail(db, parse_email(raw, max_photo_bytes=settings.upload_max_bytes), settings)
