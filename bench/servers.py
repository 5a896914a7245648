"""The servers under test: PAHT and the raw app, one uvicorn process each, pinned to one CPU.

Both run the same uvicorn with the same event loop and HTTP parser (uvloop/httptools when installed),
no access log, no job worker, on loopback. CPU time comes from /proc/<pid>/stat (utime + stime).
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
APPS = {
    "paht": ("paht.asgi:app", None),
    "raw": ("bench.raw.app:app", "commit-per-request"),
    "raw-group-commit": ("bench.raw.app:app", "group-commit"),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The CPUs this process may use before `pin_client` narrows them. Read once at import: until 2026-12-07 the
# server's CPU was read after the client had been pinned, found a single CPU, and so the servers inherited
# the client's CPU — load generator and server shared one core while the other stood idle.
_CPUS = sorted(os.sched_getaffinity(0))


def server_cpu() -> int | None:
    """The CPU servers are pinned to (the last one); the load generator takes the others."""
    return _CPUS[-1] if len(_CPUS) > 1 else None


def pin_client() -> None:
    cpu = server_cpu()
    if cpu is not None:
        os.sched_setaffinity(0, set(_CPUS) - {cpu})


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def uvicorn_options() -> list[str]:
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return ["--loop", loop, "--http", http, "--no-access-log", "--log-level", "warning"]


def start(name: str, database_url: str, data_dir: Path) -> Server:
    app, mode = APPS[name]
    port = free_port()
    env = os.environ | {
        "PAHT_DATABASE_URL": database_url,
        "PAHT_DATA_DIR": str(data_dir),
        "PAHT_RUN_WORKER_IN_PROCESS": "false",
        # The load generator is one address submitting far faster than any citizen (abuse limits, docs/abuse.md).
        "PAHT_SUBMIT_LIMIT_PER_IP": "1000000000",
        "PAHT_SUBMIT_LIMIT_PER_DEVICE": "1000000000",
        "PAHT_SUBMIT_LIMIT_PER_ACCOUNT": "1000000000",
        "PAHT_SUBMIT_LIMIT_PER_STAFF": "1000000000",
        "RAW_DATABASE_URL": database_url,
        "RAW_WRITE_MODE": mode or "",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    cpu = server_cpu()
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port), *uvicorn_options()]
    process = subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        preexec_fn=(lambda: os.sched_setaffinity(0, {cpu})) if cpu is not None else None,
    )
    server = Server(name, port, process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode} on start")
        try:
            if httpx.get(f"{server.base}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"{name} did not answer /healthz within 60 s")
