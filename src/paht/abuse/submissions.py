"""How many reports one device, account, address or channel sender may submit per window.

Counted inside the transaction that creates the report: a refused or failed submission counts nothing,
and an idempotent replay (the same report again) never reaches the count.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session
from starlette.requests import Request

from paht.abuse.client import client_ip
from paht.abuse.limits import consume
from paht.auth.actor import Actor
from paht.config import Settings


@dataclass(frozen=True)
class Submitter:
    """Who submits, as far as the entry point can tell. Absent parts are not limited."""

    ip: str | None = None
    device: str | None = None  # the mobile app's X-Device-Id
    account_id: int | None = None  # a signed-in citizen
    staff_id: int | None = None  # an IOC operator entering a hotline call: limited per operator only
    # (channel, id): ("facebook", PSID), ("zalo", user id), ("email", address), ("open311", "<key>:<device>")
    sender: tuple[str, str] | None = None


def _too_many(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return (
        f"Bạn đã gửi quá nhiều phản ánh trong thời gian ngắn; hãy thử lại sau {minutes} phút "
        f"(too many reports; try again in {seconds} s)."
    )


def limit(session: Session, submitter: Submitter, settings: Settings) -> None:
    """Count this submission against each of its limits; RateLimited (429) when one is exceeded."""
    checks: list[tuple[str, str, int]] = []
    if submitter.staff_id is not None:
        checks.append(("submit_staff", str(submitter.staff_id), settings.submit_limit_per_staff))
    else:
        if submitter.device:
            checks.append(("submit_device", submitter.device, settings.submit_limit_per_device))
        if submitter.account_id is not None:
            checks.append(("submit_account", str(submitter.account_id), settings.submit_limit_per_account))
        if submitter.ip:
            checks.append(("submit_ip", submitter.ip, settings.submit_limit_per_ip))
    if submitter.sender:
        checks.append(("submit_sender", ":".join(submitter.sender), settings.submit_limit_per_sender))
    # One order everywhere, so that two PostgreSQL transactions never lock the same counters crosswise.
    for scope, key, most in sorted(checks):
        consume(session, scope, key, limit=most, window_seconds=settings.submit_window_seconds, message=_too_many)


def from_request(request: Request, actor: Actor, settings: Settings, *, hotline: bool = False) -> Submitter:
    """The submitter of a web or API request: its address, the app's X-Device-Id, the signed-in account."""
    if hotline:  # an IOC operator typing in a call: the caller is not the one submitting
        return Submitter(staff_id=actor.user_id)
    device = (request.headers.get("x-device-id") or "").strip()[:255] or None
    return Submitter(ip=client_ip(request, settings.trusted_proxies), device=device, account_id=actor.user_id)
