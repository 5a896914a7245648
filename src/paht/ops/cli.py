"""Operations commands (issue 8 items 1 and 9): `paht backup`, `paht restore`, and the durability check
that `paht serve` and `paht worker` run before they start."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from paht.config import get_settings
from paht.ops.backup import Manifest, Step
from paht.ops.restore import Verification

console = Console()


def refuse_unsafe_database() -> None:
    """Raise UnsafeDatabase (printed by `paht`'s main, exit 1) unless the database is durable."""
    from paht.db import Database
    from paht.ops.durability import require_durable

    database = Database(get_settings().database_url)
    try:
        require_durable(database)
    finally:
        database.dispose()


@contextmanager
def _steps() -> Iterator[Step]:
    """Each long step on its own line with a spinner and its elapsed time."""
    columns = (SpinnerColumn(finished_text="[green]✓[/green]"), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        current: list[int] = []

        def step(description: str) -> None:
            if current:
                progress.update(current[-1], total=1, completed=1)
            current.append(progress.add_task(description, total=None))

        try:
            yield step
        except BaseException:
            if current:  # the step that failed stops spinning and says so; the message follows below it
                progress.update(current[-1], visible=False)
                progress.console.print(f"[red]✗ {progress.tasks[-1].description}[/red]")
            raise
        if current:
            progress.update(current[-1], total=1, completed=1)


def _print_manifest(file: Path, manifest: Manifest) -> None:
    rows = sum(manifest.counts.values())
    console.print(
        f"[green]sao lưu xong (backup written)[/green] {file} — {manifest.size_bytes:,} bytes, "
        f"{len(manifest.counts)} bảng (tables), {rows:,} dòng (rows), revision {manifest.alembic_revision}, "
        f"sha256 {manifest.sha256[:16]}…"
    )


def _print_verification(result: Verification) -> None:
    table = Table(title="Kiểm tra bản khôi phục (restore verification)")
    table.add_column("kiểm tra (check)")
    table.add_column("kết quả (result)")
    table.add_row("PRAGMA integrity_check", result.integrity)
    table.add_row("Alembic revision", f"{result.revision[1]} (manifest {result.revision[0]})")
    counts = "khớp (match)" if not result.mismatched else f"[red]lệch (differ): {result.mismatched}[/red]"
    table.add_row(f"số dòng {result.tables} bảng, {result.rows:,} dòng (row counts)", counts)
    if result.chain_ok is None:
        chain = "không có (audit chain module not installed)"
    elif result.chain_ok:
        chain = f"hợp lệ (valid): {result.chain_checked:,} sự kiện (events)"
    else:
        chain = f"[red]HỎNG (broken) at event {result.chain_broken_id}: {result.chain_reason}[/red]"
    table.add_row("chuỗi băm nhật ký (audit chain)", chain)
    console.print(table)
    if result.ok:
        console.print("[green]bản khôi phục hợp lệ (restore verified)[/green]")
    else:
        console.print("[red]bản khôi phục KHÔNG hợp lệ (restore verification FAILED)[/red]")


def backup(
    file: Path = typer.Argument(..., help="the backup file to write, e.g. backups/paht-2026-11-28.dump"),
    verify: bool = typer.Option(False, "--verify", help="then restore it into a scratch database and check it"),
) -> None:
    """Back up the database (SQLite online backup, PostgreSQL pg_dump -Fc) with a manifest; safe while serving."""
    from paht.ops.backup import backup as make_backup
    from paht.ops.restore import verify_backup

    url = get_settings().database_url
    with _steps() as step:
        manifest = make_backup(url, file, step=step)
    _print_manifest(file, manifest)
    if verify:
        with _steps() as step:
            result = verify_backup(file.resolve(), url, step=step)
        _print_verification(result)
        if not result.ok:
            raise typer.Exit(1)


def restore(
    file: Path = typer.Argument(..., help="a file written by `paht backup` (its .manifest.json beside it)"),
    to: str = typer.Option(..., "--to", help="the target database URL, e.g. sqlite:///var/restored.sqlite3"),
    force: bool = typer.Option(False, "--force", help="overwrite a target database that already has tables"),
) -> None:
    """Restore a backup into an empty database, then verify it (integrity, row counts, audit chain)."""
    from paht.ops.restore import restore as restore_backup

    with _steps() as step:
        result = restore_backup(file.resolve(), to, force=force, step=step)
    _print_verification(result)
    if not result.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)
