"""Subscribes the inbox to the outbox (loaded by ipops.wiring in every process that delivers events)."""

from __future__ import annotations

from ipops.core.events import subscribe
from ipops.notify.service import notify_audience

subscribe(notify_audience, name="notify.inbox")
