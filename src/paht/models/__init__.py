"""ORM models, one file per aggregate. Import from here."""

from paht.models.assignment import Assignment
from paht.models.attachment import Attachment
from paht.models.base import Base
from paht.models.category import Category
from paht.models.clock import SlaClock
from paht.models.event import Event
from paht.models.infra import IdempotencyKey, Job, Notification
from paht.models.organization import Organization
from paht.models.report import Report
from paht.models.user import ApiToken, User, UserRole

__all__ = [
    "ApiToken",
    "Assignment",
    "Attachment",
    "Base",
    "Category",
    "Event",
    "IdempotencyKey",
    "Job",
    "Notification",
    "Organization",
    "Report",
    "SlaClock",
    "User",
    "UserRole",
]
