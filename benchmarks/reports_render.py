"""Reports benchmark: the YRD innovation report over a synthetic lake of --rows documents vs the bare query.

    python benchmarks/reports_render.py [--rows 10000000] [--quick]

Builds a lake (documents, parties, classifications; one applicant and one IPC per document, regions over
the YRD's cities and three other cities) as Parquet under a temporary folder, then times:
  bare    the lake count query alone (applications, grants, in force, PCT by city/province/nation, 6 years)
  report  everything the report does: counts, composition, top applicants, build, HTML document, PDF, XLSX
and prints the ratio report / bare measured in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import duckdb

from ipops.core.regions import load_regions
from ipops.lake.schema import TABLES
from ipops.lake.store import duckdb_type
from ipops.reports import render, sources
from ipops.reports.builder import ReportInputs, ReportRegion, build_report
from ipops.reports.figures import Source, SourceKind

YRD = ("310000", "320000", "330000", "340000")
SYMBOLS = ["H01L 21/768", "G06F 3/01", "A61K 31/00", "H01M 10/48", "B60L 58/16", "C07D 213/00", "G06N 20/00"]


def _columns(table: str, given: dict[str, str]) -> str:
    return ", ".join(
        f"CAST({given.get(f.name, 'NULL')} AS {duckdb_type(f.type)}) AS {f.name}" for f in TABLES[table]
    )


def build_lake(root: Path, rows: int, region_codes: list[str]) -> None:
    """Write the synthetic lake with DuckDB straight to Parquet."""
    con = duckdb.connect()
    codes = "[" + ",".join(f"'{c}'" for c in region_codes) + "]"
    symbols = "[" + ",".join(f"'{s}'" for s in SYMBOLS) + "]"
    documents = {
        "doc_id": "'CN-' || i || '-B'",
        "office": "'CN'",
        "doc_number": "i::VARCHAR",
        "kind": "'B'",
        "ip_type": "['invention', 'utility_model', 'design'][(i % 3) + 1]",
        "status": "CASE WHEN i % 2 = 0 THEN 'grant' ELSE 'application' END",
        "application_number": "'A' || i",
        "application_date": "DATE '2005-01-01' + (i % 6000)::INTEGER",
        "grant_date": "CASE WHEN i % 2 = 0 THEN DATE '2006-06-01' + (i % 6000)::INTEGER END",
        "filing_year": "year(DATE '2005-01-01' + (i % 6000)::INTEGER)",
        "is_pct": "i % 40 = 0",
    }
    parties = {
        "doc_id": "'CN-' || i || '-B'",
        "role": "'applicant'",
        "seq": "1",
        "name": "'申请人' || (i % 5000)",
        "country": "'CN'",
        "region_code": f"{codes}[(i % {len(region_codes)}) + 1]",
    }
    classifications = {
        "doc_id": "'CN-' || i || '-B'",
        "scheme": "'IPC'",
        "symbol": f"{symbols}[(i % {len(SYMBOLS)}) + 1]",
        "is_main": "true",
    }
    for table, given in (
        ("documents", documents),
        ("parties", parties),
        ("classifications", classifications),
    ):
        folder = root / table
        folder.mkdir(parents=True)
        target = str(folder / "part-0.parquet")
        con.execute(
            f"COPY (SELECT {_columns(table, given)} FROM range({rows}) t(i)) TO '{target}' (FORMAT parquet)"  # noqa: S608
        )
    con.close()


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--quick", action="store_true", help="1M rows")
    args = parser.parse_args()
    rows = 1_000_000 if args.quick else args.rows
    table = load_regions()
    members = [ReportRegion(p, table.name(p), table.name(p, lang="en"), "province") for p in YRD]
    for province in YRD:
        members += [
            ReportRegion(r.code, r.name, table.name(r.code, lang="en"), "city", province)
            for r in table.children(province)
            if r.level == "city"
        ]
    region_codes = [m.code for m in members if m.level == "city"] + ["110100", "440300", "510100"]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        started = time.perf_counter()
        build_lake(root, rows, region_codes)
        print(f"synthetic lake: {rows:,} documents written in {time.perf_counter() - started:.1f}s")
        year = 2020
        years = list(range(year - 5, year + 1))

        con = sources.open_lake(root)
        started = time.perf_counter()
        counts = sources.lake_counts(con, years=years)
        bare = time.perf_counter() - started
        con.close()

        started = time.perf_counter()
        con = sources.open_lake(root)
        counts = sources.lake_counts(con, years=years)
        prefixes = [p[:2] for p in YRD]
        composition = sources.lake_composition(
            con, province_prefixes=prefixes, first_year=2016, last_year=year
        )
        applicants = sources.lake_top_applicants(
            con, province_prefixes=prefixes, first_year=2016, last_year=year, limit=10
        )
        con.close()
        queried = time.perf_counter() - started
        report = build_report(
            ReportInputs(
                "yrd",
                "长三角",
                "Yangtze River Delta",
                year,
                members,
                official=[],
                lake_counts=counts,
                lake_source=Source(SourceKind.LAKE, "synthetic lake", dt.date(2024, 1, 1)),
                composition=composition,
                top_applicants=applicants,
            )
        )
        html = render.render_document(report)
        built = time.perf_counter() - started
        pdf = render.render_pdf(report)
        pdf_done = time.perf_counter() - started
        render.tables_xlsx(render.report_tables(report))
        total = time.perf_counter() - started
    print(f"bare count query:            {bare:8.2f}s")
    print(f"all lake queries:            {queried:8.2f}s")
    print(f"+ build + HTML ({len(html) // 1024} KiB):     {built:8.2f}s")
    print(f"+ PDF ({len(pdf) // 1024} KiB):              {pdf_done:8.2f}s")
    print(f"+ XLSX = full report:        {total:8.2f}s")
    print(f"ratio full report / bare query: {total / bare:.2f}x  ({len(report.cells):,} figures)")


if __name__ == "__main__":
    main()
