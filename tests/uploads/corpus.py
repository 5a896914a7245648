"""The upload fixture corpus of reliability-anchors rows 8–10, generated in code (no binary files in the repo)."""

from __future__ import annotations

import gzip
import io
import struct
import zipfile
import zlib
from functools import cache
from pathlib import Path

from PIL import Image

GPS_IFD, MAKE = 0x8825, 0x010F
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
PLANTED = b"Planted-Reporter-Home"  # in every metadata block; must never reach a public copy
# Byte patterns of location metadata: EXIF, XMP and Photoshop/IPTC blocks, GPS tag names.
METADATA_PATTERNS = (b"Exif\0\0", b"GPSLatitude", b"GPSLongitude", b"exif:GPS", b"ns.adobe.com/xap", b"Photoshop 3.0")


def photo(fmt: str, size: tuple[int, int] = (48, 32), **options: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (40, 140, 90)).save(out, fmt, **options)
    return out.getvalue()


def jpeg_with_exif_gps() -> bytes:
    """EXIF with a camera make, a GPS position in Huế and an embedded thumbnail, as phones write."""
    exif = Image.Exif()
    exif[MAKE] = PLANTED.decode()
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (16.0, 27.0, 49.32), 3: "E", 4: (107.0, 35.0, 27.24)})
    return photo("JPEG", exif=exif)


def jpeg_with_xmp_gps() -> bytes:
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="16,27.822N" '
        b'exif:GPSLongitude="107,35.454E" exif:UserComment="' + PLANTED + b'"/></rdf:RDF></x:xmpmeta>'
    )
    return photo("JPEG", xmp=xmp)


def jpeg_with_iptc() -> bytes:
    """An APP13 Photoshop block with IPTC location fields (Pillow reads IPTC but cannot write it)."""
    records = b"".join(
        b"\x1c\x02" + bytes([dataset]) + struct.pack(">H", len(value)) + value
        for dataset, value in ((92, PLANTED), (90, b"Hue"), (101, b"Viet Nam"))
    )
    resource = b"8BIM\x04\x04\0\0" + struct.pack(">I", len(records)) + records + b"\0" * (len(records) % 2)
    segment = b"Photoshop 3.0\0" + resource
    jpeg = photo("JPEG")
    return jpeg[:2] + b"\xff\xed" + struct.pack(">H", len(segment) + 2) + segment + jpeg[2:]


def jpeg_zip_polyglot() -> bytes:
    """A valid JPEG with a ZIP archive appended: image viewers see a photo, unzip sees a payload."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("payload.html", "<script>alert(document.cookie)</script>")
    return photo("JPEG") + archive.getvalue()


def zip_file() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("anh.jpg", photo("JPEG"))
    return archive.getvalue()


def truncated_jpeg() -> bytes:
    noise = Image.frombytes("RGB", (160, 160), bytes((i * 7919) % 251 for i in range(160 * 160 * 3)))
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=95)
    return out.getvalue()[: len(out.getvalue()) // 2]


def fits_file() -> bytes:
    """A minimal FITS image (Pillow has a FITS decoder; it must never be tried on an upload)."""
    cards = [
        "SIMPLE  =                    T",
        "BITPIX  =                    8",
        "NAXIS   =                    2",
        "NAXIS1  =                    8",
        "NAXIS2  =                    8",
        "END",
    ]
    header = "".join(card.ljust(80) for card in cards).ljust(2880).encode()
    return header + bytes(64).ljust(2880, b"\0")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_pixel_flood(side: int = 14_000, *, level: int = 9) -> bytes:
    """A single-colour `side`×`side` PNG: small on disk, ~`side`² × 3 bytes once decoded."""
    header = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
    compressor, row = zlib.compressobj(level), b"\0" * (1 + side * 3)
    pixels = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + header + _png_chunk(b"IDAT", pixels) + _png_chunk(b"IEND", b"")


@cache
def pixel_flood_14000() -> bytes:
    """`png_pixel_flood(14_000)` (572 KB; 2–3 s of CPU to compress), stored gzipped in 1 KB."""
    return gzip.decompress((Path(__file__).parent / "fixtures" / "pixel-flood-14000.png.gz").read_bytes())


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)
HTML_PAGE = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
PDF_FILE = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
