"""Run one Python snippet in several worker processes released at the same instant.

Each process imports what it needs, connects, prints READY and waits; when all are ready the test
writes GO to every one of them, so their work really overlaps. Each prints its result as the last line.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

PREAMBLE = """
import json, sys
from datetime import datetime
from sqlalchemy import text
from paht.clock import set_now
from paht.db import Database

set_now(datetime.fromisoformat(sys.argv[2]))
db = Database(sys.argv[1])
with db.read() as session:
    session.execute(text("SELECT 1"))
print("READY", flush=True)
sys.stdin.readline()
"""

TIMEOUT_SECONDS = 120


def run_together(body: str, *, count: int, database_url: str, now: datetime) -> list[str]:
    """Run PREAMBLE + `body` in `count` processes at once; returns each process's last line of output."""
    script = PREAMBLE + textwrap.dedent(body)
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, database_url, now.isoformat()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        for _ in range(count)
    ]
    try:
        for process in processes:
            assert process.stdout is not None
            line = process.stdout.readline().strip()
            if line != "READY":
                _, err = process.communicate(timeout=TIMEOUT_SECONDS)
                raise AssertionError(f"a worker process failed to start: {line!r}\n{err}")
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("GO\n")
            process.stdin.flush()
        outputs = []
        for process in processes:
            out, err = process.communicate(timeout=TIMEOUT_SECONDS)
            assert process.returncode == 0, err
            outputs.append(out.strip().splitlines()[-1])
        return outputs
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
