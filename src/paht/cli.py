"""The `paht` command: serve, worker, migrate, demo data and administration."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import typer
from rich.console import Console

from paht.config import get_settings

app = typer.Typer(help="PAHT — phản ánh hiện trường (field reports).", no_args_is_help=True)
console = Console()


def _db():  # type: ignore[no-untyped-def]
    from paht.db import Database

    return Database(get_settings().database_url)


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema (Alembic)."""
    from paht.migrate import upgrade

    upgrade(get_settings().database_url)
    console.print("[green]database is at the latest schema[/green]")


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = typer.Option(1, help="HTTP worker processes"),
    no_worker: bool = typer.Option(False, help="do not run the job worker inside the server"),
) -> None:
    """Serve the web app and the API (runs the job worker in-process unless --no-worker)."""
    import os

    import uvicorn

    if no_worker:
        os.environ["PAHT_RUN_WORKER_IN_PROCESS"] = "false"
        get_settings.cache_clear()
    from paht.ops.cli import refuse_unsafe_database

    refuse_unsafe_database()  # issue 8 item 1: fail before binding the port (each app checks again at startup)
    # X-Forwarded-For/-Proto are believed only from PAHT_TRUSTED_PROXIES (ASVS 4.1.3; paht.abuse.client).
    trusted = ",".join(get_settings().trusted_proxies)
    uvicorn.run(
        "paht.asgi:app",
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=trusted,
        log_level="info",
    )


@app.command()
def worker() -> None:
    """Run the job worker alone (production: one or more besides `paht serve --no-worker`)."""
    from paht.jobs.worker import loop
    from paht.ops.cli import refuse_unsafe_database

    logging.basicConfig(level=logging.INFO)
    refuse_unsafe_database()  # issue 8 item 1: a job's effects must survive a crash as much as a report
    stop = threading.Event()
    console.print("worker running; Ctrl-C to stop")
    try:
        loop(_db(), get_settings(), stop)
    except KeyboardInterrupt:
        stop.set()


@app.command("run-jobs")
def run_jobs() -> None:
    """Run the overdue sweep and every due job once, then exit (for cron or debugging)."""
    from paht.jobs.worker import run_pending, sweep_once

    db = _db()
    breached = sweep_once(db)
    ran = run_pending(db, get_settings())
    console.print(f"{breached} deadline(s) breached, {ran} job(s) run")


@app.command()
def demo(force: bool = typer.Option(False, help="load even if the database already has reports")) -> None:
    """Load the demo city (bodies, categories, accounts, ~500 reports) into an empty database."""
    from paht.demo.load import load_demo

    db = _db()
    loaded = load_demo(db, get_settings(), force=force, progress=True)
    console.print("[green]demo data loaded[/green]" if loaded else "database already has data; skipped (use --force)")


@app.command("create-user")
def create_user(
    username: str,
    full_name: str = typer.Option(..., help="display name"),
    role: list[str] = typer.Option(
        ..., help="role(s): citizen, ioc_operator, ioc_editor, handler, leader, viewer, admin"
    ),
    organization: str | None = typer.Option(None, help="organisation code, e.g. SXD"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    email: str | None = None,
) -> None:
    """Create a user account."""
    from paht.auth.policy import AccountPolicy
    from paht.users.service import create_user as create

    with _db().write() as session:
        user = create(
            session,
            username=username,
            full_name=full_name,
            roles=role,
            organization_code=organization,
            password=password,
            email=email,
            policy=AccountPolicy.from_settings(get_settings()),
        )
        console.print(f"created user {user.username} (id {user.id})")


@app.command("create-organization")
def create_organization(
    code: str,
    name: str = typer.Option(..., help="Vietnamese name, e.g. 'Sở Xây dựng'"),
    kind: str = typer.Option(..., help="ioc, department, district, commune, central_agency or enterprise"),
    parent: str | None = typer.Option(None, help="parent organisation code"),
    name_en: str | None = typer.Option(None, help="English name"),
) -> None:
    """Create an organisation (the IOC first, then the handling bodies)."""
    from paht.organizations.service import create_organization as create

    with _db().write() as session:
        org = create(session, code=code, name=name, kind=kind, parent_code=parent, name_en=name_en)
        console.print(f"created organisation {org.code} (id {org.id})")


@app.command("workflow-docs")
def workflow_docs(path: Path = Path("docs/workflow.md")) -> None:
    """Regenerate docs/workflow.md from the transition table."""
    from paht.workflow.diagram import render

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    console.print(f"wrote {path}")


@app.command()
def openapi(path: Path = Path("docs/openapi.json")) -> None:
    """Write the OpenAPI document."""
    import json

    from paht.main import create_app

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(create_app(worker=False).openapi(), ensure_ascii=False, indent=2), encoding="utf-8")
    console.print(f"wrote {path}")


@app.command("smtp-receiver")
def smtp_receiver(
    host: str | None = typer.Option(None, help="default PAHT_SMTP_RECEIVER_HOST"),
    port: int | None = typer.Option(None, help="default PAHT_SMTP_RECEIVER_PORT"),
) -> None:
    """Receive e-mail for the public address by SMTP into the inbox (docs/channels.md); Ctrl-C to stop."""
    from paht.channels.email.receiver import start

    logging.basicConfig(level=logging.INFO)
    controller = start(_db(), get_settings(), host=host, port=port)
    console.print(f"SMTP receiver on {controller.hostname}:{controller.port}; Ctrl-C to stop")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


@app.command("imap-poll")
def imap_poll() -> None:
    """Fetch new e-mail from the IMAP mailbox once (the worker also polls every PAHT_IMAP_POLL_SECONDS)."""
    from paht.channels.email.imap import poll

    settings = get_settings()
    if not settings.imap_host:
        console.print("[red]PAHT_IMAP_HOST is not set (docs/channels.md)[/red]")
        raise typer.Exit(1)
    console.print(f"{poll(_db(), settings)} new e-mail(s) stored; the worker turns them into reports")


open311_keys = typer.Typer(help="Open311 API keys: the api_key clients need to POST requests.", no_args_is_help=True)
app.add_typer(open311_keys, name="open311-key")


@open311_keys.command("create")
def open311_key_create(name: str = typer.Argument(..., help="who the key is for, e.g. 'Hue-S app'")) -> None:
    """Create a key; it is printed once and only its SHA-256 is kept."""
    from paht.channels.open311.keys import create_key

    with _db().write() as session:
        row, secret = create_key(session, name=name)
        console.print(f"key {row.id} for {row.name}: {secret}")


@open311_keys.command("list")
def open311_key_list() -> None:
    """List the keys (their first characters only)."""
    from paht.channels.open311.keys import list_keys

    with _db().read() as session:
        for row in list_keys(session):
            state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
            console.print(f"{row.id}\t{row.key_prefix}…\t{row.name}\t{state}")


@open311_keys.command("revoke")
def open311_key_revoke(key_id: int) -> None:
    """Revoke a key: its client gets 403 from then on."""
    from paht.channels.open311.keys import revoke_key

    with _db().write() as session:
        row = revoke_key(session, key_id)
        console.print(f"key {row.id} ({row.name}) revoked")


areas = typer.Typer(help="Administrative areas (wards, communes) for maps and dispatch.", no_args_is_help=True)
app.add_typer(areas, name="areas")


@areas.command("import")
def areas_import(
    file: Path,
    no_place: bool = typer.Option(False, help="do not place existing reports in the imported areas"),
) -> None:
    """Import or update areas from a GeoJSON FeatureCollection.

    Each feature: a Polygon or MultiPolygon and properties `code`, `name`, optional `kind` (ward) and
    `organization_code` (its People's Committee, e.g. PHUHOI).
    """
    from paht.places.service import import_file

    with _db().write() as session:
        result = import_file(session, file, place_reports=not no_place)
    console.print(
        f"[green]{len(result.created)} area(s) created, {len(result.updated)} updated, "
        f"{result.placed} report(s) placed[/green]"
    )
    if result.unlinked:
        console.print(f"[yellow]no People's Committee linked: {', '.join(result.unlinked)}[/yellow]")


routing = typer.Typer(help="Dispatch suggestions: train and evaluate the models.", no_args_is_help=True)
app.add_typer(routing, name="routing")


@routing.command("train")
def routing_train() -> None:
    """Train the body and category models on this database's history now; schedule nightly retraining."""
    from paht.dispatching.jobs import ensure_scheduled, train_all

    db = _db()
    for kind, (model_id, examples) in train_all(db).items():
        if model_id is None:
            console.print(f"[yellow]{kind}: too little history ({examples} examples); not trained[/yellow]")
        else:
            console.print(f"[green]{kind}: model {model_id} trained on {examples} examples[/green]")
    ensure_scheduled(db, {}, get_settings())


@routing.command("evaluate")
def routing_evaluate(
    reports: int = typer.Option(20_000, help="size of the generated history"),
    seed: int = typer.Option(6, help="the generator's seed (same seed, same history)"),
) -> None:
    """Measure suggestions and duplicates on a generated history: train on the older 80 %, test on the rest."""
    from rich.table import Table

    from paht.dispatching.evaluate import evaluate

    result = evaluate(get_settings(), reports=reports, seed=seed)
    table = Table(title=f"{result.reports} reports: trained on {result.trained_on}, tested on {result.tested_on}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for name, value in (result.figures | result.counts | result.seconds).items():
        table.add_row(name, f"{value:.4f}" if isinstance(value, float) and name in result.figures else str(value))
    console.print(table)


@app.command("bench-data")
def bench_data(
    reports: int = typer.Option(..., min=1, help="how many reports to generate, e.g. 1000000"),
    seed: int = typer.Option(7, help="same seed, count and anchor: same data"),
    anchor: str | None = typer.Option(None, help="UTC date the data ends at (default: today), e.g. 2026-11-27"),
) -> None:
    """Generate a realistic city's reports in bulk (for `make bench`): timelines, clocks, events, photos."""
    from datetime import datetime

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from paht.benchdata.load import generate

    try:
        end = datetime.fromisoformat(anchor) if anchor else None
    except ValueError:
        console.print(f"[red]--anchor: không phải ngày hợp lệ (not a date): {anchor}[/red]")
        raise typer.Exit(2) from None
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("reports", total=reports)
        summary = generate(
            get_settings().database_url,
            get_settings(),
            reports=reports,
            seed=seed,
            anchor=end,
            progress=lambda done: progress.advance(task, done),
            stage=lambda what: progress.update(task, description=what),
        )
    rows = ", ".join(f"{count:,} {table}" for table, count in summary.rows.items())
    console.print(f"[green]{summary.reports:,} reports in {summary.seconds:.0f} s[/green] (seed {seed}): {rows}")
    for filler in summary.fillers:
        console.print(f"  {filler.name}: {filler.status}" + (f" ({filler.rows:,} rows)" if filler.rows else ""))


# Statistics (issue 5): `paht stats rebuild`, `paht stats export`.
from paht.stats.cli import app as stats_app  # noqa: E402

app.add_typer(stats_app, name="stats")

# Tamper-evident audit (issue 8 item 7): `paht audit verify`.
from paht.audit.cli import app as audit_app  # noqa: E402

app.add_typer(audit_app, name="audit")

# Personal data (issue 8 item 8): `paht privacy retention|requests|request|complete`.
from paht.privacy.cli import app as privacy_app  # noqa: E402

app.add_typer(privacy_app, name="privacy")

# Crash safety and backups (issue 8 items 1 and 9): `paht backup`, `paht restore` (src/paht/ops/cli.py).
from paht.ops.cli import register as register_ops  # noqa: E402

register_ops(app)

# Staff accounts (issue 8 item 4): `paht set-password`, `paht totp-reset`, `paht demo-totp` (src/paht/auth/cli.py).
from paht.auth.cli import register as register_accounts  # noqa: E402

register_accounts(app)


def main() -> None:
    """Entry point: domain errors (bad input) print their message instead of a traceback."""
    from paht.errors import DomainError

    try:
        app()
    except DomainError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
