"""Photo checks by content, never by file name; public copies re-encoded without EXIF or GPS."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from paht.errors import Invalid, UnsupportedMedia

# The only decoders Pillow may try on an upload; everything else is refused unopened.
DECODERS = ("JPEG", "PNG", "WEBP")
# MPO is what many phone cameras write: a JPEG with extra frames (depth, preview); Pillow's JPEG decoder opens it.
ACCEPTED = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass(frozen=True)
class CheckedImage:
    content_type: str
    width: int
    height: int
    public_jpeg: bytes


def _too_many_pixels(width: int | None, height: int | None, max_pixels: int) -> Invalid:
    size = f" ({width}×{height})" if width and height else ""  # unknown when Pillow's own bomb check refused it
    return Invalid(f"Ảnh quá lớn{size}: tối đa {max_pixels:,} điểm ảnh (image has too many pixels).")


def _probe(data: bytes, max_pixels: int) -> tuple[str, int, int]:
    """Read only the header: the format and the size, before any pixel is decoded."""
    if not data:
        raise Invalid("Tệp ảnh rỗng (empty file).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data), formats=DECODERS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(None, None, max_pixels) from exc
    except (UnidentifiedImageError, OSError) as exc:
        raise UnsupportedMedia("Tệp không phải ảnh JPEG, PNG hoặc WebP (not a supported image).") from exc
    width, height = probe.size
    if width * height > max_pixels:
        raise _too_many_pixels(width, height, max_pixels)
    assert probe.format is not None
    return probe.format, width, height


def check_and_reencode(data: bytes, *, max_pixels: int, public_max_side: int) -> CheckedImage:
    fmt, width, height = _probe(data, max_pixels)
    try:
        image = Image.open(io.BytesIO(data), formats=DECODERS)
        image.draft("RGB", (public_max_side, public_max_side))  # JPEG decodes at a reduced scale: less memory
        image.load()
        # Shrink first, then rotate and convert the small copy: a 40 MP PNG decodes to 120 MB, and every
        # full-size copy (convert, exif_transpose) would add as much again.
        if image.mode not in ("RGB", "L", "RGBA"):
            image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        image.thumbnail((public_max_side, public_max_side))
        image = ImageOps.exif_transpose(image).convert("RGB")
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=85, optimize=True)  # no exif=/xmp=/icc_profile=: metadata is dropped
    except Exception as exc:  # any decoder failure on untrusted bytes means a broken file, not a server error
        raise Invalid("Ảnh bị hỏng hoặc không đọc được (corrupt image).") from exc
    return CheckedImage(ACCEPTED[fmt], width, height, out.getvalue())
