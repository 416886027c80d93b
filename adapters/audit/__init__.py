"""Stores kept apart from the event database for tamper evidence (the daily chain digests)."""
