"""Benchmark: /healthz latency while a large upload is being processed, against /healthz on an idle server.

    python benchmarks/upload_healthz.py [--megabytes 40]

Starts `uvicorn ipops.web.app:create_app` in a subprocess on a fresh SQLite database with the sample
alliance, signs in as `admin`, posts a population CSV of --megabytes to `POST /api/v1/reports/datasets`
and, while that request is in flight, asks `/healthz` every 20 ms. Prints the idle /healthz latency
(the baseline, measured in the same run), the worst and median latency during the upload, their ratio,
and whether a /healthz answer arrived before the upload's answer (issue 12 item 1).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def population_csv(megabytes: int) -> bytes:
    """A valid population table, padded to size with repeated rows (the last value wins)."""
    line = b"320500,2020,1284.78\n"
    return b"region_code,year,population\n" + line * (megabytes * 1024 * 1024 // len(line))


def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("the server did not come up")


def _timed_healthz(client: httpx.Client, base: str) -> float:
    started = time.perf_counter()
    client.get(f"{base}/healthz", timeout=120).raise_for_status()
    return time.perf_counter() - started


def measure(base: str, megabytes: int) -> None:
    """Idle latency, then latency during the upload; prints the figures."""
    with httpx.Client() as client:
        idle = [_timed_healthz(client, base) for _ in range(20)]
        token = client.post(
            f"{base}/api/v1/auth/token", json={"username": "admin", "password": "ipops-demo-2026"}
        ).json()["access_token"]
    # The upload runs in its own process, so that building and sending 40 MB never holds this one's GIL.
    script = (
        "import sys, time, httpx\n"
        "from upload_healthz import population_csv\n"
        "body = population_csv(int(sys.argv[3]))\n"
        "print('sending', time.time(), flush=True)\n"
        "r = httpx.post(sys.argv[1] + '/api/v1/reports/datasets',"
        " headers={'authorization': 'Bearer ' + sys.argv[2]},"
        " data={'name': 'benchmark population', 'as_of': '2021-12-31', 'kind': 'population'},"
        " files={'file': ('population.csv', body, 'text/csv')}, timeout=600)\n"
        "print(r.status_code, time.time(), flush=True)\n"
    )
    uploader = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script, base, token, str(megabytes)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent)},
    )
    assert uploader.stdout is not None  # noqa: S101 - piped above
    started_wall = float(uploader.stdout.readline().split()[1])
    started = time.perf_counter() - (time.time() - started_wall)
    during: list[float] = []
    asked_at: list[float] = []
    first_healthz_answer: float | None = None
    with httpx.Client() as client:
        while uploader.poll() is None:
            asked_at.append(time.perf_counter() - started)
            during.append(_timed_healthz(client, base))
            first_healthz_answer = first_healthz_answer or time.perf_counter()
            time.sleep(0.02)
    code, finished_wall = uploader.stdout.readline().split()
    answered = started + (float(finished_wall) - started_wall)
    upload_s = answered - started
    idle_ms = statistics.median(idle) * 1000
    worst_ms = max(during) * 1000 if during else float("nan")
    median_ms = statistics.median(during) * 1000 if during else float("nan")
    print(f"upload: {megabytes} MB population CSV, HTTP {code}, {upload_s:.2f} s")
    print(f"/healthz idle (baseline, median of 20): {idle_ms:.1f} ms")
    print(f"/healthz during the upload: {len(during)} requests, median {median_ms:.1f} ms")
    worst_at = asked_at[during.index(max(during))] if during else float("nan")
    print(
        f"/healthz worst during the upload: {worst_ms:.1f} ms, asked {worst_at:.1f} s after the upload began"
    )
    print(f"ratio worst-during / idle: {worst_ms / idle_ms:.0f}x")
    before = first_healthz_answer is not None and first_healthz_answer < answered
    print(f"a /healthz answer arrived before the upload's answer: {before}")


def main() -> None:
    """Serve a fresh database, then measure."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        env = {
            **os.environ,
            "IPOPS_DATABASE_URL": f"sqlite:///{root / 'bench.db'}",
            "IPOPS_LAKE_DIR": str(root / "lake"),
            "IPOPS_FILES_DIR": str(root / "files"),
            "IPOPS_JOBS_SQLITE_PATH": str(root / "jobs.db"),
            "IPOPS_JOBS_IMMEDIATE": "true",
            "IPOPS_ENV": "test",
        }
        from ipops.sample import load_sample_data

        os.environ.update(env)
        load_sample_data(database_url=env["IPOPS_DATABASE_URL"])
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "uvicorn", "ipops.web.app:create_app", "--factory"]
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [*command, "--port", str(port), "--log-level", "warning"], env=env
        )
        try:
            _wait_until_up(base, server)
            measure(base, args.megabytes)
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
