"""Where PAHT's time goes, per workload: py-spy samples the server while the load generator runs.

    python -m bench.profile --database-url sqlite:///var/bench/bench-20000-s7.sqlite3 --workloads W1,W2

For each workload it prints the functions with the most samples on the stack (inclusive), grouped by
where they live (PAHT's own modules, SQLAlchemy, pydantic, Starlette/FastAPI, the database driver).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bench import context as contexts
from bench import loadgen, servers
from bench.run import open311_key
from bench.workloads import REGISTRY
from paht.db import Database

GROUPS = (
    ("paht/", "paht"),
    ("sqlalchemy/", "sqlalchemy"),
    ("pydantic", "pydantic"),
    ("fastapi/", "fastapi"),
    ("starlette/", "starlette"),
    ("sqlite3", "sqlite3"),
    ("psycopg", "psycopg"),
    ("anyio", "anyio (threadpool)"),
    ("json", "json"),
)


def _group(frame: str) -> str:
    return next((name for marker, name in GROUPS if marker in frame), "other")


def summarise(collapsed: Path, top: int) -> str:
    """Inclusive samples per function (each function once per stack) and per library (leaf frame)."""
    functions: Counter[str] = Counter()
    libraries: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text(encoding="utf-8").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():  # a stack py-spy broke over two lines (seen once, under W1): left out
            continue
        count = int(count_text)
        frames = stack.split(";")
        total += count
        libraries[_group(frames[-1])] += count
        for frame in set(frames):
            if "paht/" in frame or "bench/" in frame:
                functions[frame.split(" (")[0] + " (" + frame.split("paht/")[-1].split(")")[0] + ")"] += count
    if not total:
        return "no samples"
    lines = ["leaf time by library: " + ", ".join(f"{n} {c / total:.0%}" for n, c in libraries.most_common(8))]
    lines += [f"  {c / total:6.1%}  {name}" for name, c in functions.most_common(top)]
    return "\n".join(lines)


def _py_spy() -> str:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else "py-spy"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--workloads", default="W1,W2,W3,W4,W5,W6,W7,W9")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    servers.pin_client()
    db = Database(args.database_url)
    context = contexts.build(db)
    context.open311_key = open311_key(db)
    server = servers.start("paht", args.database_url, Path(tempfile.mkdtemp()))
    try:
        for workload in (w for w in REGISTRY if w.id in args.workloads.split(",")):
            with tempfile.NamedTemporaryFile(suffix=".txt") as output:
                spy = subprocess.Popen(
                    [_py_spy(), "record", "--pid", str(server.process.pid), "--duration", str(args.seconds),
                     "--format", "raw", "--output", output.name, "--nonblocking"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )  # fmt: skip
                source = workload.source(context, 3)
                result = loadgen.run(
                    lambda s=source: loadgen.closed_loop(
                        "127.0.0.1", server.port, s, connections=args.connections, seconds=args.seconds, warmup=0
                    )
                )
                spy.wait(timeout=args.seconds + 60)
                print(f"\n{workload.id} {workload.title}: {result.count} requests, statuses {result.statuses()}")
                print(summarise(Path(output.name), args.top))
    finally:
        server.stop()
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
