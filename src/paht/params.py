"""Parameter and field types that accept exactly what the OpenAPI document promises.

Pydantic's lax mode reads a bare number such as `0.5` as a Unix timestamp, so `?created_to=0.5` used to
be taken as 1970-01-01, and `{"urgent": 0}` as false; the document says ISO 8601 and boolean, and the
fuzzer (tests/fuzz) holds the API to it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BeforeValidator, Strict

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_only(value: object) -> object:
    if isinstance(value, str) and not _ISO_DAY.match(value):
        raise ValueError("phải là ngày giờ ISO 8601, ví dụ 2026-05-01 (an ISO 8601 date is expected)")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_only)]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_only)]

# A JSON body's true or false, nothing else (a query string's "true"/"1" stay plain `bool`).
JsonBool = Annotated[bool, Strict()]
