"""Issue 12 items 1 and 6: the policy before the body, bodies capped on every route, the loop kept free."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from tests.world import PASSWORD, World, bearer

from ipops.core.config import Settings
from ipops.reports import service as report_service
from ipops.web.app import create_app

BOUNDARY = "ipops-test-boundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def population_upload(rows: int) -> bytes:
    """A multipart body for POST /reports/datasets: the form fields, then a population CSV of `rows` rows."""
    fields = {"name": "population", "as_of": "2021-12-31", "kind": "population"}
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    csv = b"region_code,year,population\n" + b"320500,2020,1284.78\n" * rows
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="population.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
        + csv
        + b"\r\n"
    )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


async def call_counting_body(
    app: FastAPI, *, path: str, headers: dict[str, str], chunks: list[bytes]
) -> tuple[int, int]:
    """Call the app over ASGI with a body in chunks; return the status and how many chunks it pulled."""
    pulled = 0
    status: dict[str, int] = {}

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled < len(chunks):
            pulled += 1
            return {"type": "http.request", "body": chunks[pulled - 1], "more_body": pulled < len(chunks)}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status["code"] = message["status"]

    total = sum(len(c) for c in chunks)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"testserver"),
            (b"content-length", str(total).encode()),
            *((k.lower().encode(), v.encode()) for k, v in headers.items()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    return status["code"], pulled


def in_own_thread(work: Any) -> Any:
    """Run `work` in a new thread (another test's event loop may be running in this one)."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(work()))
    thread.start()
    thread.join()
    return result[0]


@pytest.mark.parametrize(
    ("username", "status"),
    [(None, 401), ("visitor", 403), ("ent_admin", 403)],
)
def test_an_upload_nobody_may_make_is_refused_before_its_body_is_read(
    session_factory: sessionmaker[Session],
    client: TestClient,
    world: World,
    username: str | None,
    status: int,
) -> None:
    app = create_app(settings=Settings(env="test"), session_factory=session_factory)
    headers = {"content-type": MULTIPART, "accept": "application/json"}
    if username:
        headers.update(bearer(client, username))
    body = population_upload(200_000)  # 4 MB
    chunks = [body[i : i + 65536] for i in range(0, len(body), 65536)]
    for path in ("/api/v1/reports/datasets", "/api/v1/finance/contracts/import"):
        if path.endswith("import") and username == "ent_admin":
            continue  # an enterprise records its own contracts
        code, pulled = in_own_thread(
            lambda p=path: anyio.run(lambda: call_counting_body(app, path=p, headers=headers, chunks=chunks))
        )
        assert (code, pulled) == (status, 0), path


def test_every_route_caps_its_body(session_factory: sessionmaker[Session], world: World) -> None:
    settings = Settings(env="test", max_upload_bytes=100_000)
    with TestClient(create_app(settings=settings, session_factory=session_factory)) as small:
        big_json = small.post(
            "/api/v1/auth/token",
            json={"username": "alliance_admin", "password": PASSWORD, "pad": "x" * 1_100_000},
        )
        assert big_json.status_code == 422
        assert (big_json.json()["code"], big_json.json()["bound"]) == ("input_too_large", "json_body_bytes")
        assert big_json.json()["limit"] == 1_048_576
        token = small.post("/api/v1/auth/token", json={"username": "alliance_admin", "password": PASSWORD})
        headers = {"authorization": f"Bearer {token.json()['access_token']}", "content-type": MULTIPART}
        upload = small.post("/api/v1/reports/datasets", content=population_upload(10_000), headers=headers)
        assert upload.status_code == 422
        assert upload.json() | {"title": "", "detail": ""} == {
            "type": "urn:ipops:error:file_too_large",
            "title": "",
            "status": 422,
            "code": "file_too_large",
            "detail": "",
            "instance": "/api/v1/reports/datasets",
            "bound": "upload_bytes",
            "limit": 100_000,
        }


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/assets", "size"),
        ("/api/v1/finance/loans", "size"),
        ("/api/v1/finance/deals", "size"),
        ("/api/v1/lake/documents", "limit"),
        ("/api/v1/audit", "limit"),
        ("/api/v1/jobs", "limit"),
        ("/api/v1/notifications", "limit"),
    ],
)
def test_list_pages_are_capped_at_200(client: TestClient, world: World, path: str, parameter: str) -> None:
    headers = bearer(client, "alliance_admin")
    over = client.get(path, params={parameter: 201}, headers=headers)
    assert over.status_code == 422, over.text
    assert {k: over.json()[k] for k in ("code", "bound", "limit", "value", "field")} == {
        "code": "input_too_large",
        "bound": "page_size",
        "limit": 200,
        "value": 201,
        "field": parameter,
    }
    assert client.get(path, params={parameter: 200}, headers=headers).status_code == 200


@pytest.fixture
def live_server(session_factory: sessionmaker[Session]) -> Iterator[str]:
    """The app served by uvicorn in a thread, on a free port, with the test's database session."""
    app = create_app(settings=Settings(env="test"), session_factory=session_factory)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        threading.Event().wait(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=30)
    sock.close()


def test_healthz_answers_while_a_large_upload_is_processed(
    live_server: str, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    processing, healthz_answered = threading.Event(), threading.Event()
    real_import = report_service.import_file

    def import_file_held(**kwargs: Any) -> Any:
        # hold the import until /healthz has answered; on a blocked event loop it never can, so a
        # long wait here only guards the test against hanging (it is not a timing threshold)
        processing.set()
        healthz_answered.wait(timeout=20)
        return real_import(**kwargs)

    monkeypatch.setattr(report_service, "import_file", import_file_held)
    token = httpx.post(
        f"{live_server}/api/v1/auth/token", json={"username": "alliance_admin", "password": PASSWORD}
    ).json()["access_token"]
    finished: list[str] = []
    upload_status: list[int] = []

    def upload() -> None:
        response = httpx.post(
            f"{live_server}/api/v1/reports/datasets",
            content=population_upload(500_000),  # a 10 MB population table
            headers={"authorization": f"Bearer {token}", "content-type": MULTIPART},
            timeout=120,
        )
        upload_status.append(response.status_code)
        finished.append("upload")

    uploader = threading.Thread(target=upload)
    uploader.start()
    assert processing.wait(timeout=120), "the upload never reached the import"
    assert httpx.get(f"{live_server}/healthz", timeout=120).status_code == 200
    finished.append("healthz")
    healthz_answered.set()
    uploader.join(timeout=120)
    assert finished == ["healthz", "upload"]
    assert upload_status == [201]
