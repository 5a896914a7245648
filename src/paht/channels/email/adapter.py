"""Outbound e-mail by SMTP. Inbound mail arrives by IMAP polling (`imap.py`) or the SMTP receiver (`receiver.py`).

Every message carries a Message-ID fixed before the first attempt, so a re-send after an interrupted
attempt is the same message to the recipient's mail system, and the tracking code in the subject lets
the citizen's replies find their report.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid
from typing import ClassVar

from paht.channels.base import ChannelError, Parsed, Receipt, Recipient, Reply, SignatureError
from paht.config import Settings
from paht.enums import Channel


class EmailAdapter:
    kind: ClassVar[Channel] = Channel.email
    idempotent_send: ClassVar[bool] = True  # the Message-ID is the same on every attempt
    webhook: ClassVar[bool] = False

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def configured(self) -> bool:
        return bool(self.settings.smtp_host)

    @property
    def address(self) -> str:
        found = getaddresses([self.settings.smtp_from])
        return found[0][1].lower() if found and found[0][1] else self.settings.smtp_from.lower()

    def new_message_id(self, serial: int) -> str:
        return make_msgid(idstring=f"paht{serial}", domain=self.address.rpartition("@")[2] or "localhost")

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        raise SignatureError("E-mail has no webhook; it arrives by IMAP or SMTP.")

    def parse(self, headers: Mapping[str, str], body: bytes) -> list[Parsed]:
        from paht.channels.email.mime import parse_email

        return [parse_email(body, max_photo_bytes=self.settings.upload_max_bytes).parsed]

    def compose(self, to: Recipient, reply: Reply) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.smtp_from
        message["To"] = to.address
        message["Subject"] = reply.subject or "PAHT"
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = reply.message_id or make_msgid(domain=self.address.rpartition("@")[2] or None)
        if reply.in_reply_to:
            message["In-Reply-To"] = reply.in_reply_to
            message["References"] = reply.in_reply_to
        # RFC 3834: an auto-responder at the other end must not answer us back (no mail loops).
        message["Auto-Submitted"] = "auto-replied" if reply.in_reply_to else "auto-generated"
        message.set_content(reply.body, charset="utf-8")
        return message

    def send(self, to: Recipient, reply: Reply) -> Receipt:
        message = self.compose(to, reply)
        try:
            with self._connect() as smtp:
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            answers = list(exc.recipients.values())  # the address itself stays out of errors and logs
            codes = [code for code, _ in answers]
            detail = "; ".join(f"{code} {text.decode(errors='replace')}" for code, text in answers)
            raise ChannelError(f"SMTP refused the recipient: {detail}", permanent=min(codes) >= 500) from exc
        except smtplib.SMTPResponseException as exc:
            permanent = exc.smtp_code >= 500
            raise ChannelError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", permanent=permanent) from exc
        except smtplib.SMTPNotSupportedError as exc:  # e.g. STARTTLS required by our settings but not offered
            raise ChannelError(f"SMTP: {exc}", permanent=True) from exc
        except (OSError, smtplib.SMTPException) as exc:  # refused, reset, timed out, disconnected
            raise ChannelError(f"SMTP: {type(exc).__name__}: {exc}", permanent=False) from exc
        return Receipt(str(message["Message-ID"]))

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        timeout = s.channel_http_timeout_seconds
        assert s.smtp_host
        if s.smtp_ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=timeout)
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=timeout)
            if s.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
        if s.smtp_user:
            smtp.login(s.smtp_user, s.smtp_password or "")
        return smtp
