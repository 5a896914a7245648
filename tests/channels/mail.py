"""Citizens' e-mails as real MIME: Vietnamese text, encoded headers, photos with Vietnamese file names."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.utils import formatdate

from tests.channels.conftest import PUBLIC_MAILBOX

CITIZEN = "Nguyễn Thị Lan <lan.nguyen@example.vn>"


def citizen_mail(
    *,
    message_id: str,
    subject: str = "Cây xanh gãy đổ chắn đường Lê Duẩn",
    body: str = "Cây phượng trước số 88 Lê Duẩn gãy đổ sau cơn mưa chiều nay, chắn nửa lòng đường, rất nguy hiểm.",
    sender: str = CITIZEN,
    photos: list[tuple[str, bytes]] | None = None,
    in_reply_to: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = PUBLIC_MAILBOX
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    for name, value in (headers or {}).items():
        message[name] = value
    if body:
        message.set_content(body, charset="utf-8")
    for name, data in photos or []:
        message.add_attachment(data, maintype="image", subtype="jpeg", filename=name)
    return message.as_bytes(policy=policy.SMTP)  # CRLF line ends, as on the wire
