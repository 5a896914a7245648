"""`paht demo`: load the demo city and drive ~500 reports through the real workflow services.

Every step goes through `intake.submit_report` and `reports.service.perform_action` with the clock
frozen at the step's time, so events, assignments and clocks are exactly what real use produces.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from rich.progress import track
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from paht.auth.actor import ANONYMOUS, Actor
from paht.auth.passwords import hash_password
from paht.auth.policy import DEFAULT_TOTP_ROLES
from paht.auth.service import actor_for
from paht.channels.open311.keys import create_key
from paht.clock import frozen_at, utc_now
from paht.config import Settings
from paht.db import Database
from paht.demo import data
from paht.enums import Channel
from paht.intake.schemas import Location, ReportCreate, Reporter
from paht.intake.service import submit_report
from paht.models import Category, Organization, Report, User
from paht.places.service import load_demo_areas
from paht.reports.rating import RatingIn, rate
from paht.reports.service import perform_action
from paht.users.service import create_user
from paht.workflow import Action

DEMO_PASSWORD = "demo12345"  # noqa: S105 — documented demo-only password (README)
# The TOTP key of the demo accounts whose roles require a second factor (admin, IOC): documented in README,
# printed as a current code by `paht demo-totp USERNAME`. Demo data only, like the password.
DEMO_TOTP_SECRET = "PAHTDEMOTOTPKEYPAHTDEMOTOTPKEY22"  # noqa: S105
DEMO_OPEN311_KEY = "demo-open311-key"  # documented demo-only Open311 api_key (docs/channels.md)
DEMO_ACCOUNT_BODIES = ("SXD", "PHUHOI", "HEPCO")
HUE_CENTRE = (16.4637, 107.5909)
CHANNEL_WEIGHTS = {
    Channel.app: 40,
    Channel.web: 20,
    Channel.hotline: 15,
    Channel.facebook: 10,
    Channel.zalo: 10,
    Channel.email: 5,
}
# Where each demo report stops: most are published, some wait at every other step.
FINAL_STATES = {
    "received": 4,
    "dispatched": 4,
    "processing": 10,
    "returned": 3,
    "awaiting_approval": 6,
    "approved": 5,
    "published": 55,
    "rejected": 8,
    "duplicate": 5,
}


def load_demo(
    db: Database,
    settings: Settings,
    *,
    force: bool = False,
    reports: int = 500,
    progress: bool = False,
    seed: int = 2026,
) -> bool:
    with db.write() as session:
        if session.scalar(select(func.count()).select_from(Organization)) and not force:
            return False
        if not session.scalar(select(func.count()).select_from(Organization)):
            load_directory(session)
    rng = random.Random(seed)
    world = _World.load(db)
    now = utc_now()
    items = range(reports)
    for index in track(items, description="demo reports") if progress else items:
        created = now - timedelta(minutes=rng.randint(10, 60 * 24 * 60)) if index else now - timedelta(minutes=5)
        with db.write() as session:
            _one_report(session, world, rng, created_at=created, settings=settings, citizen=index % 25 == 0)
    return True


def load_directory(session: Session) -> None:
    now = utc_now()
    codes: dict[str, Organization] = {}
    for code, name, name_en, kind, parent in data.ORGANIZATIONS:
        org = Organization(
            code=code,
            name=name,
            name_en=name_en,
            kind=kind,
            parent_id=codes[parent].id if parent else None,
            created_at=now,
        )
        session.add(org)
        session.flush()
        codes[code] = org
    for code, name, name_en, body, days, urgent in data.CATEGORIES:
        session.add(
            Category(
                code=code,
                name=name,
                name_en=name_en,
                default_organization_id=codes[body].id if body else None,
                resolve_working_days=days,
                urgent_by_default=urgent,
                created_at=now,
            )
        )
    digest = hash_password(DEMO_PASSWORD)
    accounts = [
        ("admin", "Quản trị hệ thống", ["admin"], "IOC"),
        ("ioc.operator", "Điều hành viên IOC", ["ioc_operator"], "IOC"),
        ("ioc.editor", "Biên tập viên IOC", ["ioc_editor"], "IOC"),
    ]
    for code, name, *_ in data.ORGANIZATIONS[1:]:
        accounts.append((f"{code.lower()}.handler", f"Cán bộ xử lý — {name}", ["handler"], code))
        accounts.append((f"{code.lower()}.leader", f"Lãnh đạo — {name}", ["leader"], code))
    accounts.append(("ubndtp.viewer", "Giám sát — UBND thành phố Huế", ["viewer"], "UBNDTP"))
    # Demo accounts bypass the password policy on purpose (a hash, not a password): `demo12345` is
    # documented demo data. Accounts whose roles need a second factor get the documented demo TOTP key.
    for username, full_name, roles, org in accounts:
        user = create_user(
            session,
            username=username,
            full_name=full_name,
            roles=roles,
            organization_code=org,
            password_hash=digest,
            email=f"{username}@demo.paht.vn",
        )
        if DEFAULT_TOTP_ROLES & set(roles):
            user.totp_secret, user.totp_enrolled_at = DEMO_TOTP_SECRET, now
    create_user(
        session,
        username="citizen.demo",
        full_name="Nguyễn Văn Dân",
        roles=["citizen"],
        password_hash=digest,
        email="citizen.demo@example.vn",
        phone="+84905123456",
    )
    create_key(session, name="Demo Open311 client", secret=DEMO_OPEN311_KEY)
    load_demo_areas(session)  # the five demo wards' outlines, each linked to its People's Committee


class _World:
    """Actors and reference rows the generator needs, loaded once."""

    def __init__(self) -> None:
        self.actors: dict[str, Actor] = {}
        self.categories: list[Category] = []
        self.orgs: dict[str, int] = {}

    @classmethod
    def load(cls, db: Database) -> _World:
        world = cls()
        with db.read() as session:
            for user in session.scalars(select(User)):
                world.actors[user.username] = actor_for(session, user)
            world.categories = list(session.scalars(select(Category)))
            world.orgs = {o.code: o.id for o in session.scalars(select(Organization))}
        return world

    def body_actor(self, org_id: int, role: str) -> Actor:
        code = next(c for c, i in self.orgs.items() if i == org_id)
        return self.actors[f"{code.lower()}.{role}"]


def _draft(rng: random.Random, category: Category, channel: Channel, citizen: bool) -> ReportCreate:
    street, ward = rng.choice(data.STREETS), rng.choice(data.WARDS)
    text = rng.choice(data.DESCRIPTIONS[category.code]).format(street=street, ward=ward)
    name = f"{rng.choice(data.FAMILY_NAMES)} {rng.choice(data.GIVEN_NAMES)}"
    phone = f"09{rng.randint(10_000_000, 99_999_999)}"
    lat = HUE_CENTRE[0] + rng.uniform(-0.03, 0.03)
    lon = HUE_CENTRE[1] + rng.uniform(-0.03, 0.03)
    return ReportCreate(
        description=text,
        title=text.split(",")[0][:120],
        category_id=category.id if channel not in (Channel.facebook, Channel.zalo) or rng.random() < 0.5 else None,
        location=Location(lat=lat, lon=lon, address=f"{rng.randint(1, 200)} {street}, phường {ward}, Huế"),
        urgent=rng.random() < 0.08,
        reporter=None
        if citizen
        else Reporter(
            name=name,
            phone=phone,
            email=f"dan{rng.randint(1, 9999)}@example.vn" if rng.random() < 0.3 else None,
        ),
        consent=True,
        channel=None,
    )


def _one_report(
    session: Session,
    world: _World,
    rng: random.Random,
    *,
    created_at: datetime,
    settings: Settings,
    citizen: bool,
) -> None:
    category = rng.choice(world.categories)
    channel = Channel.app if citizen else rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]
    actor = (
        world.actors["citizen.demo"]
        if citizen
        else (world.actors["ioc.operator"] if channel is Channel.hotline else ANONYMOUS)
    )
    with frozen_at(created_at):
        report, token = submit_report(
            session, _draft(rng, category, channel, citizen), actor=actor, settings=settings, channel=channel
        )
        session.flush()
    final = rng.choices(list(FINAL_STATES), weights=list(FINAL_STATES.values()))[0]
    when = _drive(session, world, rng, report, category, final, start=created_at, settings=settings)
    if report.state == "published" and rng.random() < 0.5 and when + timedelta(hours=2) < utc_now():
        with frozen_at(when + timedelta(hours=2)):
            rate(
                session,
                report.id,
                RatingIn(rating=rng.choices([1, 2, 3, 4, 5], [1, 1, 2, 4, 4])[0]),
                actor=ANONYMOUS,
                reporter_token=token,
            )


def _drive(
    session: Session,
    world: _World,
    rng: random.Random,
    report: Report,
    category: Category,
    final: str,
    *,
    start: datetime,
    settings: Settings,
) -> datetime:
    """Walk the report towards `final`, one action at a time, never past the present."""
    when, now = start, utc_now()
    operator, editor = world.actors["ioc.operator"], world.actors["ioc.editor"]
    fallback = world.orgs["UBNDTP"]
    body = category.default_organization_id or fallback

    def act(action: Action, actor: Actor, minutes: float, **payload: object) -> bool:
        nonlocal when
        if when + timedelta(minutes=minutes) >= now:
            return False
        when += timedelta(minutes=minutes)
        with frozen_at(when):
            perform_action(session, report.id, action, actor=actor, payload=payload, settings=settings, now=when)
            session.flush()
        return True

    if final in ("rejected", "duplicate"):
        if final == "rejected":
            act(
                Action.reject,
                operator,
                rng.uniform(3, 40),
                reason="Nội dung không thuộc phạm vi phản ánh hiện trường.",
            )
        else:
            original = session.scalar(
                select(Report.id).where(Report.id != report.id, Report.category_id == report.category_id).limit(1)
            )
            if original is not None:
                act(Action.mark_duplicate, operator, rng.uniform(3, 40), duplicate_of_id=str(original))
        return when
    if final == "received":
        return when
    misrouted = final == "returned" or rng.random() < 0.08
    first = rng.choice([o for c, o in world.orgs.items() if c not in ("IOC", "CATINH")]) if misrouted else body
    if first == body:
        misrouted = False
    if not act(Action.dispatch, operator, rng.uniform(2, 45), organization_id=first):
        return when
    if misrouted:
        handler = world.body_actor(first, "handler")
        if not act(
            Action.return_,
            handler,
            rng.uniform(5, 40),
            reason="Không thuộc thẩm quyền của đơn vị.",
            suggested_organization_id=body,
        ):
            return when
        if final == "returned" or not act(Action.dispatch, operator, rng.uniform(2, 30), organization_id=body):
            return when
    if final == "dispatched":
        return when
    handler, leader = world.body_actor(body, "handler"), world.body_actor(body, "leader")
    if not act(
        Action.acknowledge,
        handler,
        rng.choice([rng.uniform(2, 28), rng.uniform(2, 28), rng.uniform(31, 180)]),
    ):
        return when
    if final == "processing":
        return when
    if not act(Action.submit_result, handler, rng.uniform(60, 60 * 24 * 6), result=rng.choice(data.RESULTS)):
        return when
    if rng.random() < 0.12:
        if not act(Action.send_back, leader, rng.uniform(30, 600), reason="Cần bổ sung hình ảnh sau khi khắc phục."):
            return when
        if not act(Action.submit_result, handler, rng.uniform(60, 60 * 24), result=rng.choice(data.RESULTS)):
            return when
    if final == "awaiting_approval" or not act(Action.approve, leader, rng.uniform(30, 60 * 20)):
        return when
    if final != "approved":
        act(Action.publish, editor, rng.uniform(20, 60 * 10))
    return when
