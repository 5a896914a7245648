"""From summed counters and histograms to the published metrics (rates, averages, percentiles)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from paht.stats.definitions import quantile, ratio
from paht.stats.schemas import Handling, Intake, Overdue, Satisfaction, Timing

EMPTY: Counter[str] = Counter()


def histogram(buckets: Mapping[str, int]) -> dict[int, int]:
    return {int(label): count for label, count in buckets.items() if count}


def timing(c: Mapping[str, int], prefix: str, buckets: Mapping[str, int] | None) -> Timing:
    count, on_time, seconds = c.get(f"{prefix}_timed", 0), c.get(f"{prefix}_on_time", 0), c.get(f"{prefix}_seconds", 0)
    hist = histogram(buckets or {})
    return Timing(
        count=count,
        on_time=on_time,
        on_time_rate=ratio(on_time, count),
        average_seconds=round(seconds / count) if count else None,
        median_seconds=quantile(hist, 0.5),
        p90_seconds=quantile(hist, 0.9),
    )


def intake(c: Mapping[str, int], b: Mapping[str, Mapping[str, int]]) -> Intake:
    return Intake(
        received=c.get("received", 0),
        dispatched=c.get("dispatched", 0),
        reopened=c.get("reopened", 0),
        rejected=c.get("rejected", 0),
        duplicates=c.get("duplicates", 0),
        misrouted=c.get("misrouted", 0),
        misroute_rate=ratio(c.get("misrouted", 0), c.get("dispatched", 0)),
        dispatch=timing(c, "dispatch", b.get("dispatch")),
        published=c.get("published", 0),
        publish=timing(c, "publish", b.get("publish")),
        editor_send_backs=c.get("editor_send_backs", 0),
        editor_send_back_rate=ratio(c.get("editor_send_backs", 0), c.get("publish_timed", 0)),
    )


def handling(c: Mapping[str, int], b: Mapping[str, Mapping[str, int]]) -> Handling:
    return Handling(
        received=c.get("assigned", 0),
        acknowledged=c.get("acknowledged", 0),
        returned=c.get("returned", 0),
        return_rate=ratio(c.get("returned", 0), c.get("assigned", 0)),
        resolved=c.get("resolved", 0),
        resubmitted=c.get("resubmitted", 0),
        published=c.get("results_published", 0),
        sent_back_by_editor=c.get("results_sent_back", 0),
        acknowledge=timing(c, "ack", b.get("acknowledge")),
        resolve=timing(c, "resolve", b.get("resolve")),
        approve=timing(c, "approve", b.get("approve")),
        approvals=c.get("approvals", 0),
        send_backs=c.get("leader_send_backs", 0),
        send_back_rate=ratio(c.get("leader_send_backs", 0), c.get("approve_timed", 0)),
    )


def satisfaction(c: Mapping[str, int]) -> Satisfaction:
    distribution = {str(n): c.get(f"rating_{n}", 0) for n in range(1, 6)}
    count = sum(distribution.values())
    points = sum(n * distribution[str(n)] for n in range(1, 6))
    return Satisfaction(
        count=count,
        average=round(points / count, 4) if count else None,
        share_4_5=ratio(distribution["4"] + distribution["5"], count),
        distribution=distribution,
    )


def overdue(stages: Mapping[str, int] | None) -> Overdue:
    stages = dict(stages or {})
    return Overdue(total=sum(stages.values()), by_stage=stages)
