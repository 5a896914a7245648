"""The statistics of a period as one flat table (the IOC, the total, then one row per group) for export."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from paht.stats.exports import Column, Table
from paht.stats.schemas import GroupStats, Intake, StatsOut, Timing


def _percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def _minutes(value: int | None) -> float | None:
    return None if value is None else round(value / 60, 1)


def _hours(value: int | None) -> float | None:
    return None if value is None else round(value / 3600, 2)


Getter = Callable[[GroupStats], Any]


def _t(pick: Callable[[GroupStats], Timing], field: str, unit: Callable[[int | None], float | None]) -> Getter:
    return lambda g: unit(getattr(pick(g), field))


def _i(pick: Callable[[Intake], Any]) -> Getter:
    return lambda g: pick(g.intake) if g.intake is not None else None


ACK, RES, APP = (lambda g: g.handling.acknowledge), (lambda g: g.handling.resolve), (lambda g: g.handling.approve)
COLUMNS: list[tuple[Column, Getter]] = [
    (Column("code", "Mã", "Code"), lambda g: g.code),
    (Column("name", "Tên", "Name"), lambda g: g.name),
    (Column("received", "Nhận xử lý", "Received"), lambda g: g.handling.received),
    (Column("acknowledged", "Đã tiếp nhận", "Acknowledged"), lambda g: g.handling.acknowledged),
    (Column("ack_rate", "Tiếp nhận đúng hạn (%)", "Acknowledged on time (%)"), _t(ACK, "on_time_rate", _percent)),
    (
        Column("ack_median", "Thời gian tiếp nhận, trung vị (phút)", "Time to acknowledge, median (min)"),
        _t(ACK, "median_seconds", _minutes),
    ),
    (
        Column("ack_p90", "Thời gian tiếp nhận, p90 (phút)", "Time to acknowledge, p90 (min)"),
        _t(ACK, "p90_seconds", _minutes),
    ),
    (Column("returned", "Trả lại", "Returned"), lambda g: g.handling.returned),
    (Column("return_rate", "Tỷ lệ trả lại (%)", "Return rate (%)"), lambda g: _percent(g.handling.return_rate)),
    (Column("resolved", "Đã xử lý", "Resolved"), lambda g: g.handling.resolved),
    (Column("resolve_rate", "Xử lý đúng hạn (%)", "Resolved on time (%)"), _t(RES, "on_time_rate", _percent)),
    (
        Column("resolve_median", "Thời gian xử lý, trung vị (giờ)", "Time to resolve, median (h)"),
        _t(RES, "median_seconds", _hours),
    ),
    (Column("resolve_p90", "Thời gian xử lý, p90 (giờ)", "Time to resolve, p90 (h)"), _t(RES, "p90_seconds", _hours)),
    (Column("approve_rate", "Phê duyệt đúng hạn (%)", "Approved on time (%)"), _t(APP, "on_time_rate", _percent)),
    (
        Column("approve_median", "Thời gian phê duyệt, trung vị (giờ)", "Time to approve, median (h)"),
        _t(APP, "median_seconds", _hours),
    ),
    (
        Column("send_back_rate", "Tỷ lệ lãnh đạo trả lại (%)", "Leaders' send-back rate (%)"),
        lambda g: _percent(g.handling.send_back_rate),
    ),
    (Column("published", "Đã công khai", "Published"), lambda g: g.handling.published),
    (Column("ratings", "Số đánh giá", "Ratings"), lambda g: g.satisfaction.count),
    (Column("rating_avg", "Điểm hài lòng trung bình", "Average rating"), lambda g: g.satisfaction.average),
    (Column("rating_4_5", "Tỷ lệ đánh giá 4–5 (%)", "Rated 4–5 (%)"), lambda g: _percent(g.satisfaction.share_4_5)),
    (Column("overdue", "Đang quá hạn", "Overdue now"), lambda g: g.overdue_now.total),
    (Column("ioc_received", "IOC: phản ánh tiếp nhận", "IOC: reports received"), _i(lambda i: i.received)),
    (Column("ioc_dispatched", "IOC: lượt chuyển xử lý", "IOC: dispatches"), _i(lambda i: i.dispatched)),
    (Column("ioc_misroute", "IOC: chuyển nhầm (%)", "IOC: misroute rate (%)"), _i(lambda i: _percent(i.misroute_rate))),
    (
        Column("ioc_dispatch_median", "IOC: thời gian chuyển, trung vị (phút)", "IOC: time to dispatch, median (min)"),
        _i(lambda i: _minutes(i.dispatch.median_seconds)),
    ),
    (
        Column("ioc_publish_median", "IOC: thời gian công khai, trung vị (giờ)", "IOC: time to publish, median (h)"),
        _i(lambda i: _hours(i.publish.median_seconds)),
    ),
]


def stats_table(stats: StatsOut, lang: str) -> Table:
    """Rows: the IOC's own figures (intake columns only), the total, then each group."""
    rows_out: list[list[Any]] = []
    if stats.ioc is not None:
        intake_only = stats.total.model_copy(update={"intake": stats.ioc.intake, "overdue_now": stats.ioc.overdue_now})
        rows_out.append(
            [
                "IOC" if column.key == "code" else getter(intake_only) if _ioc_column(column) else None
                for column, getter in COLUMNS
            ]
        )
    for group in (stats.total, *stats.groups):
        rows_out.append([getter(group) for _, getter in COLUMNS])
    name = "thong-ke" if lang != "en" else "statistics"
    return Table(name, [column for column, _ in COLUMNS], lambda: iter(rows_out))


def _ioc_column(column: Column) -> bool:
    return column.key in ("name", "overdue") or column.key.startswith("ioc_")
