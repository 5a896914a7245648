"""Reading a citizen's e-mail: sender, subject, the text they wrote (quotes cut), photos, thread references.

Mail is untrusted input: every header may be missing or malformed, charsets may lie, so each step
falls back instead of failing, and nothing here touches the database or the network.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from paht.channels.base import Parsed

_REFERENCE = re.compile(r"<[^<>\s]+>")
# Where a reply's quotation of earlier mail begins.
_QUOTE_START = re.compile(
    r"^(On .+wrote:|Vào .+đã viết:|Vào lúc .+|-----\s*Original Message\s*-----|-----\s*Thư gốc\s*-----|_{10,}|"
    r"From: .+|Từ: .+)\s*$",
    re.IGNORECASE,
)
_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|tl|tr|trả lời|chuyển tiếp)\s*:\s*)+", re.IGNORECASE)
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.IGNORECASE | re.DOTALL)


@dataclass
class MailIn:
    parsed: Parsed
    photos: list[tuple[str, bytes]] = field(default_factory=list)  # (file name, content)
    automatic: bool = False  # an auto-reply, a bounce or a list: never answered (no mail loops)


def message_id_of(raw: bytes, header: str | None) -> str:
    found = _REFERENCE.findall(header or "")
    return found[0] if found else "sha256:" + hashlib.sha256(raw).hexdigest()


def parse_email(raw: bytes, *, max_photo_bytes: int) -> MailIn:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    name, address = _sender(message)
    parsed = Parsed(
        external_id=message_id_of(raw, _header(message, "Message-ID")),
        sender_id=address,
        sender_name=name or None,
        subject=clean_subject(_header(message, "Subject")),
        text=_body_text(message) or None,
        thread_refs=_REFERENCE.findall(f"{_header(message, 'In-Reply-To')} {_header(message, 'References')}"),
    )
    try:
        parsed.sent_at = parsedate_to_datetime(_header(message, "Date"))
    except (TypeError, ValueError, IndexError):
        parsed.sent_at = None
    mail = MailIn(parsed, automatic=is_automatic(message))
    _photos(message, mail, max_photo_bytes)
    return mail


def headers_only(raw_headers: bytes) -> MailIn:
    """What a too-large e-mail tells us from its headers alone (its body is never downloaded)."""
    message = BytesParser(policy=policy.default).parsebytes(raw_headers, headersonly=True)
    assert isinstance(message, EmailMessage)
    name, address = _sender(message)
    parsed = Parsed(
        external_id=message_id_of(raw_headers, _header(message, "Message-ID")),
        sender_id=address,
        sender_name=name or None,
        subject=clean_subject(_header(message, "Subject")),
        thread_refs=_REFERENCE.findall(f"{_header(message, 'In-Reply-To')} {_header(message, 'References')}"),
    )
    return MailIn(parsed, automatic=is_automatic(message))


def clean_subject(subject: str) -> str | None:
    return _REPLY_PREFIX.sub("", " ".join(subject.split())).strip() or None


def is_automatic(message: EmailMessage) -> bool:
    auto = _header(message, "Auto-Submitted").lower()
    precedence = _header(message, "Precedence").lower()
    return (
        (auto not in ("", "no"))
        or precedence in ("bulk", "junk", "list", "auto_reply")
        or bool(_header(message, "X-Autoreply") or _header(message, "X-Autorespond"))
        or bool(_header(message, "List-Id"))
        or message.get_content_type() == "multipart/report"
        or _header(message, "Return-Path").strip() == "<>"
    )


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
        return str(value) if value is not None else ""
    except Exception:  # a malformed header the policy cannot make sense of is as good as none
        return ""


def _sender(message: EmailMessage) -> tuple[str, str]:
    for name, address in getaddresses([_header(message, "Reply-To") or _header(message, "From")]):
        if "@" in address:
            return name.strip(), address.strip().lower()
    return "", ""


def _body_text(message: EmailMessage) -> str:
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except (KeyError, ValueError, AttributeError):
        # AttributeError: the standard library trips over a multipart/related part whose body is bare
        # text (found by tests/fuzz); such mail has no body we can read, only its headers and photos.
        part = None
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError, UnicodeError, AssertionError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    if "\ufffd" in content:  # a missing or wrong charset: Vietnamese mail is most often UTF-8 anyway
        payload = part.get_payload(decode=True)
        with contextlib.suppress(UnicodeDecodeError):
            content = payload.decode("utf-8") if isinstance(payload, bytes) else content
    if part.get_content_subtype() == "html":
        content = html.unescape(_TAGS.sub(" ", re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", content)))
        content = re.sub(r"[ \t]+", " ", content)
    return _without_quotes(content)


def _without_quotes(text: str) -> str:
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if _QUOTE_START.match(line.strip()) or line.rstrip() == "--":
            break
        if not line.lstrip().startswith(">"):
            kept.append(line.rstrip())
    return "\n".join(kept).strip()


def _photos(message: EmailMessage, mail: MailIn, max_bytes: int) -> None:
    for part in message.walk():
        if part.is_multipart():
            continue
        name = part.get_filename() or f"anh-{len(mail.photos) + 1}"
        if part.get_content_maintype() != "image":
            if part.get_content_disposition() == "attachment":
                mail.parsed.notes.append(f"tệp «{name}» không phải ảnh; chưa được nhận (not a photo)")
            continue
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes) or not data:
            continue
        if len(data) > max_bytes:
            size = len(data) / (1024 * 1024)
            limit = max_bytes // (1024 * 1024)
            mail.parsed.notes.append(f"ảnh «{name}» {size:.0f} MB vượt quá {limit} MB; chưa được nhận (too large)")
            continue
        mail.photos.append((name, data))
