"""Report PDFs are rendered once per report, year and data version, then served from the cache."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from tests.world import World, bearer

from ipops.core.errors import DomainError, ErrorCode
from ipops.core.uow import UnitOfWork
from ipops.reports import render
from ipops.reports.models import ReportRender
from ipops.reports.render_cache import RenderKey, cached_render, render_count

STATS = b"region_code,year,indicator,value\n320000,2016,invention_in_force,146859\n"


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []

    def fake_pdf(report: object, **_: object) -> bytes:
        calls.append(1)
        return b"%PDF-1.7 fake " + str(len(calls)).encode()

    monkeypatch.setattr(render, "render_pdf", fake_pdf)
    return calls


def test_anonymous_requests_of_one_version_render_once(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _counting(monkeypatch)
    params = {"alliance": "yrd-test", "year": 2016}
    first = client.get("/reports/innovation.pdf", params=params)
    second = client.get("/reports/innovation.pdf", params=params)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and len(calls) == 1
    etag = first.headers["etag"]
    assert (
        client.get("/reports/innovation.pdf", params=params, headers={"if-none-match": etag}).status_code
        == 304
    )
    # Another year is another file; new data is a new version, rendered once more.
    client.get("/reports/innovation.pdf", params={**params, "year": 2017})
    assert len(calls) == 2
    imported = client.post(
        "/api/v1/reports/datasets",
        headers=bearer(client, "alliance_admin"),
        data={"name": "Jiangsu 2016", "as_of": "2017-04-07"},
        files={"file": ("js.csv", STATS, "text/csv")},
    )
    assert imported.status_code == 201, imported.text
    third = client.get("/reports/innovation.pdf", params=params)
    assert third.headers["etag"] != etag and len(calls) == 3
    client.get("/reports/innovation.pdf", params=params)
    assert len(calls) == 3


def test_a_render_in_progress_is_waited_for_and_a_stale_one_taken_over(uow: UnitOfWork) -> None:
    key = RenderKey("innovation.pdf", "yrd", 2016, "v1")
    with uow:
        claim = ReportRender(
            kind=key.kind,
            alliance_code=key.alliance_code,
            year=key.year,
            province_code="",
            data_version=key.data_version,
            status="rendering",
            size=0,
            served=0,
        )
        uow.session.add(claim)
        uow.commit()
        claim_id = claim.id
    calls: list[int] = []

    def render_once() -> bytes:
        calls.append(1)
        return b"%PDF rendered"

    with pytest.raises(DomainError) as busy:  # another request is rendering it: wait, never render twice
        cached_render(uow=uow, key=key, render=render_once, wait_seconds=0.3)
    assert busy.value.code == ErrorCode.CONFLICT and calls == []
    with uow:  # that request died long ago
        old = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
        uow.session.execute(update(ReportRender).where(ReportRender.id == claim_id).values(claimed_at=old))
        uow.commit()
    assert cached_render(uow=uow, key=key, render=render_once) == b"%PDF rendered"
    assert cached_render(uow=uow, key=key, render=render_once) == b"%PDF rendered"
    assert calls == [1] and render_count(uow=uow, key=key) == 2


def test_a_failed_render_releases_its_claim(uow: UnitOfWork) -> None:
    key = RenderKey("innovation.pdf", "yrd", 2016, "v2")

    def refuse() -> bytes:
        raise DomainError(ErrorCode.PDF_GLYPHS_MISSING, "x")

    with pytest.raises(DomainError):
        cached_render(uow=uow, key=key, render=refuse)
    assert cached_render(uow=uow, key=key, render=lambda: b"%PDF ok") == b"%PDF ok"
