"""`paht stats …`: rebuild the maintained statistics, and export reports or statistics to a file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from paht.config import get_settings

app = typer.Typer(help="Thống kê — statistics: rebuild and export.", no_args_is_help=True)
console = Console()


def _db():  # type: ignore[no-untyped-def]
    from paht.db import Database

    return Database(get_settings().database_url)


@app.command()
def rebuild(batch_size: int = typer.Option(500, help="reports per batch")) -> None:
    """Recompute every statistic from the event log and the assignments (exactly what the hook maintains)."""
    from sqlalchemy import func, select

    from paht.models import Report
    from paht.stats.bulk import rebuild as rebuild_all

    db = _db()
    with db.write() as session:
        total = session.scalar(select(func.count()).select_from(Report)) or 0
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("Tính lại thống kê (rebuilding)", total=total)
            done = rebuild_all(session, batch_size=batch_size, progress=lambda n: progress.advance(task, n))
    console.print(f"[green]rebuilt statistics from {done} report(s)[/green]")


@app.command()
def export(
    what: str = typer.Argument(..., help="reports | stats"),
    output: Path = typer.Option(..., "--output", "-o", help="file to write"),
    fmt: str = typer.Option("csv", "--format", help="csv | xlsx"),
    start: str | None = typer.Option(None, "--from", help="first day, YYYY-MM-DD (local)"),
    end: str | None = typer.Option(None, "--to", help="last day, YYYY-MM-DD (local)"),
    contacts: bool = typer.Option(False, help="reports: include reporters' contact details (personal data)"),
    lang: str = typer.Option("vi", help="vi | en"),
) -> None:
    """Write reports (as the IOC sees them) or the statistics of a period to a CSV or XLSX file."""
    from paht.stats import exports

    if what not in ("reports", "stats") or fmt not in ("csv", "xlsx"):
        raise typer.BadParameter("what must be reports or stats, --format csv or xlsx")
    settings = get_settings()
    first = date.fromisoformat(start) if start else None
    last = date.fromisoformat(end) if end else None
    db = _db()
    if what == "reports":
        table = exports.reports_table(
            db,
            _system_actor(),
            settings,
            kind=exports.CONTACTS if contacts else exports.STAFF,
            filters=exports.ReportExportFilter(created_from=first, created_to=last),
            lang=lang,
        )
    else:
        table = _stats_table(db, first, last, lang)
    exports.write_file(table, fmt, lang, settings.timezone, str(output))
    console.print(f"wrote {output}")


def _system_actor():  # type: ignore[no-untyped-def]
    from paht.auth.actor import Actor
    from paht.auth.roles import Role

    # The command line runs with the server's own rights: everything, like the IOC.
    return Actor(user_id=None, username="paht-cli", roles=frozenset({Role.admin}))


def _stats_table(db, first: date | None, last: date | None, lang: str):  # type: ignore[no-untyped-def]
    from paht.clock import utc_now
    from paht.stats import summary
    from paht.stats.periods import resolve_period
    from paht.stats.queries import Scope
    from paht.stats.sheet import stats_table

    settings = get_settings()
    with db.read() as session:
        scope = Scope(period=resolve_period(start=first, end=last, preset=None, timezone=settings.timezone))
        stats = summary.build(session, scope, group_by="organization", lang=lang, now=utc_now())
    return stats_table(stats, lang)
