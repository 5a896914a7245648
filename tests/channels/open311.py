"""Helpers for the Open311 suite: the official JSON Schemas, XML reading, posting requests."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from tests.channels.conftest import FIXTURES

BASE = "/open311/v2"
KEY = "demo-open311-key"  # created by the demo directory (paht demo and the test template)
SCHEMAS = {path.name: json.loads(path.read_text()) for path in (FIXTURES / "open311-schemas").glob("*.json")}
_REGISTRY = Registry().with_resources(
    (name, Resource.from_contents(schema, default_specification=DRAFT7)) for name, schema in SCHEMAS.items()
)


def validate(document: Any, schema: str) -> None:
    """Raise unless `document` satisfies the named official GeoReport v2 schema."""
    Draft7Validator(SCHEMAS[schema], registry=_REGISTRY).validate(document)


def xml(response) -> ET.Element:
    assert response.headers["content-type"].startswith("text/xml"), response.headers["content-type"]
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)  # noqa: S314 - our own server's output


def errors_of(response) -> list[tuple[str, str]]:
    """(code, description) pairs of an Open311 error document, in either format."""
    if response.headers["content-type"].startswith("application/json"):
        return [(str(e["code"]), e["description"]) for e in response.json()]
    root = xml(response)
    assert root.tag == "errors"
    return [(e.findtext("code"), e.findtext("description")) for e in root.findall("error")]


def form(**overrides: Any) -> dict[str, Any]:
    fields = {
        "api_key": KEY,
        "service_code": "CHIEU_SANG",
        "lat": "16.46371",
        "long": "107.59088",
        "address_string": "12 Lê Lợi, phường Phú Hội, Huế",
        "description": "Đèn chiếu sáng trước số 12 Lê Lợi không sáng ba đêm liền.",
        "first_name": "Trần",
        "last_name": "Văn Bình",
        "email": "binh.tran@example.vn",
        "phone": "0905 222 333",
    }
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not None}


def post(client, fmt: str = "json", **overrides: Any):
    return client.post(f"{BASE}/requests.{fmt}", data=form(**overrides))
