"""What the reports API returns and accepts for each action."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from paht.intake.schemas import CleanText, _non_empty, blank_to_none

Required = Annotated[CleanText, AfterValidator(_non_empty)]


class LocationOut(BaseModel):
    lat: float | None
    lon: float | None
    address: str | None = None


class ReporterOut(BaseModel):
    name: str | None
    phone: str | None
    email: str | None
    anonymous: bool
    consent: bool
    consent_notice_version: str | None


class ClockOut(BaseModel):
    stage: str
    started_at: datetime
    due_at: datetime
    overdue: bool


class AssignmentOut(BaseModel):
    id: int
    organization_id: int
    organization_name: str | None = None
    dispatched_at: datetime
    ack_due_at: datetime
    acknowledged_at: datetime | None
    ack_on_time: bool | None
    returned_at: datetime | None
    return_reason: str | None
    suggested_organization_id: int | None
    resolve_due_at: datetime | None
    result_submitted_at: datetime | None
    resolve_on_time: bool | None
    approve_due_at: datetime | None
    approved_at: datetime | None
    approve_on_time: bool | None
    publish_due_at: datetime | None
    published_at: datetime | None
    send_backs: int


class ReportOut(BaseModel):
    id: uuid.UUID
    code: str
    state: str
    state_label: str
    version: int
    channel: str
    urgent: bool
    title: str | None
    description: str
    category_id: int | None
    location: LocationOut | None
    organization_id: int | None = Field(description="The body that holds the report now (None at the IOC).")
    duplicate_of_id: uuid.UUID | None
    close_reason: str | None
    result: str | None
    approved_result: str | None
    public_title: str | None
    public_description: str | None
    public_result: str | None
    rating: int | None
    created_at: datetime
    updated_at: datetime
    dispatched_at: datetime | None
    published_at: datetime | None
    closed_at: datetime | None
    assignment: AssignmentOut | None = None
    clock: ClockOut | None = None
    reporter: ReporterOut | None = Field(None, description="Only for IOC staff; every read is audited.")


class ReportCreated(ReportOut):
    reporter_token: str | None = Field(
        None, description="Shown once: lets an anonymous reporter add photos and rate the result."
    )


class ReportPage(BaseModel):
    items: list[ReportOut]
    next_cursor: str | None


class EventOut(BaseModel):
    id: int
    kind: str
    action: str | None
    from_state: str | None
    to_state: str | None
    actor_id: int | None
    actor_role: str | None
    organization_id: int | None
    payload: dict
    created_at: datetime


class ActionOut(BaseModel):
    action: str
    label: str
    label_en: str
    requires: list[str]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DispatchIn(_Payload):
    organization_id: int
    note: Annotated[CleanText | None, Field(max_length=2000), AfterValidator(blank_to_none)] = None


class AcknowledgeIn(_Payload):
    pass


class ReturnIn(_Payload):
    reason: Annotated[Required, Field(max_length=2000)]
    suggested_organization_id: int


class SubmitResultIn(_Payload):
    result: Annotated[Required, Field(max_length=10000)]


class ApproveIn(_Payload):
    result: Annotated[CleanText | None, Field(max_length=10000)] = None


class ReleaseIn(_Payload):
    note: Annotated[CleanText | None, Field(max_length=2000)] = None


class ReasonIn(_Payload):
    reason: Annotated[Required, Field(max_length=2000)]


class PublishIn(_Payload):
    title: Annotated[CleanText | None, Field(max_length=200)] = None
    description: Annotated[CleanText | None, Field(max_length=5000)] = None
    result: Annotated[CleanText | None, Field(max_length=10000)] = None


class MarkDuplicateIn(_Payload):
    duplicate_of_id: uuid.UUID
