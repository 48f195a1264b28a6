"""Innovation reports: golden values from real inputs, lake counts, reconciliation, exports, API, PDF."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.world import World, bearer

from ipops.core.audit import AuditEntry
from ipops.core.authz import SYSTEM
from ipops.core.uow import UnitOfWork
from ipops.lake.schema import TABLES
from ipops.reports import render, service
from ipops.reports.builder import ALLIANCE
from ipops.reports.figures import SourceKind
from ipops.reports.paths import shared_population_csv
from ipops.reports.schemas import DatasetMeta
from ipops.reports.sources import NATION, lake_counts, open_lake

JIANGSU_2020 = b"""region_code,year,indicator,value
320000,2019,patent_grants,314396
320000,2020,patent_grants,499167
320000,2020,invention_in_force,306400
320500,2020,patent_grants,3
"""


def _write_lake(root: Path) -> None:
    """A tiny lake: three Suzhou filings (two granted inventions), one Hangzhou design, one US document."""
    docs = [
        ("CN-1-B", "invention", "grant", "2018-0001", dt.date(2018, 3, 1), dt.date(2020, 5, 1), False),
        ("CN-2-B", "invention", "grant", "2019-0002", dt.date(2019, 4, 1), dt.date(2020, 6, 1), True),
        ("CN-3-A", "utility_model", "application", "2020-0003", dt.date(2020, 1, 9), None, False),
        ("CN-4-S", "design", "grant", "2020-0004", dt.date(2020, 2, 2), dt.date(2020, 9, 9), False),
        ("US-5-B2", "invention", "grant", "US-5", dt.date(2019, 1, 1), dt.date(2020, 1, 1), False),
    ]
    rows = [
        {
            "doc_id": d,
            "office": d[:2],
            "doc_number": d,
            "ip_type": t,
            "status": s,
            "application_number": a,
            "application_date": ad,
            "grant_date": gd,
            "filing_year": ad.year,
            "is_pct": pct,
            "pct_application_number": "PCT/CN2019/1" if pct else None,
        }
        for d, t, s, a, ad, gd, pct in docs
    ]
    parties = [
        {"doc_id": "CN-1-B", "role": "applicant", "seq": 1, "name": "苏州甲公司", "region_code": "320505"},
        {"doc_id": "CN-2-B", "role": "applicant", "seq": 1, "name": "苏州甲公司", "region_code": "320505"},
        {"doc_id": "CN-2-B", "role": "applicant", "seq": 2, "name": "杭州乙公司", "region_code": "330106"},
        {"doc_id": "CN-3-A", "role": "applicant", "seq": 1, "name": "苏州丙公司", "region_code": "320506"},
        {"doc_id": "CN-4-S", "role": "applicant", "seq": 1, "name": "杭州乙公司", "region_code": "330106"},
        {"doc_id": "US-5-B2", "role": "assignee", "seq": 1, "name": "US Corp", "region_code": None},
    ]
    classes = [
        {"doc_id": "CN-1-B", "scheme": "IPC", "symbol": "H01L 21/768", "is_main": True},
        {"doc_id": "CN-2-B", "scheme": "IPC", "symbol": "A61K 31/00", "is_main": True},
        {"doc_id": "CN-3-A", "scheme": "IPC", "symbol": "G06F 3/01", "is_main": True},
    ]
    for table, data in (("documents", rows), ("parties", parties), ("classifications", classes)):
        folder = root / table
        folder.mkdir(parents=True)
        pq.write_table(pa.Table.from_pylist(data, schema=TABLES[table]), folder / "part-0.parquet")


def test_lake_counts_attribute_first_applicant_and_dedup(tmp_path: Path) -> None:
    _write_lake(tmp_path)
    con = open_lake(tmp_path)
    counts = {(c.indicator, c.region_code, c.year): c.count for c in lake_counts(con, years=[2019, 2020])}
    assert counts[("patent_grants", "320500", 2020)] == 2  # CN-1 and CN-2, first applicant in Suzhou
    assert counts[("patent_grants", "330100", 2020)] == 1  # the design
    assert counts[("invention_in_force", "320000", 2020)] == 2
    assert (
        counts[("invention_in_force", "320000", 2019)] == 0
        if ("invention_in_force", "320000", 2019) in counts
        else True
    )
    assert counts[("pct_applications", "320000", 2019)] == 1
    assert counts[("patent_applications", "320500", 2020)] == 1  # CN-3 filed 2020
    assert counts[("patent_grants", NATION, 2020)] == 3  # the US document has no Chinese region


def _import(uow: UnitOfWork, world: World, content: bytes, name: str, *, population: bool = False) -> None:
    meta = DatasetMeta(name=name, as_of=dt.date(2021, 4, 26), publisher="test")
    if population:
        service.import_population_file(
            uow=uow,
            actor=world.users["alliance_admin"],
            alliance_id=world.alliance_id,
            meta=meta,
            content=content,
            filename="population.csv",
        )
    else:
        service.import_statistics_file(
            uow=uow,
            actor=world.users["alliance_admin"],
            alliance_id=world.alliance_id,
            meta=meta,
            content=content,
            filename="stats.csv",
        )


def test_golden_values_from_real_population(
    uow: UnitOfWork, world: World, shared_data: Path, tmp_path: Path
) -> None:
    service.load_sample_statistics(
        uow=uow, actor=SYSTEM, alliance_id=world.alliance_id, population_csv=shared_population_csv()
    )
    _import(uow, world, JIANGSU_2020, "Jiangsu IP office 2020 bulletin")
    _write_lake(tmp_path / "lake")
    report = service.innovation_report(
        uow=uow,
        actor=world.users["alliance_admin"],
        alliance_code="yrd-test",
        year=2020,
        lake_dir=tmp_path / "lake",
    )
    # By hand: NBS year-end 2020 Jiangsu 8,477 (10k); 306,400 / 8,477 = 36.14486; / 15.8 = 2.287649
    per_10k = report.cell("invention_in_force_per_10k", "320000")
    assert per_10k.figure is not None
    assert per_10k.figure.value.quantize(Decimal("0.0001")) == Decimal("36.1449")
    assert per_10k.figure.source.kind == SourceKind.DERIVED
    assert per_10k.figure.as_of == dt.date(2020, 12, 31)  # the oldest input: the population's year end
    ratio = report.value("invention_in_force_per_10k_vs_nation", "320000")
    assert ratio is not None and ratio.quantize(Decimal("0.0001")) == Decimal("2.2876")
    growth = report.value("patent_grants_yoy", "320000")
    assert growth is not None and growth.quantize(Decimal("0.01")) == Decimal("58.77")
    # Alliance population = Shanghai 2,488 + Jiangsu 8,477 + Zhejiang 6,468 (the test alliance's provinces)
    assert report.value("population", ALLIANCE) == Decimal(17433)
    # Suzhou: official 3 grants vs the lake's 2 → −33.3 %, flagged beyond 5 %
    suzhou = report.cell("patent_grants", "320500")
    assert suzhou.figure is not None and suzhou.figure.source.kind == SourceKind.OFFICIAL
    assert suzhou.reconciliation is not None and suzhou.reconciliation.flagged
    assert suzhou.reconciliation.relative is not None
    assert suzhou.reconciliation.relative.quantize(Decimal("0.0001")) == Decimal("-0.3333")
    # Hangzhou has no official figure: the lake's count is reported, named as the lake's
    hangzhou = report.cell("patent_grants", "330100")
    assert hangzhou.figure is not None and hangzhou.figure.source.kind == SourceKind.LAKE
    assert report.top_applicants[0].name == "苏州甲公司"
    assert {row.sector_en for row in report.composition} >= {"Electrical engineering", "Chemistry"}
    # Every figure names a source and an as-of date
    assert all(c.figure is None or (c.figure.source.name and c.figure.as_of) for c in report.cells.values())
    tables = {t.name: t for t in render.report_tables(report)}
    assert {"figures", "summary", "cities", "rankings", "reconciliation", "sources"} <= set(tables)
    assert "36.14" in render.render_document(report)
    assert "<svg" in render.render_whitepaper_document(report, province_code="320000")


def test_import_is_audited_and_scoped(uow: UnitOfWork, world: World, db_session: object) -> None:
    _import(uow, world, JIANGSU_2020, "Jiangsu bulletin")
    from ipops.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        service.import_statistics_file(
            uow=uow,
            actor=world.users["suzhou_admin"],
            alliance_id=world.alliance_id,
            meta=DatasetMeta(name="x", as_of=dt.date(2021, 1, 1), scope_region_code="320500"),
            content=JIANGSU_2020,
            filename="x.csv",
        )
    assert refused.value.code.value == "validation_error"  # rows outside Suzhou
    with pytest.raises(DomainError) as forbidden:
        _import(
            uow,
            World(world.alliance_id, 0, users={"alliance_admin": world.users["ent_admin"]}),
            JIANGSU_2020,
            "y",
        )
    assert forbidden.value.code.value in ("forbidden", "not_found")
    with uow:
        actions = uow.session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_type == "report_dataset")
        ).all()
    assert list(actions) == ["report.dataset.imported"]


def test_api_pages_exports_and_pdf(client: TestClient, world: World) -> None:
    headers = bearer(client, "alliance_admin")
    created = client.post(
        "/api/v1/reports/datasets",
        headers=headers,
        data={"name": "Jiangsu bulletin", "as_of": "2021-04-26"},
        files={"file": ("jiangsu.csv", JIANGSU_2020, "text/csv")},
    )
    assert created.status_code == 201, created.text
    assert created.json()[0]["row_count"] == 4
    report = client.get("/api/v1/reports/innovation", params={"alliance": "yrd-test", "year": 2020}).json()
    grants = next(
        f
        for f in report["figures"]
        if f["indicator"] == "patent_grants" and f["region_code"] == "320000" and f["year"] == 2020
    )
    assert grants["value"] == "499167"
    assert grants["source"] == "Jiangsu bulletin" and grants["as_of"] == "2021-04-26"
    csv_text = client.get(
        "/api/v1/reports/innovation.csv", params={"alliance": "yrd-test", "year": 2020}
    ).text
    assert csv_text.startswith("indicator,indicator_name,region_code")
    xlsx = client.get("/api/v1/reports/innovation.xlsx", params={"alliance": "yrd-test", "year": 2020})
    from openpyxl import load_workbook

    assert "reconciliation" in load_workbook(io.BytesIO(xlsx.content)).sheetnames
    page = client.get(
        "/reports/innovation", params={"alliance": "yrd-test", "year": 2020}, headers={"accept": "text/html"}
    )
    assert page.status_code == 200
    assert page.text.count('class="chart"') == 5 and "官 2021-04-26" in page.text
    pdf = client.get("/reports/innovation.pdf", params={"alliance": "yrd-test", "year": 2020})
    assert pdf.headers["content-type"] == "application/pdf"
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf.content))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert len(reader.pages) >= 3
    for heading in ("主要指标", "Key indicators", "来源核对", "Reconciliation of sources", "数据来源"):
        assert heading in text
    audit_page = client.get("/reports/audit", headers={"accept": "text/html"})
    assert 'data-verdict="period_mismatch"' in audit_page.text
    assert (
        client.get("/api/v1/reports/innovation", params={"alliance": "nope", "year": 2020}).status_code == 404
    )


def test_statistics_tables_page_imports_and_refuses_with_reasons(client: TestClient, world: World) -> None:
    admin = {**bearer(client, "alliance_admin"), "accept": "text/html", "accept-language": "zh-CN"}
    empty = client.get("/reports/datasets", headers=admin)
    assert empty.status_code == 200 and "尚未导入统计表" in empty.text
    bad = client.post(
        "/reports/datasets",
        headers=admin,
        data={"name": "broken", "as_of": "2021-04-26"},
        files={"file": ("broken.csv", b"city,when\n320000,2020\n", "text/csv")},
    )
    assert bad.status_code == 422 and "region_code and year" in bad.text and "尚未导入统计表" in bad.text
    done = client.post(
        "/reports/datasets",
        headers=admin,
        data={"name": "Jiangsu bulletin", "as_of": "2021-04-26", "publisher": "江苏省知识产权局"},
        files={"file": ("jiangsu.csv", JIANGSU_2020, "text/csv")},
    )
    assert done.status_code == 200 and "已导入" in done.text
    assert "Jiangsu bulletin" in done.text and "江苏省知识产权局" in done.text and "2021-04-26" in done.text
    member = {**bearer(client, "ent_admin"), "accept": "text/html"}
    refused = client.post(
        "/reports/datasets",
        headers=member,
        data={"name": "mine", "as_of": "2021-04-26"},
        files={"file": ("jiangsu.csv", JIANGSU_2020, "text/csv")},
    )
    # an enterprise gets no import form, and a posted one is refused with the policy's reason
    assert refused.status_code == 403 and "无权执行此操作" in refused.text
    assert (
        "<form"
        not in client.get("/reports/datasets", headers=member).text.split("<main>", 1)[-1].split("</main>")[0]
    )
    assert client.get(
        "/reports/datasets", headers={"accept": "text/html"}, follow_redirects=False
    ).status_code in (
        303,
        401,
    )
