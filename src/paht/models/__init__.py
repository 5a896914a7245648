"""ORM models, one file per aggregate. Import from here."""

from paht.models.abuse import AbuseEntry, RateLimit
from paht.models.area import Area, ReportPlace
from paht.models.assignment import Assignment
from paht.models.attachment import Attachment
from paht.models.base import Base
from paht.models.category import Category
from paht.models.channel import (
    Conversation,
    InboundMessage,
    Open311Key,
    Open311Token,
    OutboundMessage,
    ReportAddition,
)
from paht.models.clock import SlaClock
from paht.models.event import Event
from paht.models.infra import IdempotencyKey, Job, Notification
from paht.models.organization import Organization
from paht.models.privacy import ConsentRecord, PrivacyRequest
from paht.models.report import Report
from paht.models.routing import ReportSupporter, RoutingModel, RoutingRule
from paht.models.search import ReportSearch
from paht.models.stats import StatsBucket, StatsDaily, StatsReportDims
from paht.models.user import AccountEvent, ApiToken, User, UserRole
from paht.models.web_session import WebSession

__all__ = [
    "AbuseEntry",
    "AccountEvent",
    "ApiToken",
    "Area",
    "Assignment",
    "Attachment",
    "Base",
    "Category",
    "ConsentRecord",
    "Conversation",
    "Event",
    "IdempotencyKey",
    "InboundMessage",
    "Job",
    "Notification",
    "Open311Key",
    "Open311Token",
    "Organization",
    "OutboundMessage",
    "PrivacyRequest",
    "RateLimit",
    "Report",
    "ReportAddition",
    "ReportPlace",
    "ReportSearch",
    "ReportSupporter",
    "RoutingModel",
    "RoutingRule",
    "SlaClock",
    "StatsBucket",
    "StatsDaily",
    "StatsReportDims",
    "User",
    "UserRole",
    "WebSession",
]
