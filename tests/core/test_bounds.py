"""Input bounds: the issue's defaults, a 422 that names the bound, and bodies counted as they stream."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from ipops.core.authz import Principal, Role
from ipops.core.bounds import BodyLimit, Bound, PageLimit, limit_of, require_within, runs_as_job
from ipops.core.config import Settings
from ipops.core.errors import DomainError
from ipops.web.app import install_error_handlers

MEMBER = Principal(user_id=1, username="m", role=Role.ORG_MEMBER, alliance_id=1, org_id=1)
APPRAISER = Principal(user_id=2, username="a", role=Role.APPRAISER, alliance_id=1, org_id=2)


def test_defaults_are_the_issue_figures() -> None:
    s = Settings()
    assert limit_of(Bound.MONTE_CARLO_PATHS, actor=MEMBER, settings=s) == 2_000_000
    assert limit_of(Bound.MONTE_CARLO_PATHS, actor=APPRAISER, settings=s) == 20_000_000
    assert limit_of(Bound.HISTOGRAM_BINS, settings=s) == 200
    assert limit_of(Bound.SCENARIOS, settings=s) == 1_000
    assert limit_of(Bound.JSON_BODY_BYTES, settings=s) == 1_048_576
    assert limit_of(Bound.UPLOAD_BYTES, settings=s) == 50 * 1_048_576
    assert limit_of(Bound.PAGE_SIZE, settings=s) == 200
    assert not runs_as_job(paths=200_000, settings=s) and runs_as_job(paths=200_001, settings=s)


def test_over_a_bound_names_it() -> None:
    assert require_within(Bound.MONTE_CARLO_PATHS, 5_000_000, actor=APPRAISER) == 5_000_000
    with pytest.raises(DomainError) as refused:
        require_within(Bound.MONTE_CARLO_PATHS, 5_000_000, actor=MEMBER, field="paths")
    assert refused.value.status == 422
    assert refused.value.extra == {
        "bound": "monte_carlo_paths",
        "limit": 2_000_000,
        "value": 5_000_000,
        "field": "paths",
    }


@pytest.fixture
def small_app() -> TestClient:
    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(BodyLimit, settings=Settings(max_json_body_bytes=1000, max_upload_bytes=5000))

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    @app.post("/json")
    def json_route(body: dict[str, str]) -> dict[str, int]:
        return {"keys": len(body)}

    @app.get("/items")
    def items(limit: PageLimit) -> dict[str, int]:
        return {"limit": limit}

    return TestClient(app)


def test_bodies_over_their_bound_get_the_422(small_app: TestClient) -> None:
    assert small_app.post("/echo", content=b"x" * 1000).json() == {"size": 1000}
    over = small_app.post("/echo", content=b"x" * 1001, headers={"accept-language": "zh-CN"})
    assert over.status_code == 422 and over.headers["content-type"] == "application/problem+json"
    assert over.json()["bound"] == "json_body_bytes" and over.json()["title"] == "输入超出允许的上限"
    upload = {"content-type": "application/octet-stream"}
    assert small_app.post("/echo", content=b"x" * 4000, headers=upload).status_code == 200
    assert small_app.post("/echo", content=b"x" * 5001, headers=upload).json()["bound"] == "upload_bytes"

    def chunks() -> object:  # no Content-Length: counted as it streams
        for _ in range(3):
            yield b"y" * 400

    streamed = small_app.post("/json", content=chunks(), headers={"content-type": "application/json"})  # type: ignore[arg-type]
    assert streamed.status_code == 422 and streamed.json()["bound"] == "json_body_bytes"


def test_page_size_bound(small_app: TestClient) -> None:
    assert small_app.get("/items?limit=200").json() == {"limit": 200}
    refused = small_app.get("/items?limit=201")
    assert (
        refused.status_code == 422
        and refused.json()["bound"] == "page_size"
        and refused.json()["limit"] == 200
    )
