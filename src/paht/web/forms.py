"""Reading posted forms: clean text, numbers, photos, and validation errors mapped to the form's fields."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from paht.config import Settings
from paht.errors import Invalid, PayloadTooLarge
from paht.text import clean
from paht.web.i18n import Translator

MAX_PHOTOS = 5


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return (clean(value) or "") if isinstance(value, str) else ""


def values(form: FormData, *names: str) -> dict[str, str]:
    """What the user typed, to put back in the form when it comes back with errors."""
    return {name: text(form, name) for name in names}


def integer(value: str) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def number(value: str) -> float | None:
    try:
        return float(value.replace(",", ".")) if value else None
    except ValueError:
        return None


def ticked(form: FormData, name: str) -> bool:
    return form.get(name) in ("on", "1", "true", "yes")


def _message(error: Mapping, t: Translator) -> str:
    kind, context = error.get("type", ""), error.get("ctx") or {}
    if kind == "value_error" and "error" in context:
        return str(context["error"])
    if kind == "missing":
        return t._("This field is required.")
    if kind == "string_too_long":
        return t._("Too long: at most %(max)s characters.", max=context.get("max_length", "?"))
    if kind in ("greater_than_equal", "less_than_equal"):
        return t._("Out of range.")
    if kind in ("int_parsing", "float_parsing", "int_type", "float_type"):
        return t._("Enter a number.")
    return str(error.get("msg", t._("Invalid value.")))


def field_errors(exc: ValidationError, t: Translator, fields: Mapping[str, str] | None = None) -> dict[str, str]:
    """Pydantic errors keyed by form field: `fields` maps an error location ("reporter.phone") to a field."""
    found: dict[str, str] = {}
    for error in exc.errors():
        location = ".".join(str(part) for part in error["loc"]) or "__all__"
        name = (fields or {}).get(location, location.split(".")[-1])
        found.setdefault(name, _message(error, t))
    return found


def photos(form: FormData, name: str, settings: Settings, t: Translator) -> list[bytes]:
    """The photos chosen in a file input (empty inputs ignored), each within the upload limit."""
    files = [f for f in form.getlist(name) if isinstance(f, UploadFile) and f.filename]
    if len(files) > MAX_PHOTOS:
        raise Invalid(t._("At most %(count)s photos.", count=MAX_PHOTOS))
    found = []
    for upload in files:
        data = upload.file.read(settings.upload_max_bytes + 1)
        if len(data) > settings.upload_max_bytes:
            raise PayloadTooLarge(
                t._(
                    "Photo %(name)s is larger than %(mb)s MB.", name=upload.filename, mb=settings.upload_max_bytes >> 20
                )
            )
        found.append(data)
    return found
