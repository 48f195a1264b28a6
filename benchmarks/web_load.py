"""Web load benchmark: `ipops serve` on PostgreSQL, the sample data and a synthetic lake, driven by locust.

    python -m benchmarks.web_load [--docs 1000000] [--users 50] [--seconds 10]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/ipops_search]

1. Empties the PostgreSQL database, migrates it and loads the sample alliance and lake samples.
2. Writes --docs synthetic documents straight into the lake as Parquet (titles and abstracts composed from
   real sentences of ../shared/data, Chinese included), then rebuilds the lake's search index from it.
3. Starts the server (one worker), signs in as an enterprise user and runs locust headless, first each
   request kind alone at --users concurrent users, then the mixed workload (browse, search in Chinese and
   English, asset detail, report page).
4. Prints requests/s, p50 and p99 per request kind, and each kind's requests/s as a share of /healthz.
Every request goes to 127.0.0.1 only; each locust run stops by itself after --seconds.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
from benchmarks.synthetic_corpus import compose, real_sentences

from ipops.core.search.text import chinese_words, query_units
from ipops.lake.schema import CLASSIFICATIONS, DOCUMENTS, PARTIES

PASSWORD = "ipops-demo-2026"  # noqa: S105 - the published sample password
KINDS = ("healthz", "browse", "detail", "search_zh", "search_en", "report")
MIX = {"browse": 3, "detail": 2, "search_zh": 2, "search_en": 2, "report": 1, "healthz": 1}
CHUNK = 100_000
REPORT_USERS = 4  # a report takes seconds: it runs alone with 4 users for 3x --seconds

LOCUSTFILE = """
import json, os, random
from locust import FastHttpUser, constant, task

SETTINGS = json.loads(open(os.environ["IPOPS_LOAD_SETTINGS"], encoding="utf-8").read())
KIND = os.environ["IPOPS_LOAD_KIND"]
HEADERS = {"Authorization": "Bearer " + SETTINGS["token"]}


class Visitor(FastHttpUser):
    wait_time = constant(0)

    def healthz(self):
        self.client.get("/healthz", name="healthz")

    def browse(self):
        self.client.get("/api/v1/assets?size=20", headers=HEADERS, name="browse")

    def detail(self):
        self.client.get("/api/v1/assets/%d" % SETTINGS["asset_id"], headers=HEADERS, name="detail")

    def search_zh(self):
        q = random.choice(SETTINGS["words_zh"])
        self.client.get("/api/v1/lake/search", params={"q": q}, headers=HEADERS, name="search_zh")

    def search_en(self):
        q = random.choice(SETTINGS["words_en"])
        self.client.get("/api/v1/lake/search", params={"q": q}, headers=HEADERS, name="search_en")

    def report(self):
        self.client.get("/reports/innovation", headers=HEADERS, name="report")

    @task
    def one(self):
        if KIND == "mixed":
            kinds, weights = zip(*SETTINGS["mix"].items())
            getattr(self, random.choices(kinds, weights)[0])()
        else:
            getattr(self, KIND)()
"""


def reset_database(url: str) -> None:
    """Drop and recreate the benchmark database (never the main one)."""
    name = url.rsplit("/", 1)[1]
    if name in {"ipops", "postgres"}:
        raise SystemExit(f"refusing to empty database {name}")
    admin = url.rsplit("/", 1)[0].replace("postgresql+psycopg", "postgresql") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"')


def write_synthetic_lake(lake: Path, docs: int) -> tuple[list[str], list[str]]:
    """Append `docs` synthetic documents (with an applicant and an IPC each) to the lake as Parquet."""
    sentences = real_sentences()
    rows_iter = compose(sentences, docs)
    part = 0
    while True:
        rows = [row for _, row in zip(range(CHUNK), rows_iter, strict=False)]
        if not rows:
            break
        part += 1
        documents = [{f: r.get(f) for f in DOCUMENTS.names} for r in rows]
        parties = [
            {
                "doc_id": r["doc_id"],
                "role": "applicant",
                "seq": 1,
                "name": r["applicant"],
                "country": "CN" if r["office"] == "CN" else "US",
                "region_code": r["region_code"],
            }
            for r in rows
        ]
        classifications = [
            {"doc_id": r["doc_id"], "scheme": "IPC", "symbol": r["symbol"], "is_main": True} for r in rows
        ]
        for table, schema, data in (
            ("documents", DOCUMENTS, documents),
            ("parties", PARTIES, parties),
            ("classifications", CLASSIFICATIONS, classifications),
        ):
            folder = lake / table / "office=SYN"
            folder.mkdir(parents=True, exist_ok=True)
            pq.write_table(
                pa.Table.from_pylist(data, schema=schema), folder / f"part-synthetic-{part:04d}.parquet"
            )
    words_zh = sorted({w for t in sentences.titles_zh for w in chinese_words(t).split() if len(w) >= 2})
    words_en = sorted({u.word for t in sentences.titles_en for u in query_units(t) if len(u.word) >= 5})
    return words_zh, words_en


def ipops(*args: str, env: dict[str, str]) -> None:
    """Run the ipops CLI of this virtualenv."""
    subprocess.run([str(Path(sys.executable).with_name("ipops")), *args], env=env, check=True)  # noqa: S603


def run_locust(
    kind: str, *, users: int, seconds: int, host: str, folder: Path, settings: Path
) -> dict[str, dict[str, float]]:
    """One headless locust run; returns requests/s, p50, p99 and failures per request name."""
    prefix = folder / f"locust-{kind}"
    env = {**os.environ, "IPOPS_LOAD_KIND": kind, "IPOPS_LOAD_SETTINGS": str(settings)}
    subprocess.run(  # noqa: S603
        [
            str(Path(sys.executable).with_name("locust")),
            "-f",
            str(folder / "locustfile.py"),
            "--headless",
            "-u",
            str(users),
            "-r",
            str(users),
            "-t",
            f"{seconds}s",
            "--host",
            host,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--stop-timeout",
            "5",
        ],
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=seconds + 120,
    )
    figures: dict[str, dict[str, float]] = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == "Aggregated":
                continue
            figures[row["Name"]] = {
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"]),
                "p99": float(row["99%"]),
                "requests": float(row["Request Count"]),
                "failures": float(row["Failure Count"]),
            }
    return figures


def main() -> None:
    """Prepare the data, start the server, run the load and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--port", type=int, default=8077)
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/ipops_search")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        lake = folder / "lake"
        env = {
            **os.environ,
            "IPOPS_DATABASE_URL": args.database_url,
            "IPOPS_LAKE_DIR": str(lake),
            "IPOPS_JOBS_SQLITE_PATH": str(folder / "jobs.db"),
            "IPOPS_FILES_DIR": str(folder / "files"),
        }
        started = time.perf_counter()
        reset_database(args.database_url)
        ipops("db", "upgrade", env=env)
        ipops("load-sample", env=env)
        print(f"sample data on PostgreSQL: {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        words_zh, words_en = write_synthetic_lake(lake, args.docs)
        elapsed = time.perf_counter() - started
        print(f"synthetic lake: {args.docs:,} documents written as Parquet in {elapsed:.1f} s")
        started = time.perf_counter()
        ipops("search", "rebuild", "lake", env=env)
        print(f"lake index rebuilt in {time.perf_counter() - started:.1f} s")

        host = f"http://127.0.0.1:{args.port}"
        server = subprocess.Popen(  # noqa: S603
            [
                str(Path(sys.executable).with_name("ipops")),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(args.port),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(folder / "server.log", "w"),  # noqa: SIM115
        )
        try:
            for _ in range(120):
                try:
                    if httpx.get(f"{host}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.5)
            token = httpx.post(
                f"{host}/api/v1/auth/token", json={"username": "semi", "password": PASSWORD}
            ).json()
            headers = {"Authorization": f"Bearer {token['access_token']}"}
            assets = httpx.get(f"{host}/api/v1/assets", headers=headers, timeout=30).json()
            for word in (*random.Random(1).sample(words_zh, 3), "battery"):  # warm-up: jieba, the index
                httpx.get(f"{host}/api/v1/lake/search", params={"q": word}, headers=headers, timeout=60)
            settings = folder / "settings.json"
            settings.write_text(
                json.dumps(
                    {
                        "token": token["access_token"],
                        "asset_id": assets["items"][0]["id"],
                        "words_zh": words_zh,
                        "words_en": words_en,
                        "mix": MIX,
                    },
                    ensure_ascii=False,
                )
            )
            (folder / "locustfile.py").write_text(LOCUSTFILE, encoding="utf-8")
            print(f"\n{args.users} users ({REPORT_USERS} for the report alone), {args.seconds} s per run")
            print(
                f"{'request kind':<14}{'alone rps':>10}{'p50 ms':>9}{'p99 ms':>9}{'fail':>6}"
                f"{'vs healthz':>12}   {'mixed rps':>10}{'p50 ms':>9}{'p99 ms':>9}{'fail':>6}"
            )
            alone = {}
            for kind in KINDS:
                alone[kind] = run_locust(
                    kind,
                    users=REPORT_USERS if kind == "report" else args.users,
                    seconds=args.seconds * 3 if kind == "report" else args.seconds,
                    host=host,
                    folder=folder,
                    settings=settings,
                ).get(kind, {})
            mixed = run_locust(
                "mixed",
                users=args.users,
                seconds=args.seconds * 2,
                host=host,
                folder=folder,
                settings=settings,
            )
            baseline = alone["healthz"].get("rps", 0.0) or 1.0
            for kind in KINDS:
                a, m = alone[kind], mixed.get(kind, {})
                print(
                    f"{kind:<14}{a.get('rps', 0):>10.1f}{a.get('p50', 0):>9.0f}{a.get('p99', 0):>9.0f}"
                    f"{a.get('failures', 0):>6.0f}{a.get('rps', 0) / baseline:>11.0%} "
                    f"  {m.get('rps', 0):>10.1f}{m.get('p50', 0):>9.0f}{m.get('p99', 0):>9.0f}"
                    f"{m.get('failures', 0):>6.0f}"
                )
            print(
                "goals: signed-in list >= 40% of /healthz requests/s; lake search p99 < 200 ms, no failures"
            )
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:  # still finishing report requests of the last run
                server.kill()
                server.wait(timeout=20)


if __name__ == "__main__":
    main()
