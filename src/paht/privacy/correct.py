"""Correcting the contact details a report holds (the right to rectification)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from paht.intake.schemas import Reporter
from paht.models import Report

FIELDS = {"name": "reporter_name", "phone": "reporter_phone", "email": "reporter_email"}


def correct_contact(session: Session, report: Report, changes: Reporter) -> list[str]:
    """Apply the fields the citizen sent (validated and normalised like at intake); returns their names."""
    changed = []
    for given in sorted(changes.model_fields_set & FIELDS.keys()):
        column = FIELDS[given]
        value = getattr(changes, given)
        if getattr(report, column) != value:
            setattr(report, column, value)
            changed.append(given)
    return changed
