"""Labels the pages show for stored codes (roles, channels, clock stages, organisation kinds)."""

from __future__ import annotations

from paht.web.i18n import N_

ROLES = {
    "citizen": N_("Citizen"),
    "ioc_operator": N_("IOC operator"),
    "ioc_editor": N_("IOC editor"),
    "handler": N_("Handling officer"),
    "leader": N_("Leader"),
    "viewer": N_("Viewer"),
    "admin": N_("Administrator"),
}

CHANNELS = {
    "app": N_("Mobile app"),
    "web": N_("Web portal"),
    "hotline": N_("Hotline"),
    "facebook": N_("Facebook"),
    "zalo": N_("Zalo"),
    "email": N_("Email"),
    "open311": N_("Open311"),
}

STAGES = {
    "dispatch": N_("Dispatch by the IOC"),
    "acknowledge": N_("Acknowledgement"),
    "resolve": N_("Handling"),
    "approve": N_("Leader's approval"),
    "publish": N_("Publication"),
}

ORG_KINDS = {
    "ioc": N_("Operations centre (IOC)"),
    "department": N_("Department"),
    "district": N_("District"),
    "commune": N_("Commune or ward"),
    "central_agency": N_("Central agency"),
    "enterprise": N_("Public service enterprise"),
}

EVENT_KINDS = {
    "created": N_("Report received"),
    "sla_breached": N_("Deadline missed"),
    "contact_viewed": N_("Reporter's contact viewed"),
    "attachment_added": N_("Photo added"),
    "attachment_quarantined": N_("Photo quarantined (malware)"),
    "rated": N_("Rated by the reporter"),
}
