"""Crash safety, durability self-check, outbox after a worker dies, backups (issue 8 items 1 and 9)."""
