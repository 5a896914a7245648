"""Photo uploads: checked by content, size and pixels; public copies without EXIF/GPS; who may add what, when."""

from __future__ import annotations

import hashlib
import io
import select
import socket
import struct
import uuid
import zlib
from urllib.parse import urlsplit

import pytest
from PIL import Image
from sqlalchemy import select as sql_select

from paht.models import Event
from tests.flow import Flow
from tests.live_server import serve

GPS_IFD = 0x8825
MAKE, ORIENTATION = 0x010F, 0x0112


# ---- real image files ---------------------------------------------------------------------------


def jpeg_with_gps(width: int = 40, height: int = 20) -> bytes:
    """A phone-like JPEG: camera make, orientation 6 (rotate 90°) and a GPS position in Huế."""
    exif = Image.Exif()
    exif[MAKE] = "PAHT-Cam"
    exif[ORIENTATION] = 6
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (16.0, 27.0, 49.32), 3: "E", 4: (107.0, 35.0, 27.24)})
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def image_bytes(fmt: str, size: tuple[int, int] = (32, 24), **options) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, fmt, **options)
    return out.getvalue()


def png_with_text() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "Nguoi chup: Le Van Planted 0905111222")
    return image_bytes("PNG", pnginfo=info)


def transparent_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (16, 16), (0, 0, 0, 0)).save(out, "PNG")
    return out.getvalue()


def mpo_from_a_phone() -> bytes:
    out = io.BytesIO()
    first, second = Image.new("RGB", (30, 20), "red"), Image.new("RGB", (30, 20), "blue")
    first.save(out, "MPO", save_all=True, append_images=[second])
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int, height: int, *, complete: bool) -> bytes:
    """A 1-bit PNG declaring `width`×`height`; all zeros compress to almost nothing."""
    header = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
    compressor, rows = zlib.compressobj(9), []
    row = b"\0" * (1 + (width + 7) // 8)
    for _ in range(height if complete else 8):
        rows.append(compressor.compress(row))
    pixels = b"".join(rows) + (compressor.flush() if complete else b"")
    return b"\x89PNG\r\n\x1a\n" + header + _png_chunk(b"IDAT", pixels) + _png_chunk(b"IEND", b"")


def truncated_jpeg() -> bytes:
    noise = Image.frombytes("RGB", (200, 200), bytes((i * 7919) % 251 for i in range(200 * 200 * 3)))
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=95)
    data = out.getvalue()
    return data[: len(data) // 2]


SVG_WITH_SCRIPT = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.cookie)</script>
<rect width="10" height="10"/></svg>"""


# ---- helpers ------------------------------------------------------------------------------------


@pytest.fixture
def flow(client, personas, db) -> Flow:
    return Flow(client, personas, db)


def _upload(client, report_id, data: bytes, headers=None, filename="anh.jpg", content_type="image/jpeg"):
    return client.post(
        f"/api/v1/reports/{report_id}/attachments",
        files={"file": (filename, data, content_type)},
        headers=headers or {},
    )


def _token(report: dict) -> dict[str, str]:
    return {"X-Reporter-Token": report["reporter_token"]}


def _drive(flow: Flow, report: dict, *steps: str) -> dict:
    payloads = {
        "dispatch": ("ioc_operator", {"organization_id": flow.orgs["SXD"]}),
        "acknowledge": ("handler_a", {}),
        "submit_result": ("handler_a", {"result": "Đã dọn sạch."}),
        "approve": ("leader_a", {}),
        "publish": ("ioc_editor", {}),
    }
    for step in steps:
        persona, payload = payloads[step]
        report = flow.act(report, persona, step, **payload)
    return report


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- accepted photos ----------------------------------------------------------------------------


def test_a_jpeg_with_gps_is_accepted_and_its_public_copy_carries_no_metadata(client, personas, flow, db):
    report = flow.submit()
    original = jpeg_with_gps()
    response = _upload(client, report["id"], original, _token(report))
    assert response.status_code == 201, response.text
    photo = response.json()
    assert (photo["kind"], photo["content_type"], photo["width"], photo["height"]) == ("report", "image/jpeg", 40, 20)
    assert photo["size_bytes"] == len(original)

    base = f"/api/v1/reports/{report['id']}/attachments/{photo['id']}"
    staff_original = client.get(base, params={"original": "true"}, headers=personas["ioc_operator"])
    assert staff_original.status_code == 200
    assert _sha(staff_original.content) == _sha(original)
    assert dict(Image.open(io.BytesIO(staff_original.content)).getexif().get_ifd(GPS_IFD))[1] == "N"

    flow.act(report, "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])
    body_original = client.get(base, params={"original": "true"}, headers=personas["handler_a"])
    assert body_original.status_code == 403  # originals may carry the reporter's home GPS: IOC only
    assert client.get(base, headers=personas["handler_a"]).status_code == 200

    public_copy = client.get(base, headers=personas["ioc_operator"])
    assert public_copy.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(public_copy.content))
    assert image.format == "JPEG"
    assert len(image.getexif()) == 0
    assert "exif" not in image.info
    assert b"PAHT-Cam" not in public_copy.content
    assert image.size == (20, 40)  # the orientation was applied to the pixels, not kept as a tag

    with db.read() as session:
        added = session.scalars(
            sql_select(Event).where(Event.report_id == uuid.UUID(report["id"]), Event.kind == "attachment_added")
        ).all()
    assert [e.payload for e in added] == [{"attachment_id": photo["id"], "kind": "report"}]


@pytest.mark.parametrize(
    ("make", "content_type"),
    [
        (lambda: image_bytes("PNG"), "image/png"),
        (png_with_text, "image/png"),
        (lambda: image_bytes("WEBP"), "image/webp"),
        (transparent_png, "image/png"),
        (mpo_from_a_phone, "image/jpeg"),
    ],
)
def test_png_webp_and_phone_mpo_photos_are_accepted(client, personas, flow, make, content_type):
    report = flow.submit()
    data = make()
    response = _upload(client, report["id"], data, _token(report), filename="photo.bin", content_type="text/plain")
    assert response.status_code == 201, response.text
    assert response.json()["content_type"] == content_type  # from the bytes, not the declared type or name
    public = client.get(
        f"/api/v1/reports/{report['id']}/attachments/{response.json()['id']}", headers=personas["ioc_operator"]
    )
    assert Image.open(io.BytesIO(public.content)).format == "JPEG"
    assert b"Planted" not in public.content


def test_a_large_photo_is_scaled_down_for_the_public(client, personas, flow, settings):
    settings.public_photo_max_side = 64
    report = flow.submit()
    response = _upload(client, report["id"], image_bytes("JPEG", size=(400, 300)), _token(report))
    assert (response.json()["width"], response.json()["height"]) == (400, 300)
    public = client.get(
        f"/api/v1/reports/{report['id']}/attachments/{response.json()['id']}", headers=personas["ioc_operator"]
    )
    assert max(Image.open(io.BytesIO(public.content)).size) <= 64


# ---- refused files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"Toi la van ban, khong phai anh.\n" * 20, "anh.jpg"),
        (SVG_WITH_SCRIPT, "anh.svg"),
        (SVG_WITH_SCRIPT, "anh.jpg"),
        (image_bytes("GIF"), "anh.gif"),
        (image_bytes("BMP"), "anh.jpg"),
        (image_bytes("TIFF"), "anh.jpg"),
        (b"%PDF-1.7\n" + b"0" * 100, "anh.png"),
    ],
)
def test_files_that_are_not_accepted_images_get_415(client, flow, db, data, filename):
    report = flow.submit()
    response = _upload(client, report["id"], data, _token(report), filename=filename)
    assert response.status_code == 415, response.text
    assert response.json()["code"] == "unsupported_media_type"
    assert "JPEG, PNG" in response.json()["detail"]


def test_an_empty_file_gets_422(client, flow):
    report = flow.submit()
    assert _upload(client, report["id"], b"", _token(report)).status_code == 422


def test_a_corrupt_truncated_jpeg_gets_422(client, flow):
    report = flow.submit()
    response = _upload(client, report["id"], truncated_jpeg(), _token(report))
    assert response.status_code == 422, response.text
    assert "hỏng" in response.json()["detail"]


@pytest.mark.parametrize(
    ("width", "height", "complete"),
    [
        (7_000, 7_000, True),  # over our 40 MP limit, under Pillow's own
        (12_000, 12_000, True),  # over Pillow's warning threshold
        (100_000, 100_000, False),  # over Pillow's hard limit; 10 gigapixels declared in a few bytes
    ],
)
def test_a_decompression_bomb_is_refused_before_decoding(client, flow, width, height, complete):
    report = flow.submit()
    bomb = png_bomb(width, height, complete=complete)
    assert len(bomb) < 200_000
    response = _upload(client, report["id"], bomb, _token(report), filename="bomb.png")
    assert response.status_code in (413, 422), response.text
    assert "quá lớn" in response.json()["detail"]


def test_a_file_over_the_size_limit_gets_413(client, flow, settings):
    settings.upload_max_bytes = 100_000
    report = flow.submit()
    just_over = image_bytes("PNG") + b"\0" * (100_001 - len(image_bytes("PNG")))
    response = _upload(client, report["id"], just_over, _token(report))
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    far_over = _upload(client, report["id"], b"\0" * 3_000_000, _token(report))
    assert far_over.status_code == 413
    assert _upload(client, report["id"], image_bytes("PNG"), _token(report)).status_code == 201


def test_the_upload_must_be_a_multipart_file_field(client, flow):
    report = flow.submit()
    url = f"/api/v1/reports/{report['id']}/attachments"
    missing = client.post(url, data={"photo": "x"}, headers=_token(report))
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "file"
    assert client.post(url, content=image_bytes("PNG"), headers=_token(report)).status_code == 422


def test_a_report_holds_at_most_twenty_photos(client, flow):
    report = flow.submit()
    photo = image_bytes("PNG", size=(8, 8))
    for _ in range(20):
        assert _upload(client, report["id"], photo, _token(report)).status_code == 201
    response = _upload(client, report["id"], photo, _token(report))
    assert response.status_code == 422
    assert "20" in response.json()["detail"]


# ---- the upload is read with a bound ------------------------------------------------------------


def _raw_request(port: int, head: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    sock.sendall(head.encode())
    return sock


def _read_status(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n", 1)[0]


def _head(report: dict, extra: str) -> str:
    return (
        f"POST /api/v1/reports/{report['id']}/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"X-Reporter-Token: {report['reporter_token']}\r\n"
        f"Content-Type: multipart/form-data; boundary=paht\r\n{extra}\r\n"
    )


def test_a_declared_oversized_upload_is_refused_before_its_body_is_read(app, flow, settings):
    settings.upload_max_bytes = 256 * 1024
    report = flow.submit()
    with serve(app) as base:
        sock = _raw_request(urlsplit(base).port, _head(report, "Content-Length: 1000000000\r\n"))
        with sock:
            assert _read_status(sock) == b"HTTP/1.1 413 Request Entity Too Large"


def test_a_streamed_oversized_upload_is_refused_while_it_arrives(app, flow, settings):
    settings.upload_max_bytes = 256 * 1024
    report = flow.submit()
    total, block = 64 * 1024 * 1024, b"\0" * 65536
    sent = 0
    with serve(app) as base:
        sock = _raw_request(urlsplit(base).port, _head(report, "Transfer-Encoding: chunked\r\n"))
        with sock:
            part = b'--paht\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\n\r\n'
            sock.sendall(b"%x\r\n%s\r\n" % (len(part), part))
            while sent < total and not select.select([sock], [], [], 0)[0]:
                try:
                    sock.sendall(b"%x\r\n%s\r\n" % (len(block), block))
                except OSError:  # the server may close the connection once it has answered
                    break
                sent += len(block)
            if sent >= total:  # never interrupted: finish the request properly so the answer still comes
                end = b"\r\n--paht--\r\n"
                sock.sendall(b"%x\r\n%s\r\n0\r\n\r\n" % (len(end), end))
            status = _read_status(sock)
    assert status == b"HTTP/1.1 413 Request Entity Too Large"
    assert sent < total // 4, f"the server read {sent} bytes before answering"


# ---- who may add photos, and when ---------------------------------------------------------------


def test_the_reporter_adds_photos_with_the_token_or_signed_in(client, personas, flow):
    anonymous = flow.submit()
    assert _upload(client, anonymous["id"], image_bytes("PNG"), _token(anonymous)).status_code == 201
    mine = flow.submit("citizen")
    assert _upload(client, mine["id"], image_bytes("PNG"), personas["citizen"]).status_code == 201


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 404),
        ("citizen_b", 404),
        ("handler_b", 404),
        ("leader_b", 404),
        ("handler_a", 403),  # sees the report (assigned before) but it is no longer theirs to handle
        ("ioc_editor", 403),
        ("admin", 403),
        ("ioc_operator", 201),
    ],
)
def test_others_may_not_add_photos_to_a_report(client, personas, flow, persona, expected):
    report = flow.submit("citizen")
    report = _drive(flow, report, "dispatch")
    report = flow.act(
        report, "handler_a", "return", reason="Không thuộc thẩm quyền", suggested_organization_id=flow.orgs["PHUHOI"]
    )
    response = _upload(client, report["id"], image_bytes("PNG"), personas[persona])
    assert response.status_code == expected, response.text


def test_a_wrong_reporter_token_gets_404(client, flow):
    report = flow.submit()
    other = flow.submit()
    assert _upload(client, report["id"], image_bytes("PNG"), _token(other)).status_code == 404
    assert _upload(client, report["id"], image_bytes("PNG"), {"X-Reporter-Token": "guess"}).status_code == 404
    assert _upload(client, uuid.uuid4(), image_bytes("PNG"), _token(report)).status_code == 404


def test_the_assigned_handler_adds_result_photos_only_while_processing(client, personas, flow):
    report = _drive(flow, flow.submit(), "dispatch")
    too_early = _upload(client, report["id"], image_bytes("PNG"), personas["handler_a"])
    assert too_early.status_code == 409
    report = _drive(flow, report, "acknowledge")
    added = _upload(client, report["id"], image_bytes("PNG"), personas["handler_a"])
    assert added.status_code == 201
    assert added.json()["kind"] == "result"
    assert _upload(client, report["id"], image_bytes("PNG"), personas["leader_a"]).status_code == 403
    report = _drive(flow, report, "submit_result")
    assert _upload(client, report["id"], image_bytes("PNG"), personas["handler_a"]).status_code == 409


def test_no_photo_is_added_to_a_closed_report(client, personas, flow):
    report = flow.submit()
    _drive(flow, report, "dispatch", "acknowledge", "submit_result", "approve", "publish")
    assert _upload(client, report["id"], image_bytes("PNG"), _token(report)).status_code == 409
    assert _upload(client, report["id"], image_bytes("PNG"), personas["ioc_operator"]).status_code == 409


def test_staff_who_cannot_see_the_report_cannot_list_or_download_its_photos(client, personas, flow):
    report = flow.submit()
    photo = _upload(client, report["id"], jpeg_with_gps(), _token(report)).json()
    report = _drive(flow, report, "dispatch")
    listing = client.get(f"/api/v1/reports/{report['id']}/attachments", headers=personas["handler_a"])
    assert [p["id"] for p in listing.json()] == [photo["id"]]
    url = f"/api/v1/reports/{report['id']}/attachments/{photo['id']}"
    assert client.get(url, headers=personas["handler_b"]).status_code == 404
    assert client.get(f"/api/v1/reports/{report['id']}/attachments", headers=personas["handler_b"]).status_code == 404
    assert client.get(url).status_code == 401
    other = flow.submit()
    assert (
        client.get(
            f"/api/v1/reports/{other['id']}/attachments/{photo['id']}", headers=personas["ioc_operator"]
        ).status_code
        == 404
    )


# ---- public photos ------------------------------------------------------------------------------


def test_a_public_photo_url_works_only_once_the_report_is_published(client, flow):
    report = flow.submit()
    photo = _upload(client, report["id"], jpeg_with_gps(), _token(report)).json()
    public_url = f"/api/v1/public/attachments/{photo['id']}"
    report = _drive(flow, report, "dispatch", "acknowledge")
    result = _upload(client, report["id"], image_bytes("PNG"), flow.personas["handler_a"]).json()
    for step in ("submit_result", "approve"):
        assert client.get(public_url).status_code == 404
        report = _drive(flow, report, step)
    assert client.get(public_url).status_code == 404
    _drive(flow, report, "publish")
    served = client.get(public_url)
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert len(Image.open(io.BytesIO(served.content)).getexif()) == 0
    assert b"PAHT-Cam" not in served.content
    listed = client.get(f"/api/v1/public/reports/{report['code']}").json()["photos"]
    assert {(p["kind"], p["url"]) for p in listed} == {
        ("report", public_url),
        ("result", f"/api/v1/public/attachments/{result['id']}"),
    }
    assert client.get(f"/api/v1/public/attachments/{uuid.uuid4()}").status_code == 404
    assert client.get("/api/v1/public/attachments/not-a-uuid").status_code == 422
