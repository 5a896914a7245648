"""Staff account commands (issue 8 item 4): `paht set-password`, `paht totp-reset`, `paht demo-totp`."""

from __future__ import annotations

import typer
from rich.console import Console
from sqlalchemy import select

from paht.config import get_settings

console = Console()


def _db():  # type: ignore[no-untyped-def]
    from paht.db import Database

    return Database(get_settings().database_url)


def _user(session, username: str):  # type: ignore[no-untyped-def]
    from paht.errors import NotFound
    from paht.models import User

    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise NotFound(f"Không có tài khoản {username} (no such account).")
    return user


def set_password(
    username: str,
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Set an account's password (the staff password policy applies); every sign-in of the account ends."""
    from paht.auth.events import record
    from paht.auth.passwords import check_password, hash_password
    from paht.auth.policy import AccountPolicy
    from paht.users.service import end_sign_ins

    policy = AccountPolicy.from_settings(get_settings())
    with _db().write() as session:
        user = _user(session, username)
        second_factor = user.has_totp or policy.totp_required(user.role_names)
        personal = (user.username, user.full_name)
        user.password_hash = hash_password(
            check_password(password, policy=policy, second_factor=second_factor, personal=personal)
        )
        end_sign_ins(session, user.id)
        record(session, user.id, "password_reset", by_user_id=None)
    console.print(f"password of {username} set; its sessions and tokens are revoked")


def totp_reset(username: str) -> None:
    """Remove an account's TOTP second factor (a lost phone); it is set up again at the next web sign-in."""
    from paht.auth import totp

    with _db().write() as session:
        totp.reset(session, _user(session, username).id, by_user_id=None)
    console.print(f"two-step verification of {username} reset; its sessions and tokens are revoked")


def demo_totp(username: str) -> None:
    """Print the current TOTP code of a demo account (demo data only; refused in production)."""
    from paht.auth.totp import code_at
    from paht.clock import utc_now
    from paht.demo.load import DEMO_TOTP_SECRET
    from paht.errors import NotPermitted

    if get_settings().environment == "production":
        raise NotPermitted("Không dùng được trong môi trường production (not available in production).")
    with _db().reader() as session:
        user = _user(session, username)
        if user.totp_secret != DEMO_TOTP_SECRET:
            raise NotPermitted(
                f"{username} không phải tài khoản demo có mã TOTP demo (not a demo account with the demo TOTP key)."
            )
    print(code_at(DEMO_TOTP_SECRET, utc_now()))


def register(app: typer.Typer) -> None:
    app.command("set-password")(set_password)
    app.command("totp-reset")(totp_reset)
    app.command("demo-totp")(demo_totp)
