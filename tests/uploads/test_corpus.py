"""Reliability-anchors rows 8–10: every fixture of the corpus accepted or refused with exactly 413/415/422.

Documented choices: a file is judged by its bytes, never its name or declared type — a JPEG named .png is
accepted as the JPEG it is. A JPEG with a ZIP appended (polyglot) is accepted as a photo, because its
image part is valid; what is stored for everyone but the IOC is a fresh re-encode that keeps no byte of the
trailer. Originals (kept only for the IOC) stay as uploaded, metadata included.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from paht.attachments import service
from paht.models import Attachment
from tests.flow import Flow
from tests.uploads import corpus

ZIP_MARKERS = (b"PK\x03\x04", b"PK\x05\x06", b"payload.html")


@pytest.fixture
def flow(client, personas, db) -> Flow:
    return Flow(client, personas, db)


@pytest.fixture
def report(flow) -> dict:
    return flow.submit()


def upload(client, report: dict, data: bytes, filename: str = "anh.jpg", declared: str = "image/jpeg"):
    return client.post(
        f"/api/v1/reports/{report['id']}/attachments",
        files={"file": (filename, data, declared)},
        headers={"X-Reporter-Token": report["reporter_token"]},
    )


def assert_public_copy_is_clean(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert len(image.getexif()) == 0 and not image.getexif().get_ifd(corpus.GPS_IFD)
    assert not {"exif", "xmp", "photoshop", "icc_profile"} & set(image.info)
    for pattern in (*corpus.METADATA_PATTERNS, *ZIP_MARKERS, corpus.PLANTED, corpus.EICAR):
        assert pattern not in data, pattern
    assert data.endswith(b"\xff\xd9")  # nothing after the JPEG's end-of-image marker


ACCEPTED: list[tuple[str, Callable[[], bytes], str, str]] = [
    ("jpeg", lambda: corpus.photo("JPEG"), "anh.jpg", "image/jpeg"),
    ("png", lambda: corpus.photo("PNG"), "anh.png", "image/png"),
    ("webp", lambda: corpus.photo("WEBP"), "anh.webp", "image/webp"),
    ("jpeg named .png", lambda: corpus.photo("JPEG"), "anh.png", "image/jpeg"),  # judged by content
    ("jpeg+zip polyglot", corpus.jpeg_zip_polyglot, "anh.jpg", "image/jpeg"),
    ("exif gps", corpus.jpeg_with_exif_gps, "anh.jpg", "image/jpeg"),
    ("xmp gps", corpus.jpeg_with_xmp_gps, "anh.jpg", "image/jpeg"),
    ("iptc", corpus.jpeg_with_iptc, "anh.jpg", "image/jpeg"),
]


def test_real_photos_are_accepted_and_stored_as_clean_re_encodes(client, personas, db, report):
    for name, make, filename, detected in ACCEPTED:
        data = make()
        response = upload(client, report, data, filename=filename, declared="application/octet-stream")
        assert response.status_code == 201, (name, response.text)
        assert response.json()["content_type"] == detected, name
        photo_id = response.json()["id"]
        base = f"/api/v1/reports/{report['id']}/attachments/{photo_id}"

        public = client.get(base, headers=personas["ioc_operator"])
        assert public.headers["content-type"] == "image/jpeg"  # from the re-encode, never the upload
        assert public.headers["x-content-type-options"] == "nosniff"
        assert_public_copy_is_clean(public.content)

        original = client.get(base, params={"original": "true"}, headers=personas["ioc_operator"])
        assert original.content == data, name  # the IOC's original is the upload, byte for byte, with its metadata
        with db.read() as session:
            stored = session.get(Attachment, uuid.UUID(photo_id))
            names = {Path(stored.original_path).name, Path(stored.public_path).name}
        assert names == {f"{photo_id}.orig", f"{photo_id}.jpg"}  # server-made names, nothing from the upload


def test_originals_keep_their_location_metadata(client, personas, report):
    exif = upload(client, report, corpus.jpeg_with_exif_gps()).json()["id"]
    url = f"/api/v1/reports/{report['id']}/attachments/{exif}"
    original = client.get(url, params={"original": "true"}, headers=personas["ioc_operator"]).content
    gps = Image.open(io.BytesIO(original)).getexif().get_ifd(corpus.GPS_IFD)
    assert gps[1] == "N" and gps[3] == "E"
    for make, pattern in ((corpus.jpeg_with_xmp_gps, b"exif:GPSLatitude"), (corpus.jpeg_with_iptc, corpus.PLANTED)):
        photo_id = upload(client, report, make()).json()["id"]
        url = f"/api/v1/reports/{report['id']}/attachments/{photo_id}"
        assert pattern in client.get(url, params={"original": "true"}, headers=personas["ioc_operator"]).content


NOT_IMAGES = "Tệp không phải ảnh JPEG, PNG hoặc WebP (not a supported image)."
CORRUPT = "Ảnh bị hỏng hoặc không đọc được (corrupt image)."
REFUSED: list[tuple[str, Callable[[], bytes], str, int, str]] = [
    (".jpg that is HTML", lambda: corpus.HTML_PAGE, "anh.jpg", 415, NOT_IMAGES),
    (".jpg that is SVG", lambda: corpus.SVG_WITH_SCRIPT, "anh.jpg", 415, NOT_IMAGES),
    ("SVG with a script", lambda: corpus.SVG_WITH_SCRIPT, "anh.svg", 415, NOT_IMAGES),
    (".jpg that is PDF", lambda: corpus.PDF_FILE, "anh.jpg", 415, NOT_IMAGES),
    (".jpg that is ZIP", corpus.zip_file, "anh.jpg", 415, NOT_IMAGES),
    ("FITS", corpus.fits_file, "anh.jpg", 415, NOT_IMAGES),
    ("GIF", lambda: corpus.photo("GIF"), "anh.gif", 415, NOT_IMAGES),
    ("empty file", lambda: b"", "anh.jpg", 422, "Tệp ảnh rỗng (empty file)."),
    ("truncated JPEG", corpus.truncated_jpeg, "anh.jpg", 422, CORRUPT),
]


def test_files_that_are_not_photos_are_refused_with_a_clear_status(client, personas, report):
    for name, make, filename, status, message in REFUSED:
        response = upload(client, report, make(), filename=filename)
        assert (response.status_code, response.json()["detail"]) == (status, message), name
        assert client.get("/healthz").status_code == 200
    listed = client.get(f"/api/v1/reports/{report['id']}/attachments", headers=personas["ioc_operator"])
    assert listed.json() == []  # nothing was stored


def test_a_pixel_flood_is_refused_before_any_pixel_is_decoded(client, report, monkeypatch):
    decoded = []
    real_load = ImageFile.ImageFile.load

    def watched_load(image):  # type: ignore[no-untyped-def]
        decoded.append(image.size)
        return real_load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", watched_load)
    flood = corpus.pixel_flood_14000()
    assert len(flood) < 600_000  # 14000×14000 RGB: 588 MB once decoded
    response = upload(client, report, flood, filename="flood.png")
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == "Ảnh quá lớn: tối đa 40,000,000 điểm ảnh (image has too many pixels)."
    assert decoded == []
    assert upload(client, report, corpus.photo("PNG"), filename="ok.png").status_code == 201
    assert decoded  # the watch works: a real photo is decoded


def test_one_byte_over_the_limit_is_413(client, report, settings):
    settings.upload_max_bytes = 50_000
    exact = corpus.photo("PNG")
    exact += b"\0" * (50_000 - len(exact))  # trailing bytes after IEND: still a valid PNG
    assert upload(client, report, exact, filename="exact.png").status_code == 201
    response = upload(client, report, exact + b"\0", filename="over.png")
    assert response.status_code == 413
    assert response.json() == {
        "detail": "Ảnh vượt quá 0.0476837 MB (the photo is larger than 0.0476837 MB).",
        "code": "payload_too_large",
    }


def test_too_many_photos_on_one_report_is_422(client, report, monkeypatch):
    monkeypatch.setattr(service, "MAX_PER_REPORT", 2)
    for _ in range(2):
        assert upload(client, report, corpus.photo("PNG", (8, 8))).status_code == 201
    response = upload(client, report, corpus.photo("PNG", (8, 8)))
    assert response.status_code == 422
    assert response.json()["detail"] == "Mỗi phản ánh có tối đa 2 ảnh (at most 2 photos per report)."


def test_a_request_with_1001_multipart_parts_is_refused_not_crashed(client, report):
    boundary = "pahtparts"
    file_part = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\nx\r\n'
    field_part = f'--{boundary}\r\nContent-Disposition: form-data; name="f"\r\n\r\nx\r\n'
    for part in (file_part, field_part):
        body = (part * 1001 + f"--{boundary}--\r\n").encode()
        response = client.post(
            f"/api/v1/reports/{report['id']}/attachments",
            content=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "X-Reporter-Token": report["reporter_token"],
            },
        )
        assert response.status_code == 400, response.text
        assert response.json()["detail"].endswith("(could not parse the multipart body; at most 1000 parts).")
    assert client.get("/healthz").status_code == 200
