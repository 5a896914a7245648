"""FastAPI dependencies shared by every router: database sessions, settings, the caller, the language."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from paht.auth.actor import ANONYMOUS, Actor
from paht.auth.bearer import caller_for_token
from paht.auth.service import touch_token
from paht.config import Settings
from paht.db import Database
from paht.errors import NotAuthenticated

log = logging.getLogger("paht.auth")

bearer = HTTPBearer(auto_error=False, description="An opaque token from POST /api/v1/auth/token")


# The cheap dependencies are `async def`: FastAPI runs a plain `def` dependency in its thread pool, and that
# round trip costs more than the work (W2 of the benchmark: a thread hop per dependency per request).


async def get_db(request: Request) -> Database:
    return request.app.state.db


async def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


async def _close(session: Session) -> None:
    """Closing a session that used a connection returns it to the pool (a rollback: I/O), so that runs on a
    worker thread like the route itself; opening one does no I/O, so it happens on the event loop.

    The close takes a limiter of its own, as FastAPI does for the exit of `yield` dependencies: queued behind
    routes for one of the shared worker threads, it could wait for routes that wait for the very connection it
    returns, and a burst of requests beyond the threads would stall until the pool's timeout
    (tests/reliability/test_pool_under_load.py)."""
    if session.in_transaction():
        await anyio.to_thread.run_sync(session.close, limiter=anyio.CapacityLimiter(1))
    else:
        session.close()


async def write_session(db: Annotated[Database, Depends(get_db)]) -> AsyncIterator[Session]:
    """A writer session; the route commits. Closing without a commit rolls back."""
    session = db.writer()
    try:
        yield session
    finally:
        await _close(session)


async def read_session(db: Annotated[Database, Depends(get_db)]) -> AsyncIterator[Session]:
    session = db.reader()
    try:
        yield session
    finally:
        await _close(session)


async def current_actor(
    db: Annotated[Database, Depends(get_db)],
    settings: Annotated[Settings, Depends(get_app_settings)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    """The caller of a bearer token, or the anonymous caller without one."""
    if credentials is None:
        return ANONYMOUS
    return await actor_for_token(db, settings, credentials.credentials)


async def actor_for_token(db: Database, settings: Settings, token: str) -> Actor:
    """The token's actor, read on the event loop in one statement (`paht.auth.bearer`); a database error there
    retries once in the thread pool on the shared pool, so a dropped connection costs no request. Raises
    `NotAuthenticated` for a token that is unknown, revoked, expired or idle, or whose account is disabled."""
    idle = settings.token_idle_minutes
    try:
        with db.on_loop() as connection:
            actor, stale_token_id = caller_for_token(connection, token, idle_minutes=idle)
    except db.read_errors:
        log.warning("reading the caller on the event loop failed; retrying in the thread pool", exc_info=True)
        actor, stale_token_id = await run_in_threadpool(_caller_in_session, db, token, idle)
    if stale_token_id is not None:  # the idle timeout's clock: one write per token per minute at most
        await run_in_threadpool(_touch, db, stale_token_id)
    return actor


def _caller_in_session(db: Database, token: str, idle_minutes: int) -> tuple[Actor, int | None]:
    with db.reader() as session:
        return caller_for_token(session, token, idle_minutes=idle_minutes)


def _touch(db: Database, token_id: int) -> None:
    with db.write() as session:
        touch_token(session, token_id)


async def signed_in(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
    if actor.is_anonymous:
        raise NotAuthenticated("Cần đăng nhập (sign in with a bearer token).")
    return actor


async def language(request: Request) -> str:
    return language_of(request)


def language_of(request: Request) -> str:
    """?lang=, then the lang cookie, then Accept-Language; Vietnamese unless English is asked for."""
    lang = request.query_params.get("lang") or request.cookies.get("lang")
    if lang in ("vi", "en"):
        return lang
    header = request.headers.get("accept-language", "")
    return "en" if header.lower().startswith("en") else "vi"


DB = Annotated[Database, Depends(get_db)]
AppSettings = Annotated[Settings, Depends(get_app_settings)]
WriteSession = Annotated[Session, Depends(write_session)]
ReadSession = Annotated[Session, Depends(read_session)]
CurrentActor = Annotated[Actor, Depends(current_actor)]
SignedIn = Annotated[Actor, Depends(signed_in)]
Lang = Annotated[str, Depends(language)]
