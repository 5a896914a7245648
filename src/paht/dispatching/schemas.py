"""Shapes of the dispatch-help API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from paht.intake.schemas import CleanText
from paht.params import JsonBool


class ReasonOut(BaseModel):
    code: str
    text: str
    text_en: str


class BodyRef(BaseModel):
    id: int
    code: str
    name: str


class ModelInfo(BaseModel):
    id: int
    examples: int
    trained_at: datetime


class SuggestionOut(BaseModel):
    organization: BodyRef
    confidence: float
    reasons: list[ReasonOut]


class SuggestionsOut(BaseModel):
    report_id: uuid.UUID
    area: str | None
    model: ModelInfo | None
    items: list[SuggestionOut]


class CategorySuggestionOut(BaseModel):
    category: BodyRef
    confidence: float


class CategorySuggestionsOut(BaseModel):
    report_id: uuid.UUID
    current_category_id: int | None
    model: ModelInfo | None
    items: list[CategorySuggestionOut]


class DuplicateOut(BaseModel):
    id: uuid.UUID
    code: str
    state: str
    title: str | None
    created_at: datetime
    score: float
    distance_m: float | None
    text_similarity: float
    older: bool
    reasons: list[ReasonOut]


class DuplicatesOut(BaseModel):
    report_id: uuid.UUID
    distance_m: float
    window_days: int
    items: list[DuplicateOut]


class RoutingRuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category_id: int | None = None
    area_id: int | None = None
    organization_id: int
    note: Annotated[CleanText | None, Field(max_length=500)] = None
    active: JsonBool = True


class RoutingRuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    category_id: int | None
    area_id: int | None
    organization_id: int
    note: str | None
    active: bool
    created_at: datetime
    updated_at: datetime


class MeTooOut(BaseModel):
    code: str
    count: int
    added: bool
