"""Results: one run's figures, medians over the repeats, ratios PAHT/raw, JSON on disk and a Markdown table."""

from __future__ import annotations

import json
from pathlib import Path
from statistics import median
from typing import Any

from bench.loadgen import RunResult, percentile


def figures(result: RunResult, cpu_seconds: float, expected: dict[str, int]) -> dict[str, Any]:
    """One run: throughput, latency, CPU per 1,000 requests and every status that was not the expected one."""
    latencies = result.latencies()
    errors = sum(
        count
        for label, klass in result.classes.items()
        for status, count in klass.statuses.items()
        if status != expected.get(label, 200)
    )
    return {
        "requests": result.count,
        "rps": round(result.rps, 1),
        "offered_rps": result.offered_rate,
        "p50_ms": _ms(percentile(latencies, 0.50)),
        "p99_ms": _ms(percentile(latencies, 0.99)),
        "cpu_s_per_1000": round(cpu_seconds / result.sent * 1000, 4) if result.sent else None,
        "errors": errors,
        "statuses": {str(k): v for k, v in sorted(result.statuses().items())},
        "classes": {
            label: {
                "requests": len(klass.latencies),
                "p50_ms": _ms(percentile(klass.latencies, 0.50)),
                "p99_ms": _ms(percentile(klass.latencies, 0.99)),
            }
            for label, klass in sorted(result.classes.items())
        },
    }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 3)


def medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"runs": len(runs), "errors": sum(r["errors"] for r in runs)}
    for key in ("rps", "p50_ms", "p99_ms", "cpu_s_per_1000"):
        values = [r[key] for r in runs if r[key] is not None]
        out[key] = round(median(values), 4) if values else None
        out[f"{key}_spread"] = [min(values), max(values)] if values else None
    return out


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def save(results: dict[str, Any], directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"{results['date']}-{results['backend']}" + ("-quick" if results.get("quick") else "")
    json_path, markdown_path = directory / f"{stem}.json", directory / f"{stem}.md"
    json_path.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    markdown_path.write_text(render(results), encoding="utf-8")
    return json_path, markdown_path


def _cell(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def render(results: dict[str, Any]) -> str:
    machine = results["machine"]
    probe = machine["fsync_probe"]
    lines = [
        f"## {results['backend']} · {results['reports']:,} reports · {results['date']} · {results['git']}",
        "",
        f"fsync probe (append 4 KiB + fdatasync): **{probe['append_4k_fdatasync_per_s']:,}/s** "
        f"({probe['mean_us']} µs). Durability: {_inline(machine['durability'])}.",
        f"Versions: {_inline(machine['versions'])}.",
        f"Runs: {results['settings']['repeats']} × {results['settings']['seconds']} s per cell (A B A B), "
        f"{results['settings']['connections']} connections, medians shown; server pinned to one CPU.",
        "",
        "| Workload | PAHT req/s | raw req/s | PAHT/raw | PAHT p50 / p99 ms | raw p50 / p99 ms "
        "| CPU-s per 1k PAHT / raw | p99 at ½ raw max: PAHT / raw ms | errors |",
        "|---|---:|---:|---:|---|---|---|---|---:|",
    ]
    for wid, work in results["workloads"].items():
        title = f"{wid} {work['title']}"
        if not work["present"]:
            lines.append(f"| {title} | endpoint not present | | | | | | | |")
            continue
        paht = work["median"].get("paht", {})
        for raw_name in work.get("raw_apps") or [None]:
            raw = work["median"].get(raw_name, {}) if raw_name else {}
            label = title if raw_name in (None, "raw") else f"{wid} vs raw {raw_name.removeprefix('raw-')}"
            latency = work.get("latency", {})
            lines.append(
                f"| {label} | {_cell(paht.get('rps'))} | {_cell(raw.get('rps')) if raw_name else 'raw: n/a'} "
                f"| {_cell(ratio(paht.get('rps'), raw.get('rps')), 2)} "
                f"| {_cell(paht.get('p50_ms'), 1)} / {_cell(paht.get('p99_ms'), 1)} "
                f"| {_cell(raw.get('p50_ms'), 1)} / {_cell(raw.get('p99_ms'), 1)} "
                f"| {_cell(paht.get('cpu_s_per_1000'), 3)} / {_cell(raw.get('cpu_s_per_1000'), 3)} "
                f"| {_latency(latency, raw_name)} | {paht.get('errors', 0) + raw.get('errors', 0)} |"
            )
    failed = [c for c in results["checks"] if not c["ok"]]
    lines += ["", f"Correctness checks: {len(results['checks']) - len(failed)} passed, {len(failed)} failed."]
    lines += [f"- FAILED {c['workload']} on {c['app']}: {c['detail']}" for c in failed]
    return "\n".join(lines) + "\n"


def _latency(latency: dict[str, Any], raw_name: str | None) -> str:
    if raw_name not in (None, "raw") or not latency:
        return ""
    paht, raw = latency.get("paht", {}), latency.get("raw", {})
    rate = paht.get("offered_rps") or raw.get("offered_rps")
    return f"{_p99(paht)} / {_p99(raw)} @ {_cell(rate)}/s"


def _p99(latency: dict[str, Any]) -> str:
    if latency.get("over_capacity"):
        return f"over capacity (max {_cell(latency.get('max_rps'))}/s)"
    return _cell(latency.get("p99_ms"), 1)


def _inline(values: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in values.items() if v is not None)
