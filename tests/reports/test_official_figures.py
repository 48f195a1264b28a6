"""The sample report on CNIPA's and NBS's published figures: values, sources, coverage and "no data".

Expected figures are typed out from the source tables, not taken from the code:
CNIPA monthly statistics, December 2016, Table 8 "Distribution of Valid Inventions from Home" (Valid Number
column), and NBS table E0103 year-end resident population 2016 (10,000 persons). Densities by hand:
85,049 / 2,467 = 34.4747; 146,859 / 8,381 = 17.5228; 91,373 / 6,072 = 15.0483; 39,104 / 6,033 = 6.4817.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ipops.reports.builder import ReportInputs, ReportRegion, build_report
from ipops.reports.figures import Figure, Source, SourceKind
from ipops.reports.sources import LakeCount

TABLE_8 = "http://english.sipo.gov.cn/statistics/2016s/201612/1067784.htm"
# province: (name, inventions in force end-2016, population end-2016 in 10k, density to two places)
EXPECTED_2016 = {
    "310000": ("上海市", "85,049", "2,467", "34.47"),
    "320000": ("江苏省", "146,859", "8,381", "17.52"),
    "330000": ("浙江省", "91,373", "6,072", "15.05"),
    "340000": ("安徽省", "39,104", "6,033", "6.48"),
}


@pytest.fixture(scope="module")
def sample_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app over the sample alliance as `make run` loads it (no lake ingested)."""
    from ipops.core.config import Settings
    from ipops.sample import load_sample_data
    from ipops.web.app import create_app

    root = tmp_path_factory.mktemp("sample")
    url = f"sqlite:///{root / 'ipops.db'}"
    load_sample_data(database_url=url)
    app = create_app(settings=Settings(env="test", database_url=url, lake_dir=root / "lake"))
    with TestClient(app, base_url="http://testserver") as client:
        yield client


def _cell(html: str, indicator: str, region: str) -> str:
    row = html.split(f'<tr data-indicator="{indicator}">', 1)[1].split("</tr>", 1)[0]
    return row.split(f'data-region="{region}"', 1)[1].split("</td>", 1)[0]


def test_sample_report_2016_shows_official_inventions_in_force_and_densities(
    sample_client: TestClient,
) -> None:
    zh = {"accept": "text/html", "accept-language": "zh-CN"}
    page = sample_client.get("/reports/innovation", headers=zh)  # the default year is the one with data
    assert page.status_code == 200
    assert "创新能力报告 2016" in page.text
    for code, (_, stock, population, density) in EXPECTED_2016.items():
        assert stock in _cell(page.text, "invention_in_force", code)
        assert "官[" in _cell(page.text, "invention_in_force", code)
        rate = _cell(page.text, "invention_in_force_per_10k", code)
        assert density in rate and f"{stock} / {population} (10k)" in rate
        assert population in _cell(page.text, "population", code)
    assert TABLE_8 in page.text  # the source table is cited with its address
    assert "国家统计局" in page.text and "E0103" in page.text
    # Unknown is "no data", never 0: CNIPA's 2016 invention applications total includes HK, Macao, Taiwan
    assert "暂无数据" in _cell(page.text, "invention_applications", "CN")
    assert "1,204,981" in _cell(page.text, "invention_applications", "CNHMT")
    assert "暂无数据" in _cell(page.text, "high_value_inventions_per_10k", "320000")
    assert "数据湖也无法判定这些条件" in page.text  # why the high-value KPI has no data
    english = sample_client.get(
        "/reports/innovation?year=2016", headers={"accept": "text/html", "accept-language": "en"}
    )
    assert "no data" in _cell(english.text, "invention_applications", "CN")


def test_sample_report_2016_csv_and_xlsx_carry_the_figures_and_no_data(sample_client: TestClient) -> None:
    params = {"alliance": "yrd", "year": 2016}
    figures = list(
        csv.DictReader(io.StringIO(sample_client.get("/api/v1/reports/innovation.csv", params=params).text))
    )
    by_key = {(r["indicator"], r["region_code"], r["year"]): r for r in figures}
    for code, (_, stock, _population, density) in EXPECTED_2016.items():
        row = by_key[("invention_in_force", code, "2016")]
        assert row["value"] == stock.replace(",", "")
        assert row["source_kind"] == "official" and row["source_reference"] == TABLE_8
        rate = by_key[("invention_in_force_per_10k", code, "2016")]
        assert Decimal(rate["value"]).quantize(Decimal("0.01")) == Decimal(density)
        assert "E0103" in rate["source"] and rate["source_kind"] == "derived"
    summary = list(
        csv.reader(
            io.StringIO(
                sample_client.get(
                    "/api/v1/reports/innovation.csv",
                    params={**params, "table": "summary"},
                    headers={"accept-language": "zh-CN"},
                ).text
            )
        )
    )
    header, rows = summary[0], {r[0]: r for r in summary[1:]}
    nation = header.index("CN 全国")
    assert rows["invention_applications"][nation] == "暂无数据"  # not 0, not empty
    assert rows["invention_in_force"][header.index("320000 江苏省")] == "146859"
    from openpyxl import load_workbook

    book = load_workbook(
        io.BytesIO(sample_client.get("/api/v1/reports/innovation.xlsx", params=params).content),
        read_only=True,
    )
    sheet = [list(r) for r in book["summary"].iter_rows(values_only=True)]
    xlsx_rows = {r[0]: r for r in sheet[1:]}
    assert xlsx_rows["invention_applications"][sheet[0].index("CN 全国")] == "暂无数据"
    assert xlsx_rows["invention_in_force"][sheet[0].index("320000 江苏省")] == 146859
    coverage = list(
        csv.reader(
            io.StringIO(
                sample_client.get(
                    "/api/v1/reports/innovation.csv", params={**params, "table": "coverage"}
                ).text
            )
        )
    )
    years = coverage[0]
    pct = next(r for r in coverage if r[0] == "pct_applications")
    assert "320000" in pct[years.index("2016")] and "320000" in pct[years.index("2022")]
    assert pct[years.index("2019")] == "暂无数据"


def test_sample_report_2016_pdf_text_has_the_figures_and_sources(sample_client: TestClient) -> None:
    from pypdf import PdfReader

    pdf = sample_client.get("/reports/innovation.pdf", params={"year": 2016})
    assert pdf.status_code == 200, pdf.text
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for _, stock, _population, density in EXPECTED_2016.values():
        assert stock in text and density in text
    assert "有效发明专利量" in text and "每万人口发明专利拥有量" in text
    assert "1067784.htm" in text and "E0103" in text
    assert "暂无数据" in text


def test_coverage_years_and_default_year_of_the_sample(sample_client: TestClient) -> None:
    page = sample_client.get(
        "/reports/innovation", headers={"accept": "text/html", "accept-language": "zh-CN"}
    )
    coverage = page.text.split('<table class="figures coverage">', 1)[1].split("</table>", 1)[0]
    assert all(
        f"<th>{y}</th>" in coverage or f'<th class="current">{y}</th>' in coverage for y in range(2014, 2024)
    )
    row = coverage.split('<tr data-indicator="utility_model_in_force">', 1)[1].split("</tr>", 1)[0]
    assert '<td class="cov" data-year="2017">4/4' in row and '<td class="cov" data-year="2021">4/4' in row
    assert '<td class="cov" data-year="2019">全国*</td>' in row  # CNIPA's national total only
    assert '<td class="cov nodata" data-year="2023">—</td>' in row
    bad = sample_client.get(
        "/reports/innovation?year=abc", headers={"accept": "text/html", "accept-language": "zh-CN"}
    )
    assert bad.status_code == 422 and "<html" in bad.text.lower()  # an error page, not raw JSON
    assert "报告年度应为 1985 到 2100 之间的整数" in bad.text and "abc" in bad.text


def test_the_seed_statements_stay_published_statements_in_the_audit(sample_client: TestClient) -> None:
    audit = sample_client.get("/reports/audit", headers={"accept": "text/html", "accept-language": "zh-CN"})
    assert "2020 年江苏专利授权 499,167 件" in audit.text
    assert 'data-verdict="period_mismatch"' in audit.text


def _official(indicator: str, code: str, year: int, value: int) -> Figure:
    import datetime as dt

    return Figure(
        indicator, code, year, Decimal(value), Source(SourceKind.OFFICIAL, "t", dt.date(year, 12, 31))
    )


def test_a_region_without_lake_documents_is_no_data_and_named() -> None:
    import datetime as dt

    members = [
        ReportRegion("320000", "江苏省", "Jiangsu", "province"),
        ReportRegion("330000", "浙江省", "Zhejiang", "province"),
        ReportRegion("320500", "苏州市", "Suzhou", "city", "320000"),
    ]
    lake = Source(SourceKind.LAKE, "lake", dt.date(2021, 1, 1))
    counts = [
        LakeCount("patent_applications", "320500", 2020, 3),
        LakeCount("patent_applications", "320000", 2020, 3),
        LakeCount("patent_applications", "CN", 2020, 3),
    ]
    report = build_report(
        ReportInputs("a", "联盟", "Alliance", 2020, members, [], lake_counts=counts, lake_source=lake)
    )
    assert report.value("patent_applications", "320000", 2020) == 3
    assert report.value("patent_grants", "320000", 2020) == 0  # the lake holds Jiangsu's 2020 filings
    assert report.value("patent_applications", "330000", 2020) is None  # nothing in the lake: unknown
    assert report.value("patent_applications", "320000", 2019) is None  # no Jiangsu documents in 2019
    assert report.lake_gaps == ["330000"]
    assert report.value("patent_applications", "ALLIANCE", 2020) is None  # a total needs every member


def test_default_year_is_the_one_with_most_member_figures() -> None:
    from ipops.reports.builder import default_year

    members = [ReportRegion("320000", "江苏省", "Jiangsu", "province")]
    official = [
        _official("pct_applications", "320000", 2016, 1),
        _official("invention_in_force", "320000", 2016, 1),
        _official("pct_applications", "320000", 2022, 1),
        _official("invention_in_force", "CN", 2022, 1),
        _official("population", "320000", 2023, 1),
    ]
    assert default_year(official, members) == 2016
    assert default_year([], members) is None


def test_bundled_cnipa_rows_are_the_shared_published_rows(shared_data: Path) -> None:
    bundled = Path(__file__).resolve().parents[2] / "src/ipops/data/reports/cnipa_provincial_statistics.csv"
    rows = list(csv.DictReader(line for line in bundled.open(encoding="utf-8") if not line.startswith("#")))
    names = {"上海": "310000", "江苏": "320000", "浙江": "330000", "安徽": "340000"}
    names |= {"全国总计(不含港澳台)": "CN", "全国总计": "CNHMT"}
    published: dict[tuple[str, str, str], tuple[str, str]] = {}
    for name in ("cnipa_monthly_2016-12_province_stats.csv", "cnipa_annual_report_province_stats.csv"):
        for row in csv.DictReader((shared_data / "statistics/cnipa_official" / name).open(encoding="utf-8")):
            if row["region_name_zh"] in names:
                key = (names[row["region_name_zh"]], row["year"], row["indicator"])
                published.setdefault(key, (row["value"], row["source_url"]))
    assert {
        (r["region_code"], r["year"], r["indicator"]): (r["value"], r["source_url"]) for r in rows
    } == published
    assert published[("320000", "2016", "invention_in_force")] == ("146859", TABLE_8)


def test_cli_writes_under_var_prints_no_data_and_refuses_a_pdf_with_missing_glyphs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from ipops.core.config import get_settings
    from ipops.reports.cli import report_app
    from ipops.sample import load_sample_data

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    load_sample_data(database_url=url)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IPOPS_DATABASE_URL", url)
    monkeypatch.setenv("IPOPS_LAKE_DIR", str(tmp_path / "lake"))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        done = runner.invoke(report_app, ["innovation", "--format", "csv"], env={"COLUMNS": "200"})
        assert done.exit_code == 0, done.output
        assert (tmp_path / "var/reports/yrd-2016/summary.csv").is_file()  # the default year, under var/
        assert not list(tmp_path.glob("yrd-*"))  # nothing at the top of the checkout
        assert "146,859" in done.output and "17.52" in done.output and "暂无数据" in done.output
        imported = runner.invoke(
            report_app,
            [
                "import-stats",
                str(_rare_named_table(tmp_path)),
                "--name",
                "\U0002000b 统计",
                "--as-of",
                "2017-01-01",
            ],
        )
        assert imported.exit_code == 0, imported.output
        refused = runner.invoke(report_app, ["innovation", "--format", "pdf", "--year", "2016"])
        assert refused.exit_code == 2
        assert "PDF 字体缺少以下字符" in refused.output and "U+2000B" in refused.output
        assert "✓" not in refused.output and not (tmp_path / "var/reports/yrd-2016.pdf").exists()
    finally:
        get_settings.cache_clear()


def _rare_named_table(folder: Path) -> Path:
    path = folder / "rare.csv"
    path.write_text("region_code,year,indicator,value\n320000,2016,pct_applications,3213\n", encoding="utf-8")
    return path
