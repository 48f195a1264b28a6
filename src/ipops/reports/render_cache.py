"""Rendered report files, kept per report, year, province and data version: each version is rendered once.

A request for a version first looks for the stored file. Missing, it claims the version with an insert that
the unique key lets only one request win; the winner renders outside any transaction and stores the file,
and the others wait for it. A claim left by a crashed render goes stale and is taken over by a conditional
update, so a version is never rendered twice at once and never stays claimed for ever.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.exc import IntegrityError

from ipops.core.db import db_now
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.uow import UnitOfWork
from ipops.reports.models import ReportRender

STALE_CLAIM = dt.timedelta(minutes=2)  # a render takes seconds; a claim this old belongs to a dead request
WAIT_SECONDS = 60.0
POLL_SECONDS = 0.25
KEPT_VERSIONS = 4  # older versions of the same report, year and province are dropped when a new one lands


@dataclass(frozen=True, slots=True)
class RenderKey:
    """Which report file: its kind, alliance, year, province (white papers) and data version."""

    kind: str
    alliance_code: str
    year: int
    data_version: str
    province_code: str = ""


def _where(key: RenderKey) -> tuple[ColumnElement[bool], ...]:
    return (
        ReportRender.kind == key.kind,
        ReportRender.alliance_code == key.alliance_code,
        ReportRender.year == key.year,
        ReportRender.province_code == key.province_code,
        ReportRender.data_version == key.data_version,
    )


def _ready(uow: UnitOfWork, key: RenderKey) -> tuple[bytes | None, int | None, dt.datetime | None]:
    """The stored file (counted as served), or the claim's id and time while it is being rendered."""
    with uow:
        row = uow.session.execute(
            select(ReportRender.id, ReportRender.status, ReportRender.claimed_at).where(*_where(key))
        ).first()
        if row is None:
            return None, None, None
        if row.status == "ready":
            content = uow.session.scalar(select(ReportRender.content).where(ReportRender.id == row.id))
            uow.session.execute(
                update(ReportRender).where(ReportRender.id == row.id).values(served=ReportRender.served + 1)
            )
            uow.commit()
            return content, row.id, row.claimed_at
        return None, row.id, row.claimed_at


def _claim(uow: UnitOfWork, key: RenderKey) -> int | None:
    """Insert the claim; None when another request holds it."""
    try:
        with uow:
            render = ReportRender(
                kind=key.kind,
                alliance_code=key.alliance_code,
                year=key.year,
                province_code=key.province_code,
                data_version=key.data_version,
                status="rendering",
                size=0,
                served=0,
            )
            uow.session.add(render)
            uow.session.flush()
            uow.commit()
            return int(render.id)
    except IntegrityError:
        return None


def _take_over(uow: UnitOfWork, render_id: int, claimed_at: dt.datetime) -> bool:
    """Take a stale claim: only the request whose conditional update matches the old claim time wins."""
    with uow:
        now = db_now(uow.session)
        if now - claimed_at < STALE_CLAIM:
            return False
        taken = uow.session.execute(
            update(ReportRender)
            .where(
                ReportRender.id == render_id,
                ReportRender.status == "rendering",
                ReportRender.claimed_at == claimed_at,
            )
            .values(claimed_at=now)
        )
        uow.commit()
        return bool(taken.rowcount)  # type: ignore[attr-defined]


def _store(uow: UnitOfWork, key: RenderKey, render_id: int, content: bytes) -> None:
    with uow:
        session = uow.session
        session.execute(
            update(ReportRender)
            .where(ReportRender.id == render_id)
            .values(content=content, size=len(content), status="ready", served=1, created_at=db_now(session))
        )
        older = session.scalars(
            select(ReportRender.id)
            .where(
                ReportRender.kind == key.kind,
                ReportRender.alliance_code == key.alliance_code,
                ReportRender.year == key.year,
                ReportRender.province_code == key.province_code,
                ReportRender.status == "ready",
            )
            .order_by(ReportRender.created_at.desc(), ReportRender.id.desc())
            .offset(KEPT_VERSIONS)
        ).all()
        if older:
            session.execute(delete(ReportRender).where(ReportRender.id.in_(older)))
        uow.commit()


def _release(uow: UnitOfWork, render_id: int) -> None:
    with uow:
        uow.session.execute(
            delete(ReportRender).where(ReportRender.id == render_id, ReportRender.status == "rendering")
        )
        uow.commit()


def cached_render(
    *, uow: UnitOfWork, key: RenderKey, render: Callable[[], bytes], wait_seconds: float = WAIT_SECONDS
) -> bytes:
    """The stored file of a version, rendering it once when no request has yet."""
    deadline = time.monotonic() + wait_seconds
    while True:
        content, render_id, claimed_at = _ready(uow, key)
        if content is not None:
            return content
        if render_id is None:
            render_id = _claim(uow, key)
            if render_id is None:
                continue  # another request claimed it between the look and the insert
        elif claimed_at is None or not _take_over(uow, render_id, claimed_at):
            if time.monotonic() > deadline:
                raise DomainError(ErrorCode.CONFLICT, "the report is being rendered", retry_after=5)
            time.sleep(POLL_SECONDS)
            continue
        try:
            content = render()
        except BaseException:
            _release(uow, render_id)
            raise
        _store(uow, key, render_id, content)
        return content


def render_count(*, uow: UnitOfWork, key: RenderKey) -> int:
    """How many requests the stored version of a report answered (0 when none is stored)."""
    with uow:
        served = uow.session.scalar(select(ReportRender.served).where(*_where(key)))
        return int(served or 0)
