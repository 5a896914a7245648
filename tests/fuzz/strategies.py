"""Hypothesis strategies for hostile channel input: JSON close to the providers' shapes, and raw e-mail."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

# Text that breaks naive code: NUL and other controls, lone surrogates are impossible in JSON from bytes,
# but combining marks, zero-width characters, RTL marks and astral characters are not.
_nasty_pieces = ["\x00", "\u200b", "\u200d", "\u202e", "\ufeff", "đ", "Đ", "e\u0301", "\U0001f600", "\r\n"]
nasty_text = st.lists(st.one_of(st.characters(codec="utf-8"), st.sampled_from(_nasty_pieces)), max_size=40).map("".join)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    nasty_text,
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(nasty_text, children, max_size=3),
    max_leaves=12,
)

# Milliseconds since 1970, and the edges where datetime gives up: ValueError, OSError (EOVERFLOW), OverflowError.
timestamps = st.one_of(
    st.integers(min_value=0, max_value=2**42),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.sampled_from([2**70, -(2**70), 2**63, 10**20, 10**400 // 10**380]),
    st.floats(allow_nan=True, allow_infinity=True),
)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The expected value most of the time, or anything at all in its place."""
    return st.one_of(*[strategy] * 6, json_values)


def _attachment(kind_names: list[str], point: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    payload = st.fixed_dictionaries(
        {},
        optional={
            "url": maybe(st.just("https://cdn.example/p.jpg")),
            "coordinates": maybe(point),
            "sticker_id": scalars,
        },
    )
    return maybe(st.fixed_dictionaries({"type": maybe(st.sampled_from(kind_names)), "payload": maybe(payload)}))


_fb_point = st.fixed_dictionaries({"lat": maybe(st.floats()), "long": maybe(st.floats())})
_fb_message = st.fixed_dictionaries(
    {"mid": maybe(st.text(min_size=1, max_size=20))},
    optional={
        "text": maybe(nasty_text),
        "is_echo": maybe(st.just(False)),
        "attachments": maybe(st.lists(_attachment(["image", "location", "video", "sticker"], _fb_point), max_size=3)),
    },
)
_fb_event = st.fixed_dictionaries(
    {"sender": maybe(st.fixed_dictionaries({"id": maybe(st.text(max_size=20))})), "message": maybe(_fb_message)},
    optional={"timestamp": maybe(timestamps)},
)
facebook_payloads = st.fixed_dictionaries(
    {
        "object": maybe(st.just("page")),
        "entry": maybe(
            st.lists(
                st.fixed_dictionaries({"messaging": maybe(st.lists(_fb_event, min_size=1, max_size=3))}),
                min_size=1,
                max_size=2,
            )
        ),
    }
)

_zalo_point = st.fixed_dictionaries({"latitude": maybe(st.floats()), "longitude": maybe(st.floats())})
_zalo_message = st.fixed_dictionaries(
    {"msg_id": maybe(st.text(min_size=1, max_size=20))},
    optional={
        "text": maybe(nasty_text),
        "attachments": maybe(st.lists(_attachment(["image", "location", "file", "gif"], _zalo_point), max_size=3)),
    },
)


def zalo_payloads(app_id: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "app_id": maybe(st.just(app_id)),
            "event_name": maybe(st.sampled_from(["user_send_text", "user_send_image", "user_send_location"])),
            "sender": maybe(st.fixed_dictionaries({"id": maybe(st.text(max_size=20))})),
            "message": maybe(_zalo_message),
            "timestamp": maybe(timestamps | st.text(max_size=20)),
        }
    )


def as_body(payload: Any) -> bytes:
    """JSON as a provider would send it (NaN and Infinity included: Python's json reads them back)."""
    return json.dumps(payload, ensure_ascii=False).encode()


# --- e-mail --------------------------------------------------------------------------------------------

_charsets = st.sampled_from(["utf-8", "us-ascii", "windows-1258", "iso-8859-1", "x-unknown", "utf-7", "", "utf-8\x00"])
_encodings = st.sampled_from(["7bit", "8bit", "base64", "quoted-printable", "x-uuencode", "bogus", ""])
_header_names = st.sampled_from(
    ["From", "Reply-To", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "Auto-Submitted", "List-Id"]
)
_header_values = st.one_of(
    nasty_text,
    st.builds(lambda cs, text: f"=?{cs}?B?{text}?=", _charsets, st.text(max_size=20)),
    st.builds(lambda cs, text: f"=?{cs}?Q?{text}?=", _charsets, st.text(max_size=20)),
    st.sampled_from(["<a@b>", "Nguyễn Văn A <a@example.vn>", "<<>>", "@", "Mon, 99 Foo 2026 25:61:00 +9999"]),
)


def _leaf(data: st.DataObject) -> str:
    kind = data.draw(st.sampled_from(["text/plain", "text/html", "image/jpeg", "application/pdf", "image/svg+xml"]))
    charset, encoding = data.draw(_charsets), data.draw(_encodings)
    body = data.draw(st.text(max_size=200))
    disposition = data.draw(st.sampled_from(["", "attachment", 'attachment; filename="ảnh.jpg"', "inline; filename*="]))
    return (
        f"Content-Type: {kind}; charset={charset}\r\nContent-Transfer-Encoding: {encoding}\r\n"
        f"Content-Disposition: {disposition}\r\n\r\n{body}"
    )


def _part(data: st.DataObject, depth: int) -> str:
    if depth == 0 or not data.draw(st.booleans()):
        return _leaf(data)
    boundary = data.draw(st.sampled_from(["b1", "==x==", "", "a" * 80, "b1"]))  # repeats and empties on purpose
    subtype = data.draw(st.sampled_from(["mixed", "alternative", "related", "report", "digest"]))
    children = [_part(data, depth - 1) for _ in range(data.draw(st.integers(0, 3)))]
    inner = "".join(f"--{boundary}\r\n{child}\r\n" for child in children)
    closing = data.draw(st.sampled_from([f"--{boundary}--\r\n", ""]))  # a missing end boundary too
    return f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n{inner}{closing}'


@st.composite
def raw_emails(draw: st.DrawFn) -> bytes:
    data = draw(st.data())
    headers = draw(st.lists(st.tuples(_header_names, _header_values), max_size=8))
    if draw(st.booleans()):  # a huge header, folded or not
        headers.append(("Subject", "Đ" * draw(st.integers(1000, 50_000))))
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    text = head + _part(data, depth=3)
    mangle = draw(st.sampled_from(["utf-8", "latin-1-bytes", "truncate"]))
    raw = text.encode("utf-8", errors="surrogatepass")
    if mangle == "latin-1-bytes":
        raw = bytes(b ^ 0x80 if i % 7 == 0 else b for i, b in enumerate(raw))
    elif mangle == "truncate":
        raw = raw[: draw(st.integers(0, len(raw)))]
    return raw
