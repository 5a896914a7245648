"""Channels: every way a report arrives besides the app and the portal, and every way back (issue 4)."""
