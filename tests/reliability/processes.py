"""`paht serve` and `paht worker` as real subprocesses, to be killed with SIGKILL like a crashed server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.live_server import free_port

START_SECONDS = 180  # a busy CI machine can take long to import the app
ROOT = Path(__file__).resolve().parents[2]


def paht_env(database_url: str, workdir: Path, **settings: object) -> dict[str, str]:
    """The environment of a `paht` subprocess: the test's database, plus PAHT_* settings given as keywords."""
    env = os.environ | {"PAHT_DATABASE_URL": database_url, "PAHT_DATA_DIR": str(workdir / "data")}
    env |= {f"PAHT_{name.upper()}": str(value) for name, value in settings.items()}
    return env


def start_paht(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "paht.cli", *args], env=env, cwd=log.parent, stdout=output, stderr=subprocess.STDOUT
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL: no shutdown handler runs, exactly like a crash or the OOM killer."""
    if process.poll() is None:
        process.kill()
    process.wait(30)


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def kill(self) -> None:
        stop(self.process)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_server(env: dict[str, str], workdir: Path) -> Server:
    """`paht serve --no-worker` on a free loopback port; returns once /healthz answers."""
    port = free_port()
    log = workdir / f"serve-{port}.log"
    process = start_paht(["serve", "--host", "127.0.0.1", "--port", str(port), "--no-worker"], env, log)
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"paht serve exited with {process.returncode}:\n{server.output()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.05)
    server.kill()
    raise AssertionError(f"paht serve did not start:\n{server.output()}")
