"""`paht privacy …`: retention, and citizens' written requests handled by a named IOC account (audited)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from paht.config import get_settings

app = typer.Typer(help="Dữ liệu cá nhân — personal data: retention and citizens' requests.", no_args_is_help=True)
console = Console()
BY = typer.Option(..., "--by", help="the IOC account acting (written to the audit log), e.g. ioc.operator")


def _db():  # type: ignore[no-untyped-def]
    from paht.db import Database

    return Database(get_settings().database_url)


def _actor(session, username: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from paht.auth.service import actor_for
    from paht.errors import NotFound
    from paht.models import User

    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"Không có tài khoản {username} (no such account).")
    return actor_for(session, user)


@app.command()
def retention(dry_run: bool = typer.Option(False, "--dry-run", help="only count, change nothing")) -> None:
    """Anonymise the contact details of reports closed more than PAHT_RETENTION_CONTACT_DAYS ago."""
    from paht.clock import utc_now
    from paht.privacy.retention import due_reports, run

    settings, db = get_settings(), _db()
    try:
        if dry_run:
            with db.read() as session:
                count = len(due_reports(session, settings, utc_now()))
            console.print(f"{count} report(s) would be anonymised (closed > {settings.retention_contact_days} days)")
            return
        count = run(db, settings, utc_now())
    finally:
        db.dispose()
    console.print(f"[green]anonymised the contact details of {count} report(s)[/green]")


@app.command("requests")
def list_requests(all_: bool = typer.Option(False, "--all", help="include completed requests")) -> None:
    """Personal-data requests with their deadlines (answer: 2 working days, complete: 15 days)."""
    from paht.clock import utc_now
    from paht.privacy.requests import list_requests as listed

    db = _db()
    with db.read() as session:
        views = listed(session, now=utc_now(), status=None if all_ else "open")
    db.dispose()
    table = Table("id", "report", "kind", "source", "status", "answer by", "complete by")
    for view in views:
        r = view.request
        late = "[red]{}[/red]".format
        table.add_row(
            str(r.id),
            view.report_code,
            r.kind,
            r.source,
            r.status,
            (late if view.respond_overdue else str)(f"{r.respond_due_at:%Y-%m-%d %H:%M}"),
            (late if view.complete_overdue else str)(f"{r.complete_due_at:%Y-%m-%d %H:%M}"),
        )
    console.print(table)


@app.command("request")
def open_request(
    code: str = typer.Argument(..., help="the report's tracking code"),
    kind: str = typer.Argument(..., help="export | correct | erase"),
    by: str = BY,
    reference: str = typer.Option(None, help="the letter's number (no personal data)"),
) -> None:
    """Record a citizen's written request; its clocks start now."""
    from paht.privacy.service import open_written

    db = _db()
    with db.write() as session:
        request = open_written(
            session, code, kind, actor=_actor(session, by), settings=get_settings(), reference=reference
        )
        request_id, due = request.id, request.complete_due_at
    db.dispose()
    console.print(f"[green]request {request_id} opened; complete by {due:%Y-%m-%d %H:%M} UTC[/green]")


@app.command()
def complete(
    request_id: int,
    by: str = BY,
    name: str = typer.Option(None, help="correct: the new name"),
    phone: str = typer.Option(None, help="correct: the new phone"),
    email: str = typer.Option(None, help="correct: the new e-mail"),
    output: Path = typer.Option(None, help="export: write the citizen's data to this JSON file"),
) -> None:
    """Carry out a written request (export writes a file for the citizen; correct needs the new values)."""
    from paht.intake.schemas import Reporter
    from paht.privacy.requests import get_request
    from paht.privacy.service import complete_written

    given = {k: v for k, v in {"name": name, "phone": phone, "email": email}.items() if v is not None}
    db = _db()
    with db.read() as session:
        kind = get_request(session, request_id)[0].kind
    if kind == "export" and output is None:  # checked first: a finished request cannot be run again
        raise typer.BadParameter("an export needs --output FILE")
    with db.write() as session:
        result = complete_written(
            session,
            request_id,
            actor=_actor(session, by),
            settings=get_settings(),
            changes=Reporter(**given) if given else None,
        )
    db.dispose()
    if kind == "export" and output is not None:  # personal data goes to the file, never to the terminal
        output.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
        console.print(f"[green]request {request_id} done: data written to {output}[/green]")
        return
    console.print(f"[green]request {request_id} done: {', '.join(result.get('fields', [])) or 'no change'}[/green]")
