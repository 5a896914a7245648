"""The README's curl walkthrough (docs/walkthrough.sh) runs as written against a real server."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.live_server import serve

SCRIPT = Path(__file__).resolve().parents[1] / "docs" / "walkthrough.sh"


# CI installs curl and jq (.ci/run) and must never skip this; a developer without them gets a skip.
@pytest.mark.skipif(
    not os.environ.get("CI") and (shutil.which("jq") is None or shutil.which("curl") is None),
    reason="needs curl and jq (.ci/run installs them)",
)
def test_the_readme_walkthrough_publishes_a_report(app):
    with serve(app) as base:
        run = subprocess.run(["bash", str(SCRIPT), base], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("submitted PA-") and lines[0].endswith("received")
    assert "return: returned" in lines
    assert "send_back: processing" in lines
    assert "publish: published" in lines
    assert '"title": "Sửa đèn đường Lê Lợi"' in run.stdout
