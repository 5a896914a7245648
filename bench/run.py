"""`make bench` / `make bench-quick`: PAHT against the raw reference app, workload by workload.

    python -m bench.run                      # 1,000,000 reports, SQLite and (if reachable) PostgreSQL
    python -m bench.run --quick              # 20,000 reports, short runs: correctness, for CI
    python -m bench.run --backend sqlite --reports 100000 --workloads W1,W2

For each backend: generate (or reuse) the database, probe fsync, start PAHT and the raw app (both
write modes) pinned to one CPU, check every workload's answers, then run each workload closed-loop
A B A B (medians), and for the reads both apps answer, open-loop at half of raw's maximum.
Exit status 1 when a check failed or a request got an unexpected status.
"""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from sqlalchemy import text

from bench import checks, datasets, loadgen, probe, report, servers
from bench import context as contexts
from bench.workloads import EXPECTED_STATUS, REGISTRY, Workload
from paht.db import Database

ROOT = Path(__file__).resolve().parents[1]
console = Console()


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workloads", default=",".join(w.id for w in REGISTRY))
    parser.add_argument("--quick", action="store_true", help="20,000 reports, 1 s runs, one repeat")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    default_pg = os.environ.get("PAHT_BENCH_POSTGRES_URL") or os.environ.get("PAHT_TEST_POSTGRES_URL")
    parser.add_argument("--postgres-url", default=default_pg or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args(argv)
    if args.quick:
        args.reports = 20_000 if args.reports == 1_000_000 else args.reports
        args.seconds, args.warmup, args.repeats, args.connections = 1.0, 0.2, 1, 8
    return args


def backends(args: argparse.Namespace) -> list[str]:
    if args.backend != "both":
        return [args.backend]
    if datasets.postgres_reachable(args.postgres_url):
        return ["sqlite", "postgres"]
    console.print("[yellow]PostgreSQL not reachable: SQLite only[/yellow]")
    return ["sqlite"]


def _writes(workload: Workload) -> bool:
    return workload.writes


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    servers.pin_client()
    failed = False
    for backend in backends(args):
        results = bench_backend(backend, args)
        json_path, markdown_path = report.save(results, args.out)
        console.print(markdown_path.read_text(encoding="utf-8"))
        console.print(f"results: {json_path.relative_to(ROOT) if json_path.is_relative_to(ROOT) else json_path}")
        bad_checks = [c for c in results["checks"] if not c["ok"]]
        errors = sum(
            run.get("errors", 0)
            for work in results["workloads"].values()
            for run in [
                *(r for app_runs in work.get("runs", {}).values() for r in app_runs),
                *work.get("latency", {}).values(),
            ]
        )
        failed |= bool(bad_checks) or errors > 0
    return 1 if failed else 0


def bench_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    admin = args.postgres_url if backend == "postgres" else None
    pristine = datasets.prepare(
        backend, reports=args.reports, seed=args.seed, data_dir=args.data_dir, admin_url=admin, console=console
    )
    url = datasets.working_copy(pristine, admin)
    db = Database(url)
    context = contexts.build(db)
    context.open311_key = open311_key(db)
    machine = {
        "fsync_probe": probe.fsync_probe(args.data_dir, 0.5 if args.quick else 2.0),
        "versions": probe.versions(url),
        "durability": probe.durability(url),
    }
    console.print(f"{backend}: fsync probe {machine['fsync_probe']}")
    started = {name: servers.start(name, url, args.data_dir / "files") for name in servers.APPS}
    try:
        present = _present(started["paht"])
        raw = {w.id for w in REGISTRY if w.raw}
        context.mixed_reads = {"W2", "W3"} | ({"W4", "W5"} & raw & present)
        clients = {name: httpx.Client(base_url=s.base, timeout=30) for name, s in started.items()}
        found = checks.run_checks(context, {k: clients[k] for k in ("paht", "raw")}, present, raw)
        for check in found:
            console.print(f"  {'ok  ' if check.ok else '[red]FAIL[/red]'} {check.workload} {check.app}: {check.detail}")
        wanted = [w for w in REGISTRY if w.id in args.workloads.split(",")]
        # Reads first: a write workload leaves its reports behind (W1 adds thousands per run, newest of all),
        # and a list read after it would walk past them. The table keeps the registry's order.
        measured = {w.id: measure(w, w.id in present, context, started, db, args) for w in sorted(wanted, key=_writes)}
        workloads = {w.id: measured[w.id] for w in wanted}
    finally:
        for server in started.values():
            server.stop()
        db.dispose()
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "git": probe.git_revision(),
        "backend": backend,
        "reports": args.reports,
        "seed": args.seed,
        "quick": args.quick,
        "machine": machine,
        "settings": {k: getattr(args, k) for k in ("seconds", "warmup", "repeats", "connections")},
        "checks": [c.__dict__ for c in found],
        "workloads": workloads,
    }


def _present(paht: servers.Server) -> set[str]:
    """Workloads whose PAHT route is in the running server's OpenAPI document."""
    paths = httpx.get(f"{paht.base}/openapi.json", timeout=30).json()["paths"]
    return {w.id for w in REGISTRY if w.route[1] in paths and w.route[0] in paths[w.route[1]]}


def open311_key(db: Database) -> str | None:
    try:
        from paht.channels.open311.keys import create_key
    except ImportError:
        return None
    with db.write() as session:
        _, secret = create_key(session, name="bench")
    return secret


def _refresh_pool(db: Database, context: contexts.Context) -> None:
    """Re-read the W7 reports' states (a run may have stopped between an action and its reverse)."""
    with db.read() as session:
        ids = [item[0] for item in context.action_pool]
        states = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            placeholders = ", ".join(f":p{i}" for i in range(len(chunk)))
            key = (lambda i: i.replace("-", "")) if context.sqlite else (lambda i: i)
            params = {f"p{i}": key(value) for i, value in enumerate(chunk)}
            rows = session.execute(text(f"SELECT id, state FROM reports WHERE id IN ({placeholders})"), params)
            states |= {str(row[0]).replace("-", ""): row[1] for row in rows}
    context.action_pool = [
        (rid, states.get(rid.replace("-", ""), state), body)
        for rid, state, body in context.action_pool
        if states.get(rid.replace("-", ""), state) in ("processing", "awaiting_approval")
    ]


def _one_run(workload: Workload, context: contexts.Context, server: servers.Server, args: argparse.Namespace,
             *, seed: int, rate: float | None = None) -> dict[str, Any]:  # fmt: skip
    source = workload.source(context, seed)
    connections = args.connections
    if workload.id == "W7":
        connections = min(connections, source.lane_count)  # type: ignore[attr-defined]
    before = server.cpu_seconds()
    if rate is None:
        result = loadgen.run(
            lambda: loadgen.closed_loop(
                "127.0.0.1", server.port, source, connections=connections, seconds=args.seconds, warmup=args.warmup
            )
        )
    else:
        result = loadgen.run(
            lambda: loadgen.open_loop(
                "127.0.0.1", server.port, source, rate=rate, seconds=args.seconds, warmup=args.warmup
            )
        )
    return report.figures(result, server.cpu_seconds() - before, EXPECTED_STATUS)


def measure(workload: Workload, present: bool, context: contexts.Context, started: dict[str, servers.Server],
            db: Database, args: argparse.Namespace) -> dict[str, Any]:  # fmt: skip
    out: dict[str, Any] = {"title": workload.title, "present": present, "raw": workload.raw}
    if not present:
        console.print(f"{workload.id}: endpoint not present in PAHT; skipped")
        return out
    apps = ["paht"] + (["raw"] if workload.raw else [])
    apps += ["raw-group-commit"] if workload.raw and workload.writes else []
    out["raw_apps"] = [a for a in apps if a != "paht"]
    runs: dict[str, list[dict[str, Any]]] = {app: [] for app in apps}
    for repeat in range(args.repeats):
        for app in apps:
            if workload.id in ("W7", "W8"):
                _refresh_pool(db, context)
            runs[app].append(_one_run(workload, context, started[app], args, seed=1000 * repeat + len(runs[app])))
            last = runs[app][-1]
            console.print(
                f"{workload.id} {app:<17} {last['rps']:>9,.0f} req/s  p50 {last['p50_ms']} ms  p99 {last['p99_ms']} ms"
                f"  errors {last['errors']} {last['statuses']}"
            )
    out["runs"] = runs
    out["median"] = {app: report.medians(app_runs) for app, app_runs in runs.items()}
    if workload.raw and workload.latency and out["median"]["raw"]["rps"] and not args.quick:
        rate = round(out["median"]["raw"]["rps"] / 2, 1)
        out["latency"] = {}
        for app in ("paht", "raw"):
            most = out["median"][app]["rps"]
            if most < rate:  # it cannot keep up: the backlog grows for the whole run (W7: 12 minutes)
                out["latency"][app] = {"offered_rps": rate, "p99_ms": None, "over_capacity": True, "max_rps": most}
                console.print(f"{workload.id} {app:<17} at {rate:,.0f}/s: not run, its maximum is {most:,.0f}/s")
                continue
            if workload.id in ("W7", "W8"):
                _refresh_pool(db, context)
            out["latency"][app] = _one_run(workload, context, started[app], args, seed=77, rate=rate)
            console.print(f"{workload.id} {app:<17} at {rate:,.0f}/s: p99 {out['latency'][app]['p99_ms']} ms")
    return out


if __name__ == "__main__":
    raise SystemExit(main())
