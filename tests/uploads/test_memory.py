"""Peak memory of the heaviest uploads, measured in a fresh process (reliability-anchors row 9).

The server process uploads each fixture through the HTTP stack (TestClient) and reports its peak RSS
(`resource.getrusage`) before and after. The heaviest accepted photo — 6300×6300, just under the 40 MP
limit — decodes to ~160 MB (Pillow keeps RGB as 4 bytes per pixel); bombs and floods never decode.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.uploads import corpus

ROOT = Path(__file__).resolve().parents[2]
BOUND_MB = 300

SERVER = r"""
import json, resource, sys, uuid
from pathlib import Path
from fastapi.testclient import TestClient
from paht.config import Settings
from paht.main import create_app
from tests.factories import new_report_body

database, data_dir, fixtures = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
payloads = {name: Path(path).read_bytes() for name, (path, _) in fixtures.items()}
settings = Settings(database_url=database, data_dir=data_dir, run_worker_in_process=False)

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024

results = {}
with TestClient(create_app(settings)) as client:
    report = client.post("/api/v1/reports", json=new_report_body(),
                         headers={"Idempotency-Key": str(uuid.uuid4())}).json()
    url = f"/api/v1/reports/{report['id']}/attachments"
    token = {"X-Reporter-Token": report["reporter_token"]}
    client.post(url, files={"file": ("warm.png", payloads.pop("warm-up"), "image/png")}, headers=token)
    baseline = peak_mb()
    for name, data in payloads.items():
        status = client.post(url, files={"file": (name, data, "image/png")}, headers=token).status_code
        results[name] = {"status": status, "growth_mb": peak_mb() - baseline}
    results["healthz"] = client.get("/healthz").status_code
print(json.dumps(results))
"""


def test_peak_memory_of_the_heaviest_uploads_stays_bounded(templates, tmp_path):
    database = tmp_path / "paht.sqlite3"
    shutil.copyfile(templates["sqlite"], database)
    fixtures = {
        "warm-up": (corpus.photo("PNG"), 201),
        "flood-14000.png": (corpus.pixel_flood_14000(), 422),
        "over-the-size-limit.png": (corpus.photo("PNG") + b"\0" * (10 * 1024 * 1024), 413),
        "largest-accepted-6300.png": (corpus.png_pixel_flood(6300, level=1), 201),  # last: growth is a high-water mark
    }
    paths = {}
    for name, (data, expected) in fixtures.items():
        (tmp_path / name).write_bytes(data)
        paths[name] = (str(tmp_path / name), expected)
    done = subprocess.run(
        [sys.executable, "-c", SERVER, f"sqlite:///{database}", str(tmp_path / "data"), json.dumps(paths)],
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"peak RSS growth per upload (MB): { {k: v for k, v in results.items() if k != 'healthz'} }")
    assert results.pop("healthz") == 200  # the server still answers after all of them
    for name, outcome in results.items():
        assert outcome["status"] == fixtures[name][1], (name, outcome)
        assert outcome["growth_mb"] < BOUND_MB, (name, outcome)
