"""Open311 documents in XML (mandatory) and JSON (the spec's "Spark" mapping: lists are bare arrays).

One element tree shape for both: `document(root, item_tag, items)` for the list resources and
`document(root, None, fields)` for objects such as discovery and a service definition.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from xml.etree import ElementTree as ET

import orjson
from fastapi.responses import Response

FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
# Inside these containers every child is one repeated element (XML) and the JSON value is an array.
LISTS = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(tag: str, value: Any) -> ET.Element:
    node = ET.Element(tag)
    if isinstance(value, Mapping):
        for key, child in value.items():
            node.append(_element(key, child))
    elif isinstance(value, list):
        child_tag = LISTS.get(tag, "item")
        for child in value:
            node.append(_element(child_tag, child))
    else:
        node.text = _text(value)
    return node


def xml_bytes(root: str, item_tag: str | None, content: Any) -> bytes:
    node = ET.Element(root)
    if item_tag is None:
        for key, value in content.items():
            node.append(_element(key, value))
    else:
        for item in content:
            node.append(_element(item_tag, item))
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(node, encoding="utf-8", xml_declaration=False)


def document(
    fmt: str, root: str, item_tag: str | None, content: Any, *, status: int = 200, media_type: str | None = None
) -> Response:
    body = orjson.dumps(content) if fmt == "json" else xml_bytes(root, item_tag, content)
    response = Response(body, status_code=status, media_type=FORMATS[fmt])
    if media_type:  # exactly this value: Starlette would add a charset to a text/* type
        response.headers["content-type"] = media_type
    return response


def errors(fmt: str, status: int, *problems: tuple[int | str, str]) -> Response:
    """The spec's error document: errors → error{code, description}; XML when the format is unknown."""
    items = [{"code": int(code) if str(code).isdigit() else code, "description": text} for code, text in problems]
    return document(fmt if fmt in FORMATS else "xml", "errors", "error", items, status=status)
