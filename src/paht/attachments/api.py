"""Photo upload and download."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Header, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel

from paht.attachments import service
from paht.deps import AppSettings, CurrentActor, ReadSession, SignedIn, WriteSession
from paht.errors import PayloadTooLarge

router = APIRouter(prefix="/api/v1", tags=["attachments"])


class AttachmentOut(BaseModel):
    id: uuid.UUID
    kind: str
    content_type: str
    size_bytes: int
    width: int
    height: int
    created_at: datetime


@router.post("/reports/{report_id}/attachments", status_code=201, response_model=AttachmentOut)
def upload(
    report_id: uuid.UUID,
    file: Annotated[UploadFile, File(description="A JPEG, PNG or WebP photo")],
    session: WriteSession,
    actor: CurrentActor,
    settings: AppSettings,
    reporter_token: Annotated[str | None, Header(alias="X-Reporter-Token")] = None,
) -> Any:
    """Add a photo: the reporter (bearer or X-Reporter-Token) or the IOC to the report, the handler to the result."""
    data = file.file.read(settings.upload_max_bytes + 1)
    if len(data) > settings.upload_max_bytes:
        raise PayloadTooLarge(f"Ảnh vượt quá {settings.upload_max_bytes // (1024 * 1024)} MB.")
    attachment = service.add_attachment(
        session, report_id, data, actor=actor, reporter_token=reporter_token, settings=settings
    )
    session.commit()
    return AttachmentOut.model_validate(attachment, from_attributes=True)


@router.get("/reports/{report_id}/attachments", response_model=list[AttachmentOut])
def list_attachments(report_id: uuid.UUID, session: ReadSession, actor: SignedIn) -> Any:
    from paht.reports.queries import get_visible

    get_visible(session, report_id, actor)
    return [AttachmentOut.model_validate(a, from_attributes=True) for a in service.list_for(session, report_id)]


@router.get("/reports/{report_id}/attachments/{attachment_id}", response_class=FileResponse)
def staff_download(
    report_id: uuid.UUID,
    attachment_id: uuid.UUID,
    session: ReadSession,
    actor: SignedIn,
    original: bool = False,
) -> Any:
    """Staff copy; `?original=true` gives the file as uploaded (with its metadata)."""
    attachment = service.staff_file(session, report_id, attachment_id, actor)
    if original:
        return FileResponse(attachment.original_path, media_type=attachment.content_type)
    return FileResponse(attachment.public_path, media_type="image/jpeg")


@router.get("/public/attachments/{attachment_id}", response_class=FileResponse)
def public_download(attachment_id: uuid.UUID, session: ReadSession) -> Any:
    return FileResponse(service.public_file(session, attachment_id), media_type="image/jpeg")
