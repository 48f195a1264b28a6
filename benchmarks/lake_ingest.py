"""Lake benchmark: ingest throughput on real USPTO bulk files vs bare lxml; an indicator query on 10M rows.

    python benchmarks/lake_ingest.py [--mb 200] [--quick] [--rows 10000000]

Part 1 copies the shared ipg*.xml bulk files until --mb megabytes (each copy's publication numbers are
rewritten so every document is new to the lake), times `ipops.lake.ingest.ingest_paths` into a fresh
LakeStore, then times bare `lxml.etree.iterparse` over the same bytes in the same run and prints the ratio
(target: within 2x). It also times LakeStore.write alone on synthetic batches. Part 2 builds a synthetic
indicator table with --rows rows in DuckDB and times the cohort (WIPO field x filing year) normalisation and
composite index from ipops.lake.indicators, aggregated per cohort.
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

from ipops.core.paths import shared_data_dir
from ipops.lake.records import ParsedBatch
from ipops.lake.store import LakeStore

_PUBLICATION_NUMBER = re.compile(
    rb"(<publication-reference>\s*<document-id>\s*<country>[^<]*</country>\s*<doc-number>)"
)


def make_corpus(target: Path, *, megabytes: float) -> tuple[list[Path], int]:
    """Copies of the shared ipg bulk files (publication numbers unique per copy), totalling >= megabytes."""
    sources = sorted((shared_data_dir() / "patents" / "uspto_grant_bulk_ipg").glob("ipg*.xml"))
    if not sources:
        sys.exit(f"no ipg*.xml under {shared_data_dir()}/patents/uspto_grant_bulk_ipg")
    originals = [(p.name, p.read_bytes()) for p in sources]
    files: list[Path] = []
    total = 0
    copy = 0
    while total < megabytes * 1e6:
        copy += 1
        for name, data in originals:
            # "06836899" -> "7006836899" etc.: a new document number, so dedup does not skip the copy.
            unique = _PUBLICATION_NUMBER.sub(lambda m, c=copy: m.group(1) + str(c + 6).encode(), data)
            path = target / f"copy{copy:04d}_{name}"
            path.write_bytes(unique)
            files.append(path)
            total += len(unique)
            if total >= megabytes * 1e6:
                break
    return files, total


def bare_iterparse(files: list[Path]) -> tuple[float, int]:
    """Seconds to read and iterparse every concatenated document (split on <?xml), clearing as we go."""
    started = time.perf_counter()
    documents = 0
    for path in files:
        data = path.read_bytes()
        for part in data.split(b"<?xml")[1:]:
            for _event, element in etree.iterparse(
                io.BytesIO(b"<?xml" + part),
                events=("end",),
                recover=True,
                resolve_entities=False,
                huge_tree=True,
            ):
                element.clear()
            documents += 1
    return time.perf_counter() - started, documents


def ingest_benchmark(megabytes: float) -> None:
    """Part 1: ingest_paths into a LakeStore vs bare iterparse on the same bytes."""
    work = Path(tempfile.mkdtemp(prefix="ipops-bench-"))
    try:
        (work / "in").mkdir()
        files, total = make_corpus(work / "in", megabytes=megabytes)
        print(f"corpus: {len(files)} files, {total / 1e6:.1f} MB")
        base_seconds, base_docs = bare_iterparse(files)
        print(
            f"bare lxml iterparse: {base_docs:,} docs in {base_seconds:.2f} s = "
            f"{base_docs / base_seconds:,.0f} docs/s, "
            f"{total / 1e6 / base_seconds:.1f} MB/s"
        )
        try:
            from ipops.lake.ingest import ingest_paths
        except ModuleNotFoundError:
            print("ipops.lake.ingest is not available yet: ingest timing skipped")
            return
        started = time.perf_counter()
        with LakeStore(work / "lake") as store:
            report = ingest_paths(files, sink=store)
        seconds = time.perf_counter() - started
        parsed = getattr(report, "documents_parsed", 0)
        print(
            f"ipops ingest:        {parsed:,} docs parsed, {store.documents_written:,} written, "
            f"{getattr(report, 'quarantined', 0)} quarantined in {seconds:.2f} s = "
            f"{parsed / seconds:,.0f} docs/s, "
            f"{total / 1e6 / seconds:.1f} MB/s"
        )
        ratio = seconds / base_seconds
        print(f"ratio ingest / bare parse: {ratio:.2f}x ({'within' if ratio <= 2 else 'OVER'} the 2x target)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def store_write_benchmark(documents: int) -> None:
    """LakeStore.write alone: batches of 1,000 synthetic documents with 3 IPC, 8 citations, 2 parties each."""
    import datetime as dt

    work = Path(tempfile.mkdtemp(prefix="ipops-bench-store-"))
    try:
        started = time.perf_counter()
        rows = 0
        with LakeStore(work) as store:
            for start in range(0, documents, 1000):
                batch = ParsedBatch()
                for n in range(start, min(start + 1000, documents)):
                    doc_id = f"US-{n:08d}-B2"
                    batch.documents.append(
                        {
                            "doc_id": doc_id,
                            "office": "US",
                            "doc_number": f"{n:08d}",
                            "kind": "B2",
                            "ip_type": "invention",
                            "status": "grant",
                            "application_date": dt.date(2010, 1, 1),
                            "publication_date": dt.date(2012, 1, 1),
                            "grant_date": dt.date(2012, 1, 1),
                            "filing_year": 2000 + n % 20,
                            "title": f"Title {n}",
                            "abstract": "x" * 800,
                            "claims_count": 10 + n % 30,
                        }
                    )
                    batch.classifications += [
                        {"doc_id": doc_id, "scheme": "IPC", "symbol": s, "is_main": i == 0}
                        for i, s in enumerate(("H01L 21/768", "G06F 3/01", "A61K 31/00"))
                    ]
                    batch.citations += [
                        {
                            "doc_id": doc_id,
                            "seq": i,
                            "is_npl": False,
                            "cited_office": "US",
                            "cited_number": f"{(n * 7 + i) % documents:08d}",
                        }
                        for i in range(8)
                    ]
                    batch.parties += [
                        {"doc_id": doc_id, "role": r, "seq": 1, "name": f"Name {n % 5000}"}
                        for r in ("applicant", "inventor")
                    ]
                    rows += 14
                store.write(batch, [])
        seconds = time.perf_counter() - started
        print(
            f"LakeStore.write: {documents:,} docs ({rows:,} rows) in {seconds:.2f} s = "
            f"{documents / seconds:,.0f} docs/s"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def indicator_query_benchmark(rows: int) -> None:
    """Part 2: cohort normalisation + composite index over a synthetic table, per cohort, on DuckDB."""
    import ibis

    from ipops.lake.indicators import cohort_normalise

    con = ibis.duckdb.connect()
    started = time.perf_counter()
    con.raw_sql(f"""
        CREATE TABLE synthetic AS
        SELECT 'US-' || i AS doc_id,
               CAST(1 + (hash(i) % 35) AS SMALLINT) AS field_number,
               CAST(2000 + (hash(i + 1) % 24) AS SMALLINT) AS filing_year,
               CAST(floor(-ln(random()) * 3) AS BIGINT) AS forward_citations_window,
               CAST(floor(-ln(random()) * 10) AS BIGINT) AS backward_citations,
               CAST(1 + floor(-ln(random()) * 2) AS BIGINT) AS family_size,
               CAST(1 + floor(random() * 40) AS INTEGER) AS claims,
               CAST(1 + floor(-ln(random()) * 1.5) AS BIGINT) AS patent_scope,
               random() AS originality,
               CASE WHEN random() < 0.4 THEN NULL ELSE random() END AS generality,
               random() AS radicalness,
               CAST(300 + floor(random() * 2000) AS BIGINT) AS grant_lag_days
        FROM range({rows}) t(i)
    """)  # noqa: S608
    print(f"synthetic table: {rows:,} rows built in {time.perf_counter() - started:.2f} s")
    table = con.table("synthetic")
    scored = cohort_normalise(table)
    query = scored.group_by(["field_number", "filing_year"]).aggregate(
        documents=scored.doc_id.count(),
        mean_quality_index_4=scored.quality_index_4.mean(),
        mean_quality_index_6=scored.quality_index_6.mean(),
        top_decile_share=(scored.quality_index_4 >= 0.5).mean(),
    )
    started = time.perf_counter()
    result = query.to_pyarrow()
    seconds = time.perf_counter() - started
    print(
        f"cohort-normalised indicator query (field x year) over {rows:,} rows: {result.num_rows} cohorts "
        f"in {seconds:.2f} s on DuckDB"
    )


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=float, default=200.0, help="corpus size in MB (default 200)")
    parser.add_argument("--rows", type=int, default=10_000_000, help="synthetic indicator rows (default 10M)")
    parser.add_argument(
        "--store-docs", type=int, default=100_000, help="documents for the store-only write test"
    )
    parser.add_argument("--quick", action="store_true", help="20 MB, 1M rows, 20k store docs")
    args = parser.parse_args()
    if args.quick:
        args.mb, args.rows, args.store_docs = 20.0, 1_000_000, 20_000
    print("== part 1: ingest ==")
    ingest_benchmark(args.mb)
    store_write_benchmark(args.store_docs)
    print("== part 2: indicator query ==")
    indicator_query_benchmark(args.rows)


if __name__ == "__main__":
    main()
