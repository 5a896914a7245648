"""Photo upload and download."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Header, Request, Response, UploadFile
from fastapi.responses import FileResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel

from paht.attachments import service
from paht.config import Settings
from paht.deps import AppSettings, CurrentActor, ReadSession, SignedIn, WriteSession
from paht.errors import NotPermitted
from paht.fastpath import replayed
from paht.responses import OPTIONAL_AUTH, errors

# Room for the multipart boundaries and part headers around the one file.
MULTIPART_OVERHEAD = 64 * 1024


class BoundedUploadRoute(APIRoute):
    """Refuses a body over the upload limit as it arrives, before the multipart parser spools it anywhere.

    Without this the whole body — of any size — is parsed into a temporary file before the route runs.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def bounded(request: Request) -> Response:
            settings: Settings = request.app.state.settings
            limit = settings.upload_max_bytes + MULTIPART_OVERHEAD
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise service.too_large(settings)
            body = bytearray()
            async for chunk in request.stream():
                body += chunk
                if len(body) > limit:
                    raise service.too_large(settings)
            return await handler(Request(request.scope, replayed(bytes(body), request.receive)))

        return bounded


router = APIRouter(
    prefix="/api/v1", tags=["attachments"], responses=errors(400, 401, 403, 404, 409, 413, 415, 422, 429)
)
uploads = APIRouter(route_class=BoundedUploadRoute)  # included below, under /api/v1 and its tags


class AttachmentOut(BaseModel):
    id: uuid.UUID
    kind: str
    content_type: str
    size_bytes: int
    width: int
    height: int
    created_at: datetime
    scan_status: str  # not_scanned | pending | clean | infected (only not_scanned and clean are served)


@uploads.post(
    "/reports/{report_id}/attachments", status_code=201, response_model=AttachmentOut, openapi_extra=OPTIONAL_AUTH
)
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
        raise service.too_large(settings)
    attachment = service.add_attachment(
        session, report_id, data, actor=actor, reporter_token=reporter_token, settings=settings
    )
    session.commit()
    return AttachmentOut.model_validate(attachment, from_attributes=True)


@router.get("/reports/{report_id}/attachments", response_model=list[AttachmentOut])
def list_attachments(report_id: uuid.UUID, session: ReadSession, actor: SignedIn) -> Any:
    from paht.reports.queries import get_visible

    get_visible(session, report_id, actor)
    photos = service.list_for(session, report_id, servable_only=False)  # staff see pending and quarantined ones too
    return [AttachmentOut.model_validate(a, from_attributes=True) for a in photos]


@router.get("/reports/{report_id}/attachments/{attachment_id}", response_class=FileResponse)
def staff_download(
    report_id: uuid.UUID,
    attachment_id: uuid.UUID,
    session: ReadSession,
    actor: SignedIn,
    original: bool = False,
) -> Any:
    """Staff copy; `?original=true` (IOC only) gives the file as uploaded, with its metadata.

    Originals can carry the reporter's camera owner name and home GPS, which handling bodies must not see.
    """
    attachment = service.staff_file(session, report_id, attachment_id, actor)
    if original and not actor.sees_contacts:
        raise NotPermitted("Chỉ IOC được tải ảnh gốc (only the IOC may download originals).")
    if original:
        return FileResponse(attachment.original_path, media_type=attachment.content_type)
    return FileResponse(attachment.public_path, media_type="image/jpeg")


@router.get("/public/attachments/{attachment_id}", response_class=FileResponse)
def public_download(attachment_id: uuid.UUID, session: ReadSession) -> Any:
    return FileResponse(service.public_file(session, attachment_id), media_type="image/jpeg")


router.include_router(uploads)
