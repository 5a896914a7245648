"""Abuse limits (rate limits shared by every worker process) and the IOC's abuse list (issue 8 item 3)."""
