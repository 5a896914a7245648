"""Benchmark databases: generated once per (backend, size, seed, schema) and reused while they match.

A marker file next to the data records what was generated; a different size, seed or generator version
regenerates the database from scratch. Newer migrations are applied to the existing data, the way a city's database is
upgraded (a million reports take most of an hour to generate; an index migration takes a minute).

A run works on a copy (`working_copy`): the write workloads add tens of thousands of reports per run,
all newest of all, and a later run's lists would walk past them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from alembic.script import ScriptDirectory
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from paht.benchdata.load import generate
from paht.config import Settings
from paht.migrate import alembic_config, upgrade


def schema_heads() -> list[str]:
    return sorted(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def postgres_reachable(admin_url: str) -> bool:
    engine = create_engine(admin_url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
    finally:
        engine.dispose()


# What the generator makes, raised whenever the same seed starts making different rows, so that data left by
# an older generator is made again instead of measured as if it were new (2: time-ordered ids, paht.models.ids).
GENERATOR = 2


def prepare(backend: str, *, reports: int, seed: int, data_dir: Path, admin_url: str | None, console: Console) -> str:
    """The URL of a database holding `reports` generated reports, made now unless a matching one exists."""
    data_dir.mkdir(parents=True, exist_ok=True)
    name = f"bench-{reports}-s{seed}"
    marker = data_dir / f"{name}-{backend}.json"
    wanted = {"reports": reports, "seed": seed, "generator": GENERATOR}
    if backend == "sqlite":
        path = data_dir / f"{name}.sqlite3"
        url = f"sqlite:///{path.resolve()}"
        if _matches(marker, wanted) and path.exists():
            return _upgraded(url, marker)
        for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            stale.unlink(missing_ok=True)
    else:
        assert admin_url is not None
        database = name.replace("-", "_")
        url = make_url(admin_url).set(database=database).render_as_string(hide_password=False)
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database})
                if _matches(marker, wanted) and exists.first():
                    return _upgraded(url, marker)
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
                connection.execute(text(f'CREATE DATABASE "{database}"'))
        finally:
            admin.dispose()
    marker.unlink(missing_ok=True)
    settings = Settings(database_url=url, data_dir=data_dir / "files", run_worker_in_process=False)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(f"{backend}: generating", total=reports)
        summary = generate(
            url,
            settings,
            reports=reports,
            seed=seed,
            progress=lambda done: progress.advance(task, done),
            stage=lambda what: progress.update(task, description=f"{backend}: {what}"),
        )
    console.print(f"{backend}: {reports:,} reports generated in {summary.seconds:.0f} s")
    recorded = wanted | {"heads": schema_heads(), "anchor": summary.anchor.isoformat()}
    marker.write_text(json.dumps(recorded), encoding="utf-8")
    return url


def working_copy(url: str, admin_url: str | None) -> str:
    """A fresh copy of the pristine data at `url`, replacing the previous run's copy; its URL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        source = Path(parsed.database or "")
        target = source.with_name(f"{source.stem}-run{source.suffix}")
        for stale in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
            stale.unlink(missing_ok=True)
        _checkpoint(url)
        # A copy-on-write clone where the file system has them (seconds for 13 GB), a byte copy elsewhere.
        if subprocess.run(["cp", "--reflink=auto", str(source), str(target)], check=False).returncode != 0:
            shutil.copyfile(source, target)
        _settle(source)
        return parsed.set(database=str(target)).render_as_string(hide_password=False)
    assert admin_url is not None
    pristine = parsed.database or ""
    copy = f"{pristine}_run"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{pristine}"'))
    finally:
        admin.dispose()
    return parsed.set(database=copy).render_as_string(hide_password=False)


def _settle(source: Path) -> None:
    """Leave the page cache to the copy, and the disk idle, before anything is measured.

    At 1 M reports the data is 12 GB on a 24 GB machine: with both files cached, the copy's pages were
    evicted during the run (a run right after a copy measured W5 at 0-29 req/s on PAHT and 19-81 on raw),
    and the kernel was still writing the copy back. So the pristine file's pages are dropped and the
    copy is written out now.
    """
    with source.open("rb") as handle:
        os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
    os.sync()


def _checkpoint(url: str) -> None:
    """Fold the write-ahead log into the main file, so that the file alone is the whole database."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()


def _upgraded(url: str, marker: Path) -> str:
    """The existing data, with any newer migrations applied; the marker records the heads it now has."""
    upgrade(url)
    found = json.loads(marker.read_text(encoding="utf-8"))
    marker.write_text(json.dumps(found | {"heads": schema_heads()}), encoding="utf-8")
    return url


def _matches(marker: Path, wanted: dict) -> bool:
    try:
        found = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return all(found.get(k) == v for k, v in wanted.items())
