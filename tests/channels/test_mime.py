"""Reading citizens' mail as it really comes: HTML only, legacy Vietnamese charsets, lying headers."""

from __future__ import annotations

import unicodedata

from paht.channels.email.mime import parse_email

LIMIT = 10 * 1024 * 1024


def nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")


HTML = "<html><body><p>Đường <b>Hùng Vương</b> ngập &amp; kẹt xe.</p><script>alert(1)</script></body></html>"


def test_an_html_only_email_gives_its_text_without_tags():
    raw = (
        b"From: =?utf-8?b?VHLhuqduIE1pbmg=?= <minh@example.vn>\r\n"
        b"To: phananh@paht.test\r\nSubject: =?utf-8?q?=C4=90=C6=B0=E1=BB=9Dng_ng=E1=BA=ADp?=\r\n"
        b"Message-ID: <html-1@example.vn>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: text/html; charset="utf-8"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n' + HTML.encode()
    )
    mail = parse_email(raw, max_photo_bytes=LIMIT)
    assert mail.parsed.subject == "Đường ngập"
    assert mail.parsed.sender_name == "Trần Minh"
    assert mail.parsed.text == "Đường Hùng Vương ngập & kẹt xe."
    assert "alert" not in mail.parsed.text


TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows wrote it: base letters precomposed, tone marks combining."""
    out = b""
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in TONES)
        out += unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES)).encode("cp1258")
        out += tones.encode("cp1258")
    return out


def test_a_legacy_windows_1258_email_reads_as_vietnamese():
    body = cp1258("Cột điện nghiêng sắp đổ")
    raw = (
        b"From: lan@example.vn\r\nSubject: Cot dien\r\nMessage-ID: <cp1258@example.vn>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=windows-1258\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body
    )
    assert nfc(parse_email(raw, max_photo_bytes=LIMIT).parsed.text) == "Cột điện nghiêng sắp đổ"


def test_a_charset_that_does_not_exist_does_not_stop_the_email():
    raw = (
        b"From: lan@example.vn\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=x-khong-ton-tai\r\n\r\nC\xe1\xbb\x99t \xc4\x91i\xe1\xbb\x87n"
    )
    mail = parse_email(raw, max_photo_bytes=LIMIT)
    assert mail.parsed.text  # decoded one way or another, never an exception
    assert mail.parsed.external_id.startswith("sha256:")  # no Message-ID: identified by its content
    assert parse_email(raw, max_photo_bytes=LIMIT).parsed.external_id == mail.parsed.external_id


def test_files_that_are_not_photos_are_noted_and_automatic_mail_is_flagged():
    raw = (
        b"From: lan@example.vn\r\nSubject: Gui file\r\nMessage-ID: <f@example.vn>\r\nAuto-Submitted: auto-generated\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nXem file.\r\n"
        b'--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="bien-ban.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n"
    )
    mail = parse_email(raw, max_photo_bytes=LIMIT)
    assert mail.photos == [] and mail.automatic is True
    assert mail.parsed.notes == ["tệp «bien-ban.pdf» không phải ảnh; chưa được nhận (not a photo)"]


def test_a_garbled_from_header_leaves_no_sender_rather_than_failing():
    raw = b"From: <<<>>>\r\nSubject: Re: Fwd: TL: =?utf-8?b?4bqibmggcsOhYw==?=\r\n\r\nR\xc3\xa1c nhi\xe1\xbb\x81u."
    mail = parse_email(raw, max_photo_bytes=LIMIT)
    assert mail.parsed.sender_id == ""
    assert mail.parsed.subject == "Ảnh rác"
    assert mail.parsed.text == "Rác nhiều."
