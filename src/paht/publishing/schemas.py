"""Public shapes: only what the IOC published, never personal data, never the original text."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel


class NamedRef(BaseModel):
    id: int
    code: str
    name: str


class StepTimes(BaseModel):
    received_at: datetime
    dispatched_at: datetime | None
    acknowledged_at: datetime | None
    result_submitted_at: datetime | None
    approved_at: datetime | None
    published_at: datetime | None
    closed_at: datetime | None


class RatingSummary(BaseModel):
    count: int
    average: float | None


class PublicPhoto(BaseModel):
    id: uuid.UUID
    kind: str
    url: str
    width: int
    height: int


class PublicReport(BaseModel):
    code: str
    title: str | None
    description: str | None
    result: str | None
    urgent: bool
    category: NamedRef | None
    organization: NamedRef | None
    lat: float | None
    lon: float | None
    steps: StepTimes
    rating: RatingSummary
    photos: list[PublicPhoto] = []


class PublicReportPage(BaseModel):
    items: list[PublicReport]
    next_cursor: str | None


class TrackOut(BaseModel):
    code: str
    state: str
    state_label: str
    urgent: bool
    channel: str
    category: NamedRef | None
    organization: NamedRef | None
    steps: StepTimes
    close_reason: str | None
    duplicate_of_code: str | None
    public_result: str | None
