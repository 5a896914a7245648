"""`paht audit verify`: walk the event hash chain and report the first row that does not hold."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from paht.config import get_settings

app = typer.Typer(help="Nhật ký kiểm toán — tamper-evident audit of the event log.", no_args_is_help=True)
console = Console()


@app.callback()
def _group() -> None:
    """Keep `verify` a subcommand even while it is the only one."""


@app.command()
def verify() -> None:
    """Recompute every event's hash in id order; exit 1 at the first broken row."""
    from paht.audit.chain import count_events, verify_chain
    from paht.db import Database

    db = Database(get_settings().database_url)
    try:
        with db.read() as session:
            total = count_events(session)
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
            with Progress(*columns, console=console, transient=True) as progress:
                task = progress.add_task("Kiểm tra chuỗi băm (verifying)", total=total)
                check = verify_chain(session, progress=lambda n: progress.advance(task, n))
    finally:
        db.dispose()
    if not check.ok:
        console.print(
            f"[red]Chuỗi băm bị phá vỡ tại sự kiện {check.first_broken_id} (chain broken at event "
            f"{check.first_broken_id}): {check.reason}[/red] — {check.checked} event(s) before it are intact.",
            soft_wrap=True,
        )
        raise typer.Exit(1)
    console.print(f"[green]OK, {check.checked} events[/green]")
