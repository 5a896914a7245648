"""Photos a citizen sent: downloaded from the provider's URL, or saved from an e-mail, into the inbox folder.

Downloads run outside any transaction. A photo that cannot be fetched (gone, too large, provider
down) is noted and skipped: the citizen's text is what makes the report, and it is never held back.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from paht.channels.base import Media, Parsed
from paht.config import Settings


def inbox_folder(settings: Settings, channel: str, inbound_key: str) -> Path:
    return settings.data_dir / "inbox" / channel / inbound_key


def save(folder: Path, name: str, data: bytes) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return str(path)


def fetch(parsed: Parsed, folder: Path, settings: Settings) -> None:
    """Replace every URL in `parsed.media` by a saved file; failures become notes."""
    kept: list[Media] = []
    for index, media in enumerate(parsed.media):
        if media.path:
            kept.append(media)
            continue
        try:
            data = _download(media.url or "", settings)
        except ValueError as exc:
            parsed.notes.append(str(exc))
            continue
        kept.append(Media(path=save(folder, f"{index}.bin", data), size=len(data)))
    parsed.media = kept


def _download(url: str, settings: Settings) -> bytes:
    limit = settings.upload_max_bytes
    if not url.startswith(("https://", "http://")):
        raise ValueError("ảnh có địa chỉ không hợp lệ; chưa được nhận (bad photo URL)")
    try:
        with (
            httpx.Client(timeout=settings.channel_http_timeout_seconds, follow_redirects=True) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise ValueError(f"không tải được ảnh (HTTP {response.status_code}); chưa được nhận")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise ValueError(f"ảnh vượt quá {limit // (1024 * 1024)} MB; chưa được nhận (too large)")
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.HTTPError as exc:
        raise ValueError(f"không tải được ảnh ({type(exc).__name__}); chưa được nhận") from exc


def read(media: Media) -> bytes | None:
    try:
        return Path(media.path or "").read_bytes()
    except OSError:
        return None
