"""Static files: our CSS/JS, and the pinned npm libraries served from node_modules (never a CDN)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

log = logging.getLogger("paht.web")

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
# URL folder → folder inside node_modules (package.json pins the versions; `make install` runs `npm ci`).
VENDOR = {
    "htmx": "htmx.org/dist",
    "leaflet": "leaflet/dist",
    "markercluster": "leaflet.markercluster/dist",
    "chartjs": "chart.js/dist",
}


def node_modules() -> Path:
    """`PAHT_NODE_MODULES`, else the repository's node_modules (the package is installed editable from it)."""
    configured = os.environ.get("PAHT_NODE_MODULES")
    return Path(configured) if configured else Path(__file__).resolve().parents[3] / "node_modules"


def mount_static(app: FastAPI) -> None:
    app.mount("/static/app", StaticFiles(directory=STATIC_DIR), name="static")
    root = node_modules()
    for url, folder in VENDOR.items():
        path = root / folder
        if path.is_dir():
            app.mount(f"/static/vendor/{url}", StaticFiles(directory=path), name=f"vendor-{url}")
        else:
            log.warning("front-end library missing: %s (run `make install` or `npm ci`); pages work without it", path)
