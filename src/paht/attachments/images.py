"""Photo checks by content, never by file name; public copies re-encoded without EXIF or GPS."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from paht.errors import Invalid, UnsupportedMedia

ACCEPTED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass(frozen=True)
class CheckedImage:
    content_type: str
    width: int
    height: int
    public_jpeg: bytes


def check_and_reencode(data: bytes, *, max_pixels: int, public_max_side: int) -> CheckedImage:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            fmt = probe.format
            width, height = probe.size
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
    ) as exc:
        raise UnsupportedMedia("Tệp không phải ảnh JPEG, PNG hoặc WebP (not a supported image).") from exc
    if fmt not in ACCEPTED:
        raise UnsupportedMedia(f"Định dạng {fmt} không được chấp nhận; chỉ JPEG, PNG, WebP.")
    if width * height > max_pixels:
        raise Invalid(f"Ảnh quá lớn: {width}×{height} điểm ảnh (limit {max_pixels:,} pixels).")
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
        image = ImageOps.exif_transpose(image)
        image = image.convert("RGB")
        image.thumbnail((public_max_side, public_max_side))
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=85, optimize=True)  # no exif= argument: metadata is dropped
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise Invalid("Ảnh bị hỏng hoặc không đọc được (corrupt image).") from exc
    return CheckedImage(ACCEPTED[fmt], width, height, out.getvalue())
