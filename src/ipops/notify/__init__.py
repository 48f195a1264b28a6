"""Notifications: an inbox per user, filled from the outbox's domain events."""
