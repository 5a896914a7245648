"""What any channel hands to the intake service."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from paht.contact import normalise_email, normalise_phone
from paht.enums import Channel
from paht.params import JsonBool
from paht.text import clean

CleanText = Annotated[str, AfterValidator(clean)]


def blank_to_none(value: str | None) -> str | None:
    """Optional text that is blank after cleaning is absent, not an empty string."""
    return value or None


def _non_empty(value: str) -> str:
    if not value:
        raise ValueError("không được để trống (must not be empty)")
    return value


class Location(BaseModel):
    model_config = ConfigDict(extra="forbid")

    """A point on the map, a typed address (a hotline caller's words), or both."""

    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    address: Annotated[CleanText | None, Field(max_length=500), AfterValidator(blank_to_none)] = None

    @model_validator(mode="after")
    def _point_or_address(self) -> Location:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("cần cả vĩ độ và kinh độ (lat and lon go together)")
        if self.lat is None and not self.address:
            raise ValueError("cần một điểm trên bản đồ hoặc một địa chỉ (a point or an address is required)")
        return self


class Reporter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[CleanText | None, Field(max_length=255), AfterValidator(blank_to_none)] = None
    phone: Annotated[str | None, AfterValidator(lambda v: normalise_phone(v) if v else None)] = None
    email: Annotated[str | None, AfterValidator(lambda v: normalise_email(v) if v else None)] = None


class ReportCreate(BaseModel):
    """A new report as the app, the portal or an operator sends it."""

    model_config = ConfigDict(extra="forbid")

    description: Annotated[CleanText, AfterValidator(_non_empty), Field(max_length=5000)]
    title: Annotated[CleanText | None, Field(max_length=200), AfterValidator(blank_to_none)] = None
    category_id: int | None = None
    location: Location | None = None
    urgent: JsonBool = False
    reporter: Reporter | None = None
    anonymous: JsonBool = False
    consent: JsonBool = False
    channel: Channel | None = None

    @model_validator(mode="after")
    def _consent_given(self) -> ReportCreate:
        if not self.consent:
            raise ValueError("cần đồng ý xử lý dữ liệu cá nhân (consent must be true to process personal data)")
        return self
