"""What the workloads need from a generated database: tokens, codes, filters, cursors, action pools.

Read once before the servers are measured, straight from the database (SQLAlchemy text queries).
"""

from __future__ import annotations

import base64
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select, text

from paht.auth.service import issue_token
from paht.benchdata import vocab
from paht.db import Database
from paht.models import User

BENCH_TOKEN_HOURS = 12


@dataclass
class Context:
    sqlite: bool
    tokens: dict[str, str]  # username → bearer token
    operator: str
    published_codes: list[str]
    list_paths: list[tuple[str, str]]  # (path, username whose token it needs)
    action_pool: list[tuple[str, str, int]]  # (report id, state, body id) for W7
    body_staff: dict[int, tuple[str, str]]  # body id → (handler username, leader username)
    categories: list[tuple[int, str]]  # (id, code)
    bboxes: list[str] = field(default_factory=list)
    search_terms: list[str] = field(default_factory=list)
    open311_key: str | None = None
    mixed_reads: set[str] = field(default_factory=lambda: {"W2", "W3"})
    database: Database | None = None  # where the checks count the rows each app's writes leave

    def auth(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}


def _cursor(created_at: datetime, report_id: str) -> str:
    """The keyset cursor format of `paht.reports.queries.encode_cursor`."""
    at = created_at if created_at.tzinfo else created_at.replace(tzinfo=UTC)
    raw = f'["{at.isoformat()}", "{uuid.UUID(str(report_id))}"]'.encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _as_datetime(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _tokens(db: Database, usernames: set[str]) -> dict[str, str]:
    tokens = {}
    with db.write() as session:
        for user in session.scalars(select(User).where(User.username.in_(usernames))):
            tokens[user.username], _ = issue_token(session, user=user, ttl_hours=BENCH_TOKEN_HOURS)
    return tokens


def _staff(session, sql: str) -> dict[int, str]:  # type: ignore[no-untyped-def]
    return {org: name for org, name in session.execute(text(sql))}


def build(db: Database, *, seed: int = 11) -> Context:
    rng = random.Random(seed)
    with db.read() as session:
        q = lambda sql, **params: session.execute(text(sql), params).all()  # noqa: E731
        codes = [r[0] for r in q("SELECT code FROM reports WHERE state = 'published' ORDER BY code LIMIT 5000")]
        rng.shuffle(codes)
        role_users = (
            "SELECT u.organization_id, min(u.username) FROM users u JOIN user_roles r ON r.user_id = u.id "
            "WHERE r.role = '{}' AND u.active GROUP BY u.organization_id"
        )
        handlers = _staff(session, role_users.format("handler"))
        leaders = _staff(session, role_users.format("leader"))
        bodies = {b: (handlers[b], leaders[b]) for b in handlers if b in leaders}
        pool = [
            (str(uuid.UUID(str(r[0]))), r[1], r[2])
            for r in q(
                "SELECT id, state, current_organization_id FROM reports "
                "WHERE state IN ('processing', 'awaiting_approval') ORDER BY created_at DESC LIMIT 4000"
            )
            if r[2] in bodies
        ]
        busiest = q(
            "SELECT state, current_organization_id, count(*) FROM reports WHERE current_organization_id IS NOT NULL "
            "AND state IN ('processing', 'published', 'dispatched') GROUP BY state, current_organization_id "
            "ORDER BY count(*) DESC LIMIT 12"
        )
        list_paths: list[tuple[str, str]] = []
        for state, org, count in busiest:
            path = f"/api/v1/reports?state={state}&organization_id={org}&limit=50"
            list_paths.append((path, "ioc.operator"))
            if count > 50:
                row = q(
                    "SELECT created_at, id FROM reports WHERE state = :s AND current_organization_id = :o "
                    "ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET 49",
                    s=state,
                    o=org,
                )[0]
                list_paths.append((f"{path}&cursor={_cursor(_as_datetime(row[0]), row[1])}", "ioc.operator"))
        for _, leader in list(bodies.values())[:4]:
            list_paths.append(("/api/v1/reports?limit=50", leader))
        categories = [(r[0], r[1]) for r in q("SELECT id, code FROM categories WHERE active ORDER BY id")]
        points = q(
            "SELECT lat, lon FROM reports WHERE state = 'published' AND lat IS NOT NULL ORDER BY code LIMIT 2000"
        )
    usernames = {"ioc.operator"} | {u for pair in bodies.values() for u in pair} | {u for _, u in list_paths}
    context = Context(
        sqlite=db.sqlite,
        tokens=_tokens(db, usernames),
        operator="ioc.operator",
        published_codes=codes,
        list_paths=list_paths,
        action_pool=pool,
        body_staff=bodies,
        categories=categories,
        database=db,
    )
    context.bboxes = _bboxes(rng, [(float(lat), float(lon)) for lat, lon in points])
    context.search_terms = _search_terms()
    return context


def _bboxes(rng: random.Random, points: list[tuple[float, float]]) -> list[str]:
    """Map views (minLon,minLat,maxLon,maxLat) from a few streets to a district wide, around published reports."""
    boxes = []
    for _ in range(64):
        size = rng.choice((0.01, 0.02, 0.04))
        lat, lon = rng.choice(points) if points else (16.46, 107.59)
        west, south = lon - size * rng.uniform(0.2, 0.8), lat - size * rng.uniform(0.2, 0.8)
        boxes.append(f"{west:.4f},{south:.4f},{west + size:.4f},{south + size:.4f}")
    return boxes


def _search_terms() -> list[str]:
    """Street names as residents type them: with and without diacritics, some in NFD, one prefix."""
    terms = []
    for street in vocab.STREETS[:12]:
        terms += [street, street.lower(), vocab.nfd(street)]
    terms += ["duong nguyen hue", "đèn đường", "ngap", "rác thải", "nguy*", "cay xanh"]
    return terms
