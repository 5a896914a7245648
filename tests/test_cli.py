"""`paht migrate` and `paht demo` on a fresh database, as `make run` uses them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from paht.db import Database
from paht.demo.load import load_demo
from paht.models import Report


def _paht(*args: str, url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PAHT_DATABASE_URL": url, "PAHT_DATA_DIR": str(cwd / "data")}
    return subprocess.run(
        [sys.executable, "-m", "paht.cli", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_migrate_and_demo_make_a_working_city(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    assert _paht("migrate", url=url, cwd=tmp_path).returncode == 0
    demo = _paht("demo", url=url, cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    again = _paht("demo", url=url, cwd=tmp_path)
    assert "skipped" in again.stdout
    engine = create_engine(url)
    with engine.connect() as connection:
        states = dict(connection.execute(text("SELECT state, count(*) FROM reports GROUP BY state")).all())
        users = set(connection.execute(text("SELECT username FROM users")).scalars())
        orgs = dict(connection.execute(text("SELECT kind, count(*) FROM organizations GROUP BY kind")).all())
        late = connection.execute(text("SELECT count(*) FROM assignments WHERE ack_on_time = false")).scalar()
    engine.dispose()
    assert set(states) == {
        "received", "dispatched", "processing", "returned", "awaiting_approval", "approved", "published",
        "rejected", "duplicate",
    }  # fmt: skip
    assert 450 <= sum(states.values()) <= 550
    expected_users = {"admin", "ioc.operator", "ioc.editor", "citizen.demo"}
    for code in ("sxd", "phuhoi", "hepco"):
        expected_users |= {f"{code}.handler", f"{code}.leader"}
    assert expected_users <= users
    assert set(orgs) == {"ioc", "department", "district", "commune", "central_agency", "enterprise"}
    assert sum(orgs.values()) - orgs["ioc"] >= 15
    assert late > 0


def test_demo_reports_are_driven_through_the_real_workflow(database_url, settings):
    db = Database(database_url)
    try:
        assert load_demo(db, settings, force=True, reports=40) is True
        with db.read() as session:
            published = session.query(Report).filter(Report.state == "published").count()
            events = session.execute(text("SELECT count(*) FROM events WHERE kind = 'transition'")).scalar()
        assert published > 0
        assert events > 40
    finally:
        db.dispose()


def test_bootstrapping_a_city_from_the_command_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'city.sqlite3'}"
    assert _paht("migrate", url=url, cwd=tmp_path).returncode == 0
    made = _paht("create-organization", "ioc", "--name", "Trung tâm IOC", "--kind", "ioc", url=url, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    bad = _paht("create-organization", "X1", "--name", "X", "--kind", "ministry", url=url, cwd=tmp_path)
    assert bad.returncode != 0
    assert "Loại đơn vị không hợp lệ" in bad.stderr + bad.stdout
    user = subprocess.run(
        [sys.executable, "-m", "paht.cli", "create-user", "admin", "--full-name", "Quản trị", "--role", "admin",
         "--organization", "IOC"],
        input="s3cret-passw0rd\ns3cret-passw0rd\n", capture_output=True, text=True, timeout=60, cwd=tmp_path,
        env=os.environ | {"PAHT_DATABASE_URL": url},
    )  # fmt: skip
    assert user.returncode == 0, user.stderr
    engine = create_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT role FROM user_roles")).scalars().all() == ["admin"]
    engine.dispose()


def test_the_server_entry_point_freezes_what_it_built_out_of_the_collectors_full_passes(tmp_path):
    """`paht serve` and uvicorn import paht.asgi; its long-lived objects must not be rescanned (paht/asgi.py)."""
    env = os.environ | {"PAHT_DATABASE_URL": f"sqlite:///{tmp_path / 'a.sqlite3'}", "PAHT_DATA_DIR": str(tmp_path)}
    probe = "import gc, paht.asgi; print(gc.get_freeze_count(), len(gc.get_objects(generation=2)))"
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    frozen, scanned = map(int, done.stdout.split())
    assert frozen > 100_000 and scanned < 1_000
