"""Tamper-evident audit: the hash chain over the event log (issue 8 item 7)."""
