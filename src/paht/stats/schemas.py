"""The statistics API's shapes. Every field is defined in docs/statistics.md."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class Timing(BaseModel):
    """A timed step: how many, how many on time, and how long (seconds; percentiles read from histograms)."""

    count: int
    on_time: int
    on_time_rate: float | None
    average_seconds: int | None
    median_seconds: int | None
    p90_seconds: int | None


class Intake(BaseModel):
    """The IOC's own work: receiving, dispatching, publishing."""

    received: int
    dispatched: int
    reopened: int
    rejected: int
    duplicates: int
    misrouted: int
    misroute_rate: float | None
    dispatch: Timing
    published: int
    publish: Timing
    editor_send_backs: int
    editor_send_back_rate: float | None


class Handling(BaseModel):
    """A handling body's work (or the sum over bodies)."""

    received: int = Field(description="reports dispatched to the body (assignments started)")
    acknowledged: int
    returned: int
    return_rate: float | None
    resolved: int
    resubmitted: int
    published: int
    sent_back_by_editor: int
    acknowledge: Timing
    resolve: Timing
    approve: Timing
    approvals: int
    send_backs: int
    send_back_rate: float | None


class Satisfaction(BaseModel):
    count: int
    average: float | None
    share_4_5: float | None
    distribution: dict[str, int]


class Overdue(BaseModel):
    total: int
    by_stage: dict[str, int]


class PeriodOut(BaseModel):
    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")
    preset: str | None
    days: int


class GroupStats(BaseModel):
    id: int | None
    code: str | None
    name: str
    intake: Intake | None = None
    handling: Handling
    satisfaction: Satisfaction
    overdue_now: Overdue


class IocStats(BaseModel):
    intake: Intake
    overdue_now: Overdue


class StatsOut(BaseModel):
    period: PeriodOut
    group_by: str
    organization_id: int | None
    category_id: int | None
    area: int | None
    generated_at: datetime
    ioc: IocStats | None
    total: GroupStats
    groups: list[GroupStats]


class RankingEntry(BaseModel):
    rank: int | None
    organization_id: int
    code: str
    name: str
    ranked: bool
    reason: str | None
    score: float | None
    volume: int
    components: dict[str, float | None]


class RankingOut(BaseModel):
    period: PeriodOut
    generated_at: datetime
    weights: dict[str, float]
    minimum_volume: int
    entries: list[RankingEntry]


class TrendPoint(BaseModel):
    start: date
    received: int
    assigned: int
    resolved: int
    published: int
    acknowledge_on_time_rate: float | None
    resolve_on_time_rate: float | None
    resolve_median_seconds: int | None
    satisfaction_average: float | None
    ratings: int


class TrendOut(BaseModel):
    granularity: str
    period: PeriodOut
    points: list[TrendPoint]


class OverdueItem(BaseModel):
    report_id: str
    code: str
    title: str | None
    state: str
    stage: str
    organization_id: int | None
    organization_name: str | None
    category_id: int | None
    started_at: datetime
    due_at: datetime
    overdue_seconds: int


class OverdueOut(BaseModel):
    generated_at: datetime
    total: int
    by_stage: dict[str, int]
    items: list[OverdueItem]
    next_cursor: str | None


class RunningOut(BaseModel):
    """Live clocks for a dashboard, per responsible party (organization id; 0 = the IOC)."""

    generated_at: datetime
    running: dict[str, dict[str, int]]
    overdue: dict[str, dict[str, int]]


class MixOut(BaseModel):
    period: PeriodOut
    channels: dict[str, int]
    hours: dict[str, int]
