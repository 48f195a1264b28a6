"""Where report numbers come from: counts over the lake's Parquet tables, and official statistics files.

The lake adapter runs SQL on a DuckDB connection that has the lake's views (documents, parties, …); it takes a
`LakeStore` when the lake package provides one, or any DuckDB connection with those views (tests, benchmarks).
A document is attributed to the region of its first-named applicant with a GB/T 2260 code, as CNIPA
statistics attribute filings to the first applicant's domicile.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipops.core import codes

if TYPE_CHECKING:
    import duckdb

NATION = "CN"  # mainland China: the 31 provinces, as NBS population and CNIPA's per-10k figures count it
NATION_WITH_HMT = "CNHMT"  # the domestic total as CNIPA prints it, with Hong Kong, Macao and Taiwan
NATION_ALIASES = frozenset({"cn", "000000", "100000", "nation", "china", "全国", "中国"})
NATION_WITH_HMT_ALIASES = frozenset({"cnhmt", "全国总计", "全国（含港澳台）", "全国(含港澳台)"})
LAKE_COUNTED = (
    "patent_applications",
    "invention_applications",
    "utility_model_applications",
    "design_applications",
    "patent_grants",
    "invention_grants",
    "utility_model_grants",
    "design_grants",
    "invention_in_force",
    "pct_applications",
)

_DOCS_SQL = """
CREATE OR REPLACE TEMP VIEW report_docs AS
WITH firsts AS (
    SELECT doc_id, arg_min(region_code, seq) AS region_code, arg_min(name, seq) AS applicant
    FROM parties
    WHERE role IN ('applicant', 'assignee', 'owner') AND regexp_full_match(region_code, '[0-9]{6}')
    GROUP BY doc_id
)
SELECT d.doc_id,
       coalesce(d.application_number, d.doc_id) AS app_key,
       d.ip_type, d.status, coalesce(d.is_pct, false) AS is_pct,
       coalesce(d.pct_application_number, d.application_number, d.doc_id) AS pct_key,
       coalesce(d.filing_year, year(d.application_date)) AS filing_year,
       year(d.grant_date) AS grant_year,
       year(d.application_date) AS application_year,
       f.region_code, f.applicant
FROM documents d JOIN firsts f USING (doc_id)
WHERE d.ip_type IN ('invention', 'utility_model', 'design')
"""

_COUNTS_SQL = """
WITH years AS (SELECT unnest($years::INTEGER[]) AS year),
events AS (
    SELECT app_key AS k, region_code, ip_type || '_applications' AS indicator, filing_year AS year
    FROM report_docs
    UNION ALL
    SELECT app_key, region_code, 'patent_applications', filing_year FROM report_docs
    UNION ALL
    SELECT app_key, region_code, ip_type || '_grants', grant_year FROM report_docs WHERE status = 'grant'
    UNION ALL
    SELECT app_key, region_code, 'patent_grants', grant_year FROM report_docs WHERE status = 'grant'
    UNION ALL
    SELECT pct_key, region_code, 'pct_applications', filing_year FROM report_docs WHERE is_pct
    UNION ALL
    SELECT d.app_key, d.region_code, 'invention_in_force', y.year
    FROM report_docs d JOIN years y
      ON d.status = 'grant' AND d.ip_type = 'invention' AND d.grant_year <= y.year
     AND d.application_year > y.year - 20
)
SELECT indicator, year,
       left(region_code, 2) AS province, left(region_code, 4) AS city,
       count(DISTINCT k) AS n
FROM events
WHERE year IN (SELECT year FROM years)
GROUP BY GROUPING SETS ((indicator, year, province, city), (indicator, year, province), (indicator, year))
"""

_TOP_SQL = """
SELECT applicant, any_value(region_code) AS region_code,
       count(DISTINCT app_key) AS applications,
       count(DISTINCT app_key) FILTER (WHERE status = 'grant') AS grants
FROM report_docs
WHERE filing_year BETWEEN $first AND $last AND applicant IS NOT NULL
  AND list_contains($prefixes::VARCHAR[], left(region_code, 2))
GROUP BY applicant
ORDER BY applications DESC, applicant
LIMIT $limit
"""


@dataclass(frozen=True, slots=True)
class LakeCount:
    """One count from the lake for an indicator, region and year."""

    indicator: str
    region_code: str  # a city (xxxx00), province (xx0000) or "CN" for every region the lake attributes
    year: int
    count: int


@dataclass(frozen=True, slots=True)
class ApplicantRow:
    """A top applicant in the lake."""

    name: str
    region_code: str
    applications: int
    grants: int


@dataclass(frozen=True, slots=True)
class CompositionRow:
    """Documents of one province in one WIPO technology field."""

    province_code: str
    field_number: int
    field_en: str
    field_zh: str
    sector_en: str
    sector_zh: str
    documents: int


def prepare_lake(con: duckdb.DuckDBPyConnection) -> None:
    """Create the report's document view (first applicant's region, dedup keys) on a lake connection."""
    con.execute(_DOCS_SQL)


def lake_counts(con: duckdb.DuckDBPyConnection, *, years: Sequence[int]) -> list[LakeCount]:
    """Applications, grants (by type), inventions in force and PCT filings by city, province and nation."""
    prepare_lake(con)
    rows = con.execute(_COUNTS_SQL, {"years": list(years)}).fetchall()
    counts: list[LakeCount] = []
    for indicator, year, province, city, n in rows:
        if province is None:
            code = NATION
        elif city is None:
            code = f"{province}0000"
        else:
            code = f"{city}00"
        counts.append(LakeCount(str(indicator), code, int(year), int(n)))
    return counts


def lake_top_applicants(
    con: duckdb.DuckDBPyConnection,
    *,
    province_prefixes: Sequence[str],
    first_year: int,
    last_year: int,
    limit: int,
) -> list[ApplicantRow]:
    """The first-named applicants with the most applications filed in the years, within the provinces."""
    rows = con.execute(
        _TOP_SQL,
        {"prefixes": list(province_prefixes), "first": first_year, "last": last_year, "limit": limit},
    ).fetchall()
    return [
        ApplicantRow(str(name), str(region), int(apps), int(grants)) for name, region, apps, grants in rows
    ]


def lake_composition(
    con: duckdb.DuckDBPyConnection, *, province_prefixes: Sequence[str], first_year: int, last_year: int
) -> list[CompositionRow]:
    """Applications filed in the years by WIPO technology field of the main IPC, per province."""
    symbols = con.execute(
        """
        SELECT left(d.region_code, 2) AS province, upper(replace(c.symbol, ' ', '')) AS symbol,
               count(DISTINCT d.app_key) AS n
        FROM report_docs d
        JOIN (SELECT doc_id, arg_min(symbol, CASE WHEN is_main THEN 0 ELSE 1 END) AS symbol
              FROM classifications WHERE upper(scheme) = 'IPC' AND symbol IS NOT NULL GROUP BY doc_id) c
          USING (doc_id)
        WHERE d.filing_year BETWEEN $first AND $last
          AND list_contains($prefixes::VARCHAR[], left(d.region_code, 2))
        GROUP BY 1, 2
        """,
        {"prefixes": list(province_prefixes), "first": first_year, "last": last_year},
    ).fetchall()
    from ipops.lake.classify import wipo_field

    totals: dict[tuple[str, int], list[Any]] = {}
    for province, symbol, n in symbols:
        field = wipo_field(str(symbol))
        if field is None:
            continue
        key = (f"{province}0000", field.number)
        entry = totals.setdefault(key, [field, 0])
        entry[1] += int(n)
    return [
        CompositionRow(code, number, f.name_en, f.name_zh, f.sector_en, f.sector_zh, n)
        for (code, number), (f, n) in sorted(totals.items())
    ]


def lake_as_of(root: Path) -> dt.date | None:
    """The date the lake was last written: its newest ingest run, else its newest Parquet file."""
    files = sorted(root.rglob("*.parquet")) if root.is_dir() else []
    if not files:
        return None
    newest = max(f.stat().st_mtime for f in files)
    return dt.datetime.fromtimestamp(newest, tz=dt.UTC).date()


def lake_fingerprint(root: Path) -> str:
    """What the lake holds, as names, sizes and modification times of its files (changes on every ingest)."""
    import hashlib

    digest = hashlib.sha256()
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def open_lake(root: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the lake's views: through `LakeStore` when the lake package has it."""
    try:
        from ipops.lake.store import LakeStore
    except ImportError:  # pragma: no cover - the lake package predates its store
        return _parquet_views(root)
    return LakeStore(root).duckdb()


def _parquet_views(root: Path) -> duckdb.DuckDBPyConnection:
    import duckdb

    from ipops.lake.schema import TABLES

    con = duckdb.connect()
    for table in TABLES:
        folder = root / table
        if any(folder.rglob("*.parquet")):
            glob = str(folder / "**" / "*.parquet").replace("'", "''")
            # table names come from the lake schema and the glob is quoted: no user input reaches this SQL
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{glob}', union_by_name = true)")  # noqa: S608
        else:
            con.register(table, TABLES[table].empty_table())
    return con


# ------------------------------------------------------------------------------------------------------------
# Official statistics files (CSV / XLSX)


@dataclass(frozen=True, slots=True)
class StatRow:
    """One value of an official statistics table."""

    region_code: str
    year: int
    indicator: str
    value: Decimal
    as_of: dt.date | None = None
    source: str | None = None


class StatisticsFileError(ValueError):
    """A statistics file could not be read; the message names the row."""


HEADER_ALIASES = {
    "region": "region_code",
    "地区代码": "region_code",
    "区划代码": "region_code",
    "地区": "region_code",
    "年份": "year",
    "年度": "year",
    "指标": "indicator",
    "数值": "value",
    "值": "value",
    "截至日期": "as_of",
    "来源": "source",
}


def normalise_region(value: str) -> str:
    """A 6-digit GB/T 2260 code, "CN" for the nation, or a province found by name (江苏省, Jiangsu)."""
    text = value.strip()
    if text.lower() in NATION_ALIASES:
        return NATION
    if text.lower() in NATION_WITH_HMT_ALIASES:
        return NATION_WITH_HMT
    if re.fullmatch(r"\d{6}(\d{6})?", text):
        return codes.normalise_region_code(text)
    from ipops.core.regions import load_regions

    province = load_regions().province_code_for_name(text)
    if province is None:
        raise StatisticsFileError(f"{value!r} is neither a region code nor a province name")
    return province


def _decimal(text: object, *, where: str) -> Decimal | None:
    cleaned = str(text).strip().replace(",", "").replace("，", "") if text is not None else ""
    if cleaned in ("", "-", "—", "…", "NA", "n/a"):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:
        raise StatisticsFileError(f"{where}: {text!r} is not a number") from exc


def _as_date(value: object, *, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise StatisticsFileError(f"{where}: {value!r} is not an ISO date") from exc


def rows_from_table(
    header: Sequence[object], body: Iterable[Sequence[object]], *, name: str
) -> list[StatRow]:
    """Read a long (region_code, year, indicator, value) or wide (region_code, year, <indicators>…) table."""
    columns = [HEADER_ALIASES.get(str(h).strip(), str(h).strip().lower()) for h in header]
    if "region_code" not in columns or "year" not in columns:
        raise StatisticsFileError(f"{name}: the header needs region_code and year, got {list(header)}")
    long_form = "indicator" in columns and "value" in columns
    meta = {"region_code", "year", "indicator", "value", "as_of", "source", "unit", "note"}
    rows: list[StatRow] = []
    for number, raw in enumerate(body, start=2):
        record = dict(zip(columns, raw, strict=False))
        if all(v is None or str(v).strip() == "" for v in record.values()):
            continue
        where = f"{name} row {number}"
        region = normalise_region(str(record["region_code"]))
        try:
            year = int(str(record["year"]).strip().removesuffix("年").split(".")[0])
        except ValueError as exc:
            raise StatisticsFileError(f"{where}: {record['year']!r} is not a year") from exc
        as_of = _as_date(record.get("as_of"), where=where)
        source = str(record["source"]).strip() if record.get("source") else None
        items = (
            [(str(record["indicator"]).strip(), record["value"])]
            if long_form
            else [(c, record[c]) for c in columns if c not in meta]
        )
        for indicator, cell in items:
            value = _decimal(cell, where=f"{where} {indicator}")
            if value is not None:
                rows.append(StatRow(region, year, indicator, value, as_of, source))
    return rows


def read_statistics(content: bytes, *, filename: str) -> list[StatRow]:
    """Parse an official statistics table from CSV or XLSX bytes (first sheet; '#' lines are comments)."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        from ipops.core.workbooks import read_first_sheet

        values = read_first_sheet(content)  # rows, columns and unpacked size refused over their limits
        values = [r for r in values if any(c is not None and str(c).strip() for c in r)]
        if not values:
            raise StatisticsFileError(f"{filename} is empty")
        return rows_from_table(values[0], values[1:], name=filename)
    text = content.decode("utf-8-sig")
    # row by row in Python, never one long C call that holds the GIL while the event loop waits
    lines = (ln for ln in io.StringIO(text) if ln.strip() and not ln.lstrip().startswith("#"))
    table = csv.reader(lines)
    header = next(table, None)
    if header is None:
        raise StatisticsFileError(f"{filename} is empty")
    return rows_from_table(header, table, name=filename)
