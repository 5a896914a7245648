"""An e-mail, from IMAP or from the SMTP receiver, into the inbox: photos saved, stored once by Message-ID."""

from __future__ import annotations

import hashlib
import re

from paht.channels import inbox
from paht.channels.base import Media
from paht.channels.email.mime import MailIn, headers_only, parse_email
from paht.channels.media import inbox_folder, save
from paht.config import Settings
from paht.db import Database
from paht.enums import Channel

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def store_mail(db: Database, mail: MailIn, settings: Settings, *, too_large: int | None = None) -> bool:
    """Commit the e-mail to the inbox; False when it was already there (fetched or delivered before)."""
    parsed = mail.parsed
    with db.write() as session:
        if inbox.known(session, Channel.email, parsed.external_id[:255]):
            return False
        folder = inbox_folder(settings, Channel.email, hashlib.sha256(parsed.external_id.encode()).hexdigest()[:32])
        parsed.media = [
            Media(path=save(folder, f"{index}-{_UNSAFE.sub('_', name)[-80:]}", data), name=name, size=len(data))
            for index, (name, data) in enumerate(mail.photos)
        ]
        extra: dict[str, object] = {"automatic": mail.automatic}
        if too_large is not None:
            extra["too_large"] = too_large
        return inbox.accept(session, Channel.email, parsed, extra=extra) is not None


def receive(db: Database, raw: bytes, settings: Settings) -> bool:
    """A whole message as bytes (the SMTP receiver): parsed and stored."""
    if len(raw) > settings.email_max_bytes:
        head = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
        return store_mail(db, headers_only(head), settings, too_large=len(raw))
    return store_mail(db, parse_email(raw, max_photo_bytes=settings.upload_max_bytes), settings)
