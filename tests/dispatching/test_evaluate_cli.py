"""`paht routing evaluate` prints the measured figures (a small history here; 20,000 in the docs)."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import select

from paht.models import Job


def test_the_cli_prints_accuracy_and_duplicate_figures(tmp_path):
    env = os.environ | {"PAHT_DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}", "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-m", "paht.cli", "routing", "evaluate", "--reports", "800"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    for measure in (
        "800 reports: trained on 640, tested on 160",
        "baseline_category_default_top1",
        "suggestions_top1",
        "suggestions_top3",
        "duplicates_precision",
        "duplicates_recall",
    ):
        assert measure in done.stdout


def test_train_says_when_there_is_too_little_history_and_books_the_nightly_run(database_url, db, tmp_path):
    env = os.environ | {"PAHT_DATABASE_URL": database_url, "PAHT_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "paht.cli", "routing", "train"], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "body: too little history (0 examples); not trained" in " ".join(done.stdout.split())
    with db.read() as session:
        assert session.scalar(select(Job.kind).where(Job.kind == "routing_retrain")) == "routing_retrain"
