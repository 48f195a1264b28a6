"""Inbox read models."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict


class NotificationRead(BaseModel):
    """One notification, in the reader's language."""

    model_config = ConfigDict(frozen=True)

    id: int
    event_type: str
    title: str
    body: str
    link: str | None
    created_at: dt.datetime
    read: bool


class InboxPage(BaseModel):
    """A page of the inbox, newest first; pass `next_before` as `before` for the next page."""

    items: list[NotificationRead]
    unread: int
    next_before: int | None


class UnreadCount(BaseModel):
    """The unread count of the top bar."""

    unread: int


class MarkedRead(BaseModel):
    """How many notifications a mark-read request changed."""

    marked: int
