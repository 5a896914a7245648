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
    uvicorn.run("paht.asgi:app", host=host, port=port, workers=workers, proxy_headers=True, log_level="info")


@app.command()
def worker() -> None:
    """Run the job worker alone (production: one or more besides `paht serve --no-worker`)."""
    from paht.jobs.worker import loop

    logging.basicConfig(level=logging.INFO)
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
