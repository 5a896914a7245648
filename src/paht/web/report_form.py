"""The new-report form (public portal and hotline) → the intake schema every channel uses."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from paht.enums import Channel
from paht.errors import Invalid
from paht.intake.schemas import ReportCreate
from paht.web import forms
from paht.web.i18n import Translator

FIELDS = ("description", "title", "category_id", "lat", "lon", "address", "name", "phone", "email")
CHECKBOXES = ("urgent", "consent", "anonymous")
# Where the intake schema reports an error → the form field that shows it.
ERROR_FIELDS = {
    "reporter.phone": "phone",
    "reporter.email": "email",
    "reporter.name": "name",
    "location.lat": "lat",
    "location.lon": "lat",
    "location.address": "address",
    "__all__": "consent",
}


def typed(form: FormData) -> dict[str, Any]:
    """Everything the user entered, to put back into the form."""
    return forms.values(form, *FIELDS) | {name: forms.ticked(form, name) for name in CHECKBOXES}


def draft(form: FormData, t: Translator, *, channel: Channel) -> ReportCreate:
    v = typed(form)
    if channel is Channel.hotline and not v["phone"]:
        # The intake service requires it too; asking here puts the message next to the field.
        required = t._("The caller's phone is required.")
        raise Invalid(t._("Please correct the marked fields."), details={"phone": required})
    lat, lon = forms.number(v["lat"]), forms.number(v["lon"])
    if (v["lat"] or v["lon"]) and (lat is None or lon is None):
        raise Invalid(t._("Please correct the marked fields."), details={"lat": t._("Pick the place on the map.")})
    description = v["description"]
    if v["address"] and lat is None and description:
        # The intake schema takes an address only with a point; keep a typed-only address in the text.
        description = f"{description}\n{t._('Address')}: {v['address']}"
    reporter = {key: v[key] for key in ("name", "phone", "email") if v[key]}
    data: dict[str, Any] = {
        "description": description,
        "title": v["title"] or None,
        "category_id": forms.integer(v["category_id"]),
        "location": {"lat": lat, "lon": lon, "address": v["address"] or None} if lat is not None else None,
        "urgent": v["urgent"],
        "reporter": reporter or None,
        "anonymous": v["anonymous"],
        "consent": v["consent"],
        "channel": channel,
    }
    # Leave out what was not given, as a JSON client would (an explicit null is not "absent" to every schema).
    data = {key: value for key, value in data.items() if value is not None}
    if isinstance(data.get("location"), dict):
        data["location"] = {key: value for key, value in data["location"].items() if value is not None}
    if v["category_id"] and "category_id" not in data:
        raise Invalid(t._("Please correct the marked fields."), details={"category_id": t._("Choose a category.")})
    # Consent is checked here too so that it is reported together with any other mistake, not after them.
    errors = (
        {}
        if v["consent"]
        else {"consent": t._("Please agree to the processing of your personal data to send the report.")}
    )
    try:
        created = ReportCreate.model_validate(data)
    except ValidationError as exc:
        errors = forms.field_errors(exc, t, ERROR_FIELDS) | errors
    if errors:
        raise Invalid(t._("Please correct the marked fields."), details=errors)
    return created
