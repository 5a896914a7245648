"""One report's whole life as rows: what intake, the workflow service, the sweep and the worker write.

`Generator.report()` mirrors, step by step, `intake.service.submit_report`, `reports.service.perform_action`
(assignments, clocks stopped and started, one event, outbox jobs), `sla.sweep.sweep_overdue` (a clock
that ran past its due time is breached once, with its event and escalation job), photo uploads and the
reporter's rating. Jobs are stored as the worker leaves them: done. Times are naive UTC; `ts`/`uid`
turn them into what the target database stores.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any

from paht.benchdata import vocab
from paht.benchdata.clocks import ClockSteps
from paht.benchdata.deadlines import DueTimes
from paht.benchdata.rows import COLUMNS, Batch
from paht.benchdata.steps import apply, drive
from paht.benchdata.world import CategoryInfo, World
from paht.config import Settings
from paht.enums import Channel, EventKind
from paht.models.ids import id_at
from paht.reports.hooks import HOOKS
from paht.reports.service import EFFECTS
from paht.workflow import Action

HUE_BBOX = (16.40, 107.52, 16.52, 107.65)  # south, west, north, east
CHANNELS = {Channel.app: 38, Channel.web: 18, Channel.hotline: 15, Channel.facebook: 10, Channel.zalo: 10}
CHANNELS |= {Channel.email: 5, Channel.open311: 4}
CLOSED_FINALS = {"published": 78, "rejected": 8, "duplicate": 5}
OPEN_FINALS = {"received": 1, "dispatched": 1, "processing": 3.5, "returned": 0.5, "awaiting_approval": 2}
OPEN_FINALS["approved"] = 1
CHANNEL_LIST = list(CHANNELS)
CHANNEL_CUMULATIVE = list(accumulate(CHANNELS.values()))
FINAL_STATES = [*CLOSED_FINALS, *OPEN_FINALS]
FINALS_RECENT = list(accumulate([*CLOSED_FINALS.values(), *OPEN_FINALS.values()]))
FINALS_OLD = list(accumulate([*CLOSED_FINALS.values(), *(w * 0.03 for w in OPEN_FINALS.values())]))
TARGET = {
    Action.dispatch: "dispatched",
    Action.acknowledge: "processing",
    Action.return_: "returned",
    Action.submit_result: "awaiting_approval",
    Action.approve: "approved",
    Action.send_back: "processing",
    Action.publish: "published",
    Action.reject: "rejected",
    Action.mark_duplicate: "duplicate",
}
DUPLICATE_HOOK = "paht.dispatching.notify:tell_duplicate_reporter"
PHOTO_SIZES = ((4032, 3024), (3024, 4032), (1920, 1080), (1280, 960), (1600, 1200))
REPORT_DATETIMES = ("rated_at", "created_at", "updated_at", "dispatched_at", "closed_at", "published_at")
ASSIGNMENT_DATETIMES = tuple(c for c in COLUMNS["assignments"] if c.endswith(("_at", "_due_at")))


def sqlite_ts(value: datetime | None) -> str | None:
    """SQLAlchemy's SQLite DATETIME text: always with six digits of microseconds (so text order is time order)."""
    if value is None:
        return None
    text = str(value)
    return text if len(text) > 19 else text + ".000000"


def _same(value: Any) -> Any:
    return value


@dataclass
class _Life:
    """The report being generated, while its steps are taken."""

    id: uuid.UUID
    key: str  # str(id), as job payloads carry it
    report: dict[str, Any]
    category: CategoryInfo | None
    urgent: bool
    when: datetime
    state: str = "received"
    transitions: int = 0
    assignment: dict[str, Any] | None = None
    assignments: list[dict[str, Any]] = field(default_factory=list)
    clock: list[Any] | None = None
    clocks: list[list[Any]] = field(default_factory=list)


class Generator(ClockSteps):
    def __init__(
        self,
        world: World,
        settings: Settings,
        *,
        seed: int,
        anchor: datetime,
        span_days: int,
        next_ids: dict[str, int],
        taken_codes: set[str],
        sqlite: bool,
        extras: Sequence[Any] = (),
    ) -> None:
        self.world, self.settings, self.anchor = world, settings, anchor
        self.rng = random.Random(seed)
        self.start = anchor - timedelta(days=span_days)
        self.ids = dict(next_ids)
        self.codes = taken_codes
        self.due = DueTimes(settings, self.start.date())
        self.ts: Callable[[datetime | None], Any] = sqlite_ts if sqlite else _same
        self.uid: Callable[[uuid.UUID | None], Any] = (lambda u: u.hex if u else None) if sqlite else _same
        self.attachment_root = str(settings.data_dir / "attachments")
        # Recent reports per category (candidates for an original), and each duplicate's root.
        self.roots: dict[int | None, list[tuple[uuid.UUID, str]]] = {}
        self.duplicates: dict[uuid.UUID, tuple[uuid.UUID, str]] = {}
        self.centres = {w: _ward_centre(w) for w in vocab.WARDS}
        self.extras = list(extras)
        self.places = next((e for e in self.extras if hasattr(e, "point_in")), None)
        self.columns = COLUMNS | {e.table: e.columns for e in self.extras}
        self.batch = self.new_batch()

    def new_batch(self) -> Batch:
        return Batch(self.columns)

    # -- ids and times -------------------------------------------------------------------------

    def _next(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def _uuid(self, at: datetime) -> uuid.UUID:
        """A time-ordered id of a row created at `at`, as the app makes them, its random bits from the seed."""
        return id_at(int(at.timestamp() * 1000), self.rng.getrandbits(74))

    def _code(self) -> str:
        alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
        while True:
            bits = self.rng.getrandbits(40)
            code = "PA-" + "".join(alphabet[(bits >> (5 * i)) & 31] for i in range(8))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def created_times(self, count: int) -> Iterator[datetime]:
        """`count` increasing instants spread over the span, the last one just before the anchor."""
        step = (self.anchor - self.start) / count
        for index in range(count):
            yield self.start + step * (index + self.rng.random() * 0.98)

    # -- rows ------------------------------------------------------------------------------------

    def _event(self, life: _Life, kind: str, at: datetime, payload: dict, **fields: Any) -> int:
        event_id = self._next("events")
        self.batch.add(
            "events",
            (
                event_id,
                self.uid(life.id),
                kind,
                fields.get("action"),
                fields.get("from_state"),
                fields.get("to_state"),
                fields.get("actor_id"),
                fields.get("actor_role"),
                fields.get("organization_id"),
                fields.get("assignment_id"),
                json.dumps(payload) if payload else "{}",
                self.ts(at),
            ),
        )
        return event_id

    def _job(self, kind: str, payload: str, at: datetime, dedupe_key: str | None = None) -> None:
        """An outbox row as the worker leaves it; `payload` is already JSON (the same text json.dumps makes)."""
        queued, ran = self.ts(at), self.ts(at + timedelta(seconds=1))
        self.batch.add(
            "jobs",
            (self._next("jobs"), kind, payload, "done", dedupe_key, 1, queued, ran, "bench-data", ran, None, queued),
        )

    def _photo(self, life: _Life, kind: str, at: datetime, uploader: int | None, org: int | None) -> None:
        photo_id = self._uuid(at)
        width, height = self.rng.choice(PHOTO_SIZES)
        folder = f"{self.attachment_root}/{life.id}"
        self.batch.add(
            "attachments",
            (
                self.uid(photo_id),
                self.uid(life.id),
                kind,
                "image/jpeg",
                f"{folder}/{photo_id}.orig",
                f"{folder}/{photo_id}.jpg",
                self.rng.randint(180_000, 3_500_000),
                width,
                height,
                f"{self.rng.getrandbits(256):064x}",
                uploader,
                self.ts(at),
            ),
        )
        payload = {"attachment_id": str(photo_id), "kind": kind}
        self._event(life, EventKind.attachment_added, at, payload, actor_id=uploader, organization_id=org)

    # -- the report --------------------------------------------------------------------------------

    def report(self, created: datetime) -> None:
        rng, world = self.rng, self.world
        category = rng.choice(world.categories) if world.categories else None
        channel = rng.choices(CHANNEL_LIST, cum_weights=CHANNEL_CUMULATIVE)[0]
        if channel in (Channel.facebook, Channel.zalo) and rng.random() < 0.5:
            category = None
        citizen = rng.choice(world.citizens) if channel in (Channel.app, Channel.web) and rng.random() < 0.2 else None
        life = self._submit(created, channel, category, citizen)
        final = self._final(created)
        drive(self, life, final)
        self._finish(life)

    def _submit(
        self,
        at: datetime,
        channel: Channel,
        category: CategoryInfo | None,
        citizen: tuple[int, str, str | None, str | None] | None,
    ) -> _Life:
        rng, world = self.rng, self.world
        title, description, street, ward = vocab.complaint(rng, category.code if category else "KHAC")
        anonymous = citizen is None and rng.random() < 0.1
        if citizen is not None:
            name, phone, email = citizen[1], citizen[2], citizen[3]
        else:
            name = vocab.person(rng)
            phone = f"+849{rng.randint(10_000_000, 99_999_999)}" if channel != Channel.email else None
            email = f"dan{rng.randint(1, 99_999)}@example.vn" if phone is None or rng.random() < 0.3 else None
        lat = lon = None
        if rng.random() < 0.95:
            inside = self.places.point_in(rng, ward) if self.places is not None else None
            if inside is not None:
                lat, lon = inside
            else:
                centre = self.centres[ward]
                lat, lon = centre[0] + rng.uniform(-0.006, 0.006), centre[1] + rng.uniform(-0.006, 0.006)
        hotline = channel == Channel.hotline
        actor = world.operator_id if hotline else (citizen[0] if citizen else None)
        report_id = self._uuid(at)
        urgent = rng.random() < 0.08 or bool(category and category.urgent_by_default)
        report = {
            "id": report_id,
            "code": self._code(),
            "channel": channel.value,
            "urgent": urgent,
            "title": title,
            "description": description,
            "category_id": category.id if category else None,
            "lat": lat,
            "lon": lon,
            "address": f"{rng.randint(1, 250)} {street}, phường {ward}, Huế",
            "reporter_user_id": citizen[0] if citizen else None,
            "reporter_name": None if anonymous else name,
            "reporter_phone": phone,
            "reporter_email": email,
            "reporter_token_hash": f"{rng.getrandbits(256):064x}",
            "anonymous": anonymous,
            "consent": True,
            "consent_notice_version": self.settings.notice_version,
            "created_by_id": actor,
            "created_at": at,
            "updated_at": at,
        }
        life = _Life(id=report_id, key=str(report_id), report=report, category=category, urgent=urgent, when=at)
        role = "ioc_operator" if hotline else ("citizen" if citizen else None)
        payload = {"channel": channel.value, "urgent": urgent, "category_id": report["category_id"]}
        self._event(
            life,
            EventKind.created,
            at,
            payload,
            to_state="received",
            actor_id=actor,
            actor_role=role,
            organization_id=world.ioc_id if hotline else None,
        )
        self._start_clock(life, at)
        self._job("notify_reporter", f'{{"report_id": "{life.key}", "event": "received"}}', at)
        if rng.random() < 0.55:
            for index in range(rng.choice((1, 1, 2, 3))):
                uploaded = at + timedelta(seconds=5 + 7 * index)
                if uploaded < self.anchor:
                    self._photo(life, "report", uploaded, actor, world.ioc_id if hotline else None)
        self._remember_root(life)
        return life

    def _remember_root(self, life: _Life) -> None:
        roots = self.roots.setdefault(life.report["category_id"], [])
        roots.append((life.id, life.report["code"]))
        if len(roots) > 64:
            del roots[:32]

    def _final(self, created: datetime) -> str:
        """Where the report's life should end: old reports are mostly closed, recent ones still open."""
        cumulative = FINALS_OLD if (self.anchor - created).days > 90 else FINALS_RECENT
        return self.rng.choices(FINAL_STATES, cum_weights=cumulative)[0]

    def _act(
        self, life: _Life, action: Action, actor: int, role: str, org: int, minutes: float, **payload: Any
    ) -> bool:
        """One workflow action `minutes` after the previous step, unless that is in the future."""
        at = life.when + timedelta(minutes=minutes)
        if at >= self.anchor:
            return False
        life.when = at
        source, report = life.state, life.report
        event_payload = apply(self, life, action, actor, at, payload)
        life.state = TARGET[action]
        report["updated_at"] = at
        self._stop_clock(life, at)
        self._start_clock(life, at)
        life.transitions += 1
        assignment = life.assignment
        event_id = self._event(
            life,
            EventKind.transition,
            at,
            event_payload,
            action=action.value,
            from_state=source,
            to_state=life.state,
            actor_id=actor,
            actor_role=role,
            organization_id=org,
            assignment_id=assignment["id"] if assignment else None,
        )
        if action is Action.mark_duplicate and DUPLICATE_HOOK in HOOKS:  # the hook runs before the effects
            code = event_payload["duplicate_of_code"]
            told = f'{{"report_id": "{life.key}", "event": "duplicate", "duplicate_of_code": "{code}", '
            self._job("notify_reporter", told + f'"event_id": {event_id}}}', at)
        for kind in EFFECTS.get(action, ()):
            self._job(kind, f'{{"report_id": "{life.key}", "action": "{action.value}", "event_id": {event_id}}}', at)
        return True

    def _finish(self, life: _Life) -> None:
        self._breach_if_swept(life, self.anchor)
        report, ts = life.report, self.ts
        report["state"] = life.state
        report["version"] = 1 + life.transitions
        row = dict.fromkeys(COLUMNS["reports"]) | report
        for name in REPORT_DATETIMES:
            row[name] = ts(row[name])
        row["id"], row["duplicate_of_id"] = self.uid(row["id"]), self.uid(row["duplicate_of_id"])
        self.batch.add("reports", tuple(row[c] for c in COLUMNS["reports"]))
        for assignment in life.assignments:
            values = dict(assignment)
            for name in ASSIGNMENT_DATETIMES:
                values[name] = ts(values[name])
            values["report_id"] = self.uid(values["report_id"])
            self.batch.add("assignments", tuple(values[c] for c in COLUMNS["assignments"]))
        for extra in self.extras:
            for extra_row in extra.rows(self, life):
                self.batch.add(extra.table, extra_row)
        for clock in life.clocks:
            clock[1] = self.uid(clock[1])
            clock[5], clock[6], clock[7], clock[8] = ts(clock[5]), ts(clock[6]), ts(clock[7]), ts(clock[8])
            clock[4] = clock[4].value
            self.batch.add("sla_clocks", tuple(clock))


def _ward_centre(ward: str) -> tuple[float, float]:
    """A fixed point for each ward inside Huế's bounding box (seeded by the name, so stable across runs)."""
    place = random.Random(f"ward:{ward}")
    south, west, north, east = HUE_BBOX
    return place.uniform(south + 0.01, north - 0.01), place.uniform(west + 0.01, east - 0.01)
