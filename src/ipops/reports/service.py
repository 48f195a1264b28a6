"""Report use cases: import official and population tables, build the innovation report, load the sample."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import tempfile
from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ipops.alliance.schemas import AllianceRead
from ipops.alliance.service import alliance_id_for_code, alliance_read_by_code
from ipops.core.audit import record_audit
from ipops.core.authz import Action, Principal, clause, region_contains
from ipops.core.db import db_now
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.uow import UnitOfWork
from ipops.reports import sources
from ipops.reports.builder import InnovationReport, ReportInputs, ReportRegion, build_report, default_year
from ipops.reports.figures import Figure, Source, SourceKind
from ipops.reports.indicators import INDICATORS
from ipops.reports.models import StatDataset, StatValue
from ipops.reports.paths import CNIPA_STATISTICS_CSV, NATIONAL_STATISTICS_CSV, NBS_POPULATION_CSV
from ipops.reports.reconcile import DEFAULT_TOLERANCE
from ipops.reports.schemas import DatasetKind, DatasetMeta, DatasetRead
from ipops.reports.scope import dataset_columns, dataset_facts, require_on_dataset
from ipops.reports.sources import NATION, NATION_WITH_HMT, StatisticsFileError, StatRow

TOP_APPLICANTS = 10


def _require(actor: Principal, action: Action, meta: DatasetMeta, alliance_id: int) -> None:
    """The policy decides (the system actor of the CLI and the sample acts for every alliance)."""
    facts = dataset_facts(
        alliance_id=alliance_id, region_code=meta.scope_region_code, visibility=meta.visibility
    )
    require_on_dataset(actor, action, facts)


def _validate_rows(meta: DatasetMeta, rows: Sequence[StatRow]) -> None:
    if not rows:
        raise DomainError(ErrorCode.VALIDATION_ERROR, "the table holds no values")
    seen: set[tuple[str, str, int]] = set()
    for row in rows:
        if row.indicator not in INDICATORS:
            raise DomainError(
                ErrorCode.VALIDATION_ERROR, f"unknown indicator {row.indicator!r}", field="indicator"
            )
        if meta.kind == DatasetKind.POPULATION and row.indicator != "population":
            raise DomainError(ErrorCode.VALIDATION_ERROR, "a population table holds population only")
        if meta.scope_region_code and (
            row.region_code in (NATION, NATION_WITH_HMT)
            or not region_contains(meta.scope_region_code, row.region_code)
        ):
            raise DomainError(
                ErrorCode.VALIDATION_ERROR,
                f"{row.region_code} lies outside the table's region {meta.scope_region_code}",
            )
        key = (row.indicator, row.region_code, row.year)
        if key in seen:
            raise DomainError(ErrorCode.VALIDATION_ERROR, f"{key} appears twice")
        seen.add(key)


def _add_dataset(
    session: Session, *, actor: Principal, alliance_id: int, meta: DatasetMeta, rows: Sequence[StatRow]
) -> StatDataset:
    dataset = StatDataset(
        alliance_id=alliance_id,
        kind=meta.kind.value,
        name=meta.name,
        publisher=meta.publisher,
        reference=meta.reference,
        as_of=meta.as_of,
        scope_region_code=meta.scope_region_code,
        visibility=meta.visibility,
        row_count=len(rows),
        imported_by=actor.user_id,
        values=[
            StatValue(
                indicator=r.indicator, region_code=r.region_code, year=r.year, value=r.value, as_of=r.as_of
            )
            for r in rows
        ],
    )
    session.add(dataset)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="report.dataset.imported",
        entity_type="report_dataset",
        entity_id=dataset.id,
        after={**meta.model_dump(), "rows": len(rows)},
        region_code=meta.scope_region_code,
    )
    return dataset


def import_statistics(
    *, uow: UnitOfWork, actor: Principal, alliance_id: int, meta: DatasetMeta, rows: Sequence[StatRow]
) -> DatasetRead:
    """Store one official or population table; alliance admins any region, region admins their own."""
    _require(actor, Action.CREATE, meta, alliance_id)
    _validate_rows(meta, rows)
    with uow:
        dataset = _add_dataset(uow.session, actor=actor, alliance_id=alliance_id, meta=meta, rows=rows)
        uow.commit()
        return DatasetRead.model_validate(dataset)


def import_statistics_file(
    *, uow: UnitOfWork, actor: Principal, alliance_id: int, meta: DatasetMeta, content: bytes, filename: str
) -> list[DatasetRead]:
    """Import a CSV/XLSX table; rows naming a `source` become one dataset per source, in one transaction."""
    _require(actor, Action.CREATE, meta, alliance_id)
    try:
        rows = sources.read_statistics(content, filename=filename)
    except (StatisticsFileError, ValueError) as exc:
        raise DomainError(ErrorCode.VALIDATION_ERROR, str(exc)) from exc
    groups: dict[str | None, list[StatRow]] = {}
    for row in rows:
        groups.setdefault(row.source, []).append(row)
    metas = {
        source: meta if source is None else meta.model_copy(update={"name": source[:300]})
        for source in groups
    }
    for source, group in groups.items():
        _validate_rows(metas[source], group)
    with uow:
        created = [
            _add_dataset(uow.session, actor=actor, alliance_id=alliance_id, meta=metas[source], rows=group)
            for source, group in groups.items()
        ]
        uow.commit()
        return [DatasetRead.model_validate(d) for d in created]


def population_rows(content: bytes, *, filename: str) -> list[StatRow]:
    """Population rows (10k persons) from `region_code,year,population` or the NBS wide CSV."""
    from ipops.core.regions import load_population_csv

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(filename).name
        path.write_bytes(content)
        try:
            table = load_population_csv(path)
        except (ValueError, KeyError) as exc:
            raise DomainError(ErrorCode.VALIDATION_ERROR, str(exc)) from exc
    return [
        StatRow(code, year, "population", value, dt.date(year, 12, 31))
        for (code, year), value in sorted(table.values.items())
    ]


def import_population_file(
    *, uow: UnitOfWork, actor: Principal, alliance_id: int, meta: DatasetMeta, content: bytes, filename: str
) -> DatasetRead:
    """Import a population table (provinces or cities, in 10k persons)."""
    meta = meta.model_copy(update={"kind": DatasetKind.POPULATION})
    _require(actor, Action.CREATE, meta, alliance_id)  # before the file is parsed
    return import_statistics(
        uow=uow,
        actor=actor,
        alliance_id=alliance_id,
        meta=meta,
        rows=population_rows(content, filename=filename),
    )


def import_file(
    *, uow: UnitOfWork, actor: Principal, alliance_id: int, meta: DatasetMeta, content: bytes, filename: str
) -> list[DatasetRead]:
    """Import an uploaded table: population (one dataset) or official statistics (one dataset per source)."""
    _require(actor, Action.CREATE, meta, alliance_id)  # before a byte of the file is parsed
    if meta.kind == DatasetKind.POPULATION:
        return [
            import_population_file(
                uow=uow, actor=actor, alliance_id=alliance_id, meta=meta, content=content, filename=filename
            )
        ]
    return import_statistics_file(
        uow=uow, actor=actor, alliance_id=alliance_id, meta=meta, content=content, filename=filename
    )


def list_datasets(*, uow: UnitOfWork, actor: Principal, alliance_id: int) -> list[DatasetRead]:
    """The imported tables the actor may see, newest first."""
    with uow:
        stmt = select(StatDataset).where(
            StatDataset.alliance_id == alliance_id, clause(actor, Action.READ, dataset_columns())
        )
        rows = uow.session.scalars(stmt.order_by(StatDataset.id.desc())).all()
        return [DatasetRead.model_validate(d) for d in rows]


def delete_dataset(*, uow: UnitOfWork, actor: Principal, dataset_id: int) -> None:
    """Remove an imported table and its values."""
    with uow:
        session = uow.session
        dataset = session.get(StatDataset, dataset_id, with_for_update=True)
        if dataset is None:
            raise DomainError(ErrorCode.NOT_FOUND)
        require_on_dataset(
            actor,
            Action.DELETE,
            dataset_facts(
                alliance_id=dataset.alliance_id,
                region_code=dataset.scope_region_code,
                visibility=dataset.visibility,
                dataset_id=dataset.id,
            ),
        )
        record_audit(
            session,
            actor=actor,
            action="report.dataset.deleted",
            entity_type="report_dataset",
            entity_id=dataset.id,
            before={"name": dataset.name, "kind": dataset.kind, "rows": dataset.row_count},
            region_code=dataset.scope_region_code,
        )
        session.delete(dataset)
        uow.commit()


def alliance_id_for(*, uow: UnitOfWork, code: str) -> int:
    """The id of an alliance by its code."""
    with uow:
        found = alliance_id_for_code(uow.session, code=code)
        if found is None:
            raise DomainError(ErrorCode.NOT_FOUND, f"no alliance {code!r}")
        return int(found)


def _stored(value: Decimal) -> Decimal:
    """A stored value without the column's trailing zeros (499167.000000 → 499167, 15.800000 → 15.8)."""
    value = Decimal(value)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _official_figures(session: Session, *, actor: Principal, alliance_id: int) -> list[Figure]:
    stmt = (
        select(StatDataset)
        .where(StatDataset.alliance_id == alliance_id)
        .options(selectinload(StatDataset.values))
        .where(clause(actor, Action.READ, dataset_columns()))
        .order_by(StatDataset.as_of, StatDataset.id)
    )
    figures: list[Figure] = []
    for dataset in session.scalars(stmt):
        kind = SourceKind.POPULATION if dataset.kind == DatasetKind.POPULATION else SourceKind.OFFICIAL
        for value in dataset.values:
            source = Source(
                kind, dataset.name, value.as_of or dataset.as_of, dataset.reference or f"dataset {dataset.id}"
            )
            figures.append(
                Figure(value.indicator, value.region_code, value.year, _stored(value.value), source)
            )
    return figures


def _lake_inputs(lake_dir: Path | None, *, year: int, provinces: Sequence[str]) -> dict[str, object]:
    """Lake counts, composition and applicants, with the lake as a source; nothing when no lake exists."""
    if lake_dir is None:
        return {}
    as_of = sources.lake_as_of(lake_dir)
    if as_of is None:
        return {}
    con = sources.open_lake(lake_dir)
    try:
        counts = sources.lake_counts(con, years=list(range(year - 5, year + 1)))
        documents = con.execute("SELECT count(*) FROM documents").fetchone()
        prefixes = sorted({p[:2] for p in provinces})
        composition = sources.lake_composition(
            con, province_prefixes=prefixes, first_year=year - 4, last_year=year
        )
        applicants = sources.lake_top_applicants(
            con, province_prefixes=prefixes, first_year=year - 4, last_year=year, limit=TOP_APPLICANTS
        )
    finally:
        con.close()
    total = int(documents[0]) if documents else 0
    source = Source(SourceKind.LAKE, f"ipops data lake ({total:,} documents)", as_of, str(lake_dir))
    return {
        "lake_counts": counts,
        "lake_source": source,
        "composition": composition,
        "top_applicants": applicants,
    }


def _members(alliance: AllianceRead) -> list[ReportRegion]:
    return [
        ReportRegion(r.code, r.name_zh, r.name_en, r.level, r.parent_code)
        for r in alliance.regions
        if r.level in ("province", "city")
    ]


def _alliance(session: Session, alliance_code: str) -> AllianceRead:
    alliance = alliance_read_by_code(session, code=alliance_code)
    if alliance is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"no alliance {alliance_code!r}")
    return alliance


def check_report_year(year: int) -> int:
    """A report year within the range the platform reports on."""
    if not 1985 <= year <= 2100:
        raise DomainError(ErrorCode.VALIDATION_ERROR, f"{year}", field="year")
    return year


def default_report_year(*, uow: UnitOfWork, actor: Principal, alliance_code: str) -> int:
    """The year the report opens on: the one with the most official figures for member regions."""
    with uow:
        session = uow.session
        alliance = _alliance(session, alliance_code)
        official = _official_figures(session, actor=actor, alliance_id=alliance.id)
        found = default_year(official, _members(alliance))
        if found is not None:
            return found
        years = [f.year for f in official if f.indicator != "population"]
        return max(years) if years else db_now(session).year - 1


def innovation_report(
    *,
    uow: UnitOfWork,
    actor: Principal,
    alliance_code: str,
    year: int,
    lake_dir: Path | None,
    tolerance: Decimal = DEFAULT_TOLERANCE,
) -> InnovationReport:
    """The alliance's innovation-strength report for a year, from the lake and the imported statistics."""
    check_report_year(year)
    with uow:
        session = uow.session
        alliance = _alliance(session, alliance_code)
        members = _members(alliance)
        official = _official_figures(session, actor=actor, alliance_id=alliance.id)
        generated_at = db_now(session)
        names = (alliance.code, alliance.name_zh, alliance.name_en)
    provinces = sorted({m.code[:2] + "0000" for m in members})
    lake = _lake_inputs(lake_dir, year=year, provinces=provinces)
    inputs = ReportInputs(
        alliance_code=names[0],
        alliance_zh=names[1],
        alliance_en=names[2],
        year=year,
        members=members,
        official=official,
        tolerance=tolerance,
        generated_at=generated_at,
        **lake,  # type: ignore[arg-type]
    )
    return build_report(inputs)


def report_data_version(
    *, uow: UnitOfWork, actor: Principal, alliance_code: str, lake_dir: Path | None
) -> str:
    """A fingerprint of everything a report is built from for this actor: datasets, members, lake, code."""
    with uow:
        session = uow.session
        alliance = _alliance(session, alliance_code)
        stmt = select(StatDataset.id, StatDataset.row_count, StatDataset.created_at).where(
            StatDataset.alliance_id == alliance.id, clause(actor, Action.READ, dataset_columns())
        )
        datasets = [f"{i}:{n}:{c.isoformat()}" for i, n, c in session.execute(stmt.order_by(StatDataset.id))]
        members = sorted(r.code for r in alliance.regions)
    parts = {
        "alliance": alliance_code,
        "datasets": datasets,
        "members": members,
        "lake": sources.lake_fingerprint(lake_dir) if lake_dir is not None else "",
        "code": code_fingerprint(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


@cache
def code_fingerprint() -> str:
    """The version of what renders a report: the package version, the templates, the catalogues and fonts."""
    from ipops import __version__
    from ipops.core.pdf import FONT_FILE
    from ipops.reports.render import TEMPLATES_DIR

    digest = hashlib.sha256(__version__.encode())
    files = [
        *sorted((TEMPLATES_DIR / "reports").glob("*")),
        *sorted((TEMPLATES_DIR.parent / "locales").rglob("*.po")),
        *sorted(Path(__file__).parent.glob("*.py")),
        FONT_FILE,
    ]
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


CNIPA_PUBLISHER = "国家知识产权局 China National Intellectual Property Administration (CNIPA)"
NBS_PUBLISHER = "国家统计局 National Bureau of Statistics of China (NBS)"
NBS_POPULATION_NAME = "NBS E0103 年末常住人口 · year-end resident population by province"
NBS_POPULATION_URL = "https://data.stats.gov.cn/easyquery.htm?cn=E0103"


def cnipa_tables() -> list[tuple[DatasetMeta, list[StatRow]]]:
    """The bundled CNIPA figures as one dataset per published table, each citing the table's address."""
    text = CNIPA_STATISTICS_CSV.read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    tables: dict[tuple[str, str], list[StatRow]] = {}
    for record in csv.DictReader(lines):
        as_of = dt.date.fromisoformat(record["as_of"])
        row = StatRow(
            record["region_code"], int(record["year"]), record["indicator"], Decimal(record["value"]), as_of
        )
        tables.setdefault((record["table_title"], record["source_url"]), []).append(row)
    return [
        (
            DatasetMeta(
                name=f"CNIPA · {title}"[:300],
                as_of=max(r.as_of for r in rows if r.as_of is not None),
                publisher=CNIPA_PUBLISHER,
                reference=url,
            ),
            rows,
        )
        for (title, url), rows in tables.items()
    ]


def nbs_population() -> tuple[DatasetMeta, list[StatRow]]:
    """The bundled NBS E0103 year-end population of the alliance's provinces."""
    rows = population_rows(NBS_POPULATION_CSV.read_bytes(), filename=NBS_POPULATION_CSV.name)
    meta = DatasetMeta(
        name=NBS_POPULATION_NAME,
        as_of=max(r.as_of for r in rows if r.as_of is not None),
        kind=DatasetKind.POPULATION,
        publisher=NBS_PUBLISHER,
        reference=NBS_POPULATION_URL,
    )
    return meta, rows


def national_figures() -> list[tuple[DatasetMeta, list[StatRow]]]:
    """The bundled national figures, one dataset per source named in the file."""
    rows = sources.read_statistics(
        NATIONAL_STATISTICS_CSV.read_bytes(), filename=NATIONAL_STATISTICS_CSV.name
    )
    groups: dict[str, list[StatRow]] = {}
    for row in rows:
        groups.setdefault(row.source or "ipops bundled national statistics", []).append(row)
    return [
        (
            DatasetMeta(
                name=name[:300],
                as_of=max((r.as_of for r in group if r.as_of is not None), default=dt.date(2023, 7, 31)),
                reference="src/ipops/data/reports/national_statistics.csv",
            ),
            group,
        )
        for name, group in groups.items()
    ]


def load_sample_statistics(
    *, uow: UnitOfWork, actor: Principal, alliance_id: int, population_csv: Path | None = None
) -> list[DatasetRead]:
    """Import the bundled CNIPA, national and NBS population figures (once per alliance), in one transaction.

    A population CSV given here (e.g. the shared NBS compilation, in tests) is imported as well.
    """
    bundled = [*cnipa_tables(), *national_figures(), nbs_population()]
    if population_csv is not None:
        rows = population_rows(population_csv.read_bytes(), filename=population_csv.name)
        meta = DatasetMeta(
            name=f"population table {population_csv.name}"[:300],
            as_of=max(r.as_of for r in rows if r.as_of is not None),
            kind=DatasetKind.POPULATION,
            publisher=NBS_PUBLISHER,
            reference=population_csv.name,
        )
        bundled.append((meta, rows))
    for meta, rows in bundled:
        _validate_rows(meta, rows)
    with uow:
        session = uow.session
        existing = set(
            session.scalars(select(StatDataset.name).where(StatDataset.alliance_id == alliance_id))
        )
        created = [
            _add_dataset(session, actor=actor, alliance_id=alliance_id, meta=meta, rows=rows)
            for meta, rows in bundled
            if meta.name not in existing
        ]
        uow.commit()
        return [DatasetRead.model_validate(d) for d in created]
