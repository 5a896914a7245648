"""A hand-built fortnight in Huế (late April 2026) whose every statistic is worked out by hand in the tests.

Calendar: Sun 26 Apr and Mon 27 Apr (observed) are Hùng Kings' day, Thu 30 Apr and Fri 1 May are
holidays; office hours 07:30–11:30 and 13:30–17:00 (450 minutes a working day). Body A = SXD, body
B = PHUHOI. All times are local (UTC+7).

R1 streetlight (2 working days), app: the happy path across the long weekend, rated 5, then reopened.
R2 streetlight, web: misrouted to B (returned), re-dispatched to A, sent back by the leader, then by the
   IOC editor, published, rated 2.
R3 flooding (urgent, 24/7), hotline: late acknowledgement, late result, approved, never published.
R4 no category, email: rejected.        R5 streetlight, facebook: a duplicate of R1.
R6 rubbish, zalo: dispatched to B and never acknowledged.
R7 building control, app at 06:50 local (23:50 UTC the day before): acknowledged by A, then returned
   two days later from processing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from paht.enums import Channel
from tests.stats.world import World, local

NOW = local("2026-05-07 09:00")  # when "overdue now" is read


@dataclass
class Reports:
    r1: uuid.UUID
    r2: uuid.UUID
    r3: uuid.UUID
    r4: uuid.UUID
    r5: uuid.UUID
    r6: uuid.UUID
    r7: uuid.UUID


def build(world: World) -> Reports:
    w = world
    r1 = w.submit("2026-04-24 16:00", "CHIEU_SANG", Channel.app)
    w.act(r1, "2026-04-24 16:10", "dispatch", "operator", organization="SXD")  # 10 min, on time
    w.act(r1, "2026-04-24 16:25", "acknowledge", "handler_a")  # 15 min, on time
    r3 = w.submit("2026-04-25 22:00", "NGAP_UNG", Channel.hotline)
    w.act(r3, "2026-04-25 22:20", "dispatch", "operator", organization="SXD")  # 20 min, on time
    w.act(r3, "2026-04-25 23:10", "acknowledge", "handler_a")  # 50 min, late
    w.act(r3, "2026-04-27 08:10", "submit_result", "handler_a")  # 33 h, urgent deadline 24 h: late
    w.act(r3, "2026-04-27 09:10", "approve", "leader_a")  # 1 h, on time (urgent: 24 h)

    r2 = w.submit("2026-04-27 08:00", "CHIEU_SANG", Channel.web)
    w.act(r2, "2026-04-27 09:00", "dispatch", "operator", organization="PHUHOI")  # 60 min, late
    w.act(r2, "2026-04-27 09:20", "return", "handler_b", suggested="SXD")  # answers in 20 min
    w.act(r2, "2026-04-27 09:50", "dispatch", "operator", organization="SXD")  # exactly 30 min: on time
    w.act(r2, "2026-04-27 10:35", "acknowledge", "handler_a")  # 45 min, late
    w.act(r2, "2026-04-28 16:00", "submit_result", "handler_a")  # due Wed 29 17:00: on time
    w.act(r2, "2026-04-28 16:30", "send_back", "leader_a")  # 30 min leader decision
    r4 = w.submit("2026-04-28 10:00", None, Channel.email)
    w.act(r4, "2026-04-28 10:05", "reject", "operator")
    r5 = w.submit("2026-04-28 11:00", "CHIEU_SANG", Channel.facebook)
    w.act(r5, "2026-04-28 11:03", "mark_duplicate", "operator", duplicate_of=r1)

    r6 = w.submit("2026-04-29 08:00", "RAC_THAI", Channel.zalo)
    w.act(r6, "2026-04-29 08:10", "dispatch", "operator", organization="PHUHOI")  # 10 min
    w.act(r2, "2026-04-29 09:00", "submit_result", "handler_a")  # a resubmission
    w.act(r2, "2026-04-29 10:00", "approve", "leader_a")  # 1 h
    w.act(r2, "2026-04-29 11:00", "send_back", "editor")  # 1 h, the IOC editor's decision
    w.act(r2, "2026-04-29 14:00", "submit_result", "handler_a")  # another resubmission
    w.act(r2, "2026-04-29 14:30", "approve", "leader_a")  # 30 min
    w.act(r2, "2026-04-29 15:00", "publish", "editor")  # 30 min
    w.act(r1, "2026-04-29 15:00", "submit_result", "handler_a")  # due Wed 29 16:25: on time
    w.rate(r2, "2026-04-29 20:00", 2)

    r7 = w.submit("2026-04-30 06:50", "TRAT_TU_XD", Channel.app)
    w.act(r7, "2026-04-30 07:05", "dispatch", "operator", organization="SXD")  # 15 min
    w.act(r7, "2026-04-30 07:20", "acknowledge", "handler_a")  # 15 min, on time
    w.act(r1, "2026-04-30 09:00", "approve", "leader_a")  # 18 h, on time (a holiday)
    w.act(r7, "2026-05-02 08:00", "return", "handler_a", suggested="STNMT")  # from processing

    w.act(r1, "2026-05-04 10:00", "publish", "editor")  # 97 h, due Mon 4 May 17:00: on time
    w.rate(r1, "2026-05-04 12:00", 5)
    w.act(r1, "2026-05-04 13:00", "reopen", "operator")
    w.act(r1, "2026-05-04 13:40", "acknowledge", "handler_a")  # 40 min, late
    return Reports(r1, r2, r3, r4, r5, r6, r7)
