"""The figure audit: the seed statements' verdicts and arithmetic, tolerances, and the CLI."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from ipops.reports.audit import (
    AuditFileError,
    ClaimKind,
    Verdict,
    audit,
    half_unit,
    load_audit_file,
    parse_audit_file,
    with_population,
)
from ipops.reports.cli import report_app
from ipops.reports.paths import SEED_AUDIT_FILE, shared_population_csv


def _seed_results() -> dict[tuple[str, str], object]:
    result = audit(load_audit_file(SEED_AUDIT_FILE))
    return {(s.statement.id, c.claim_id): c for s in result.statements for c in s.claims}


def test_yrd_ratio_holds_only_against_end_2019() -> None:
    claims = _seed_results()
    ratio = claims[("yrd-invention-density-2020", "vs-national")]
    assert ratio.verdict == Verdict.PERIOD_MISMATCH  # type: ignore[attr-defined]
    implied = ratio.implied  # type: ignore[attr-defined]
    # By hand: 30.88 / 15.8 = 1.95443…, 30.88 / 13.3 = 2.32180…
    assert implied["ratio_vs_2020"] == Decimal("1.9544")
    assert implied["ratio_vs_2019"] == Decimal("2.3218")
    assert implied["invention_in_force_per_10k_implied"] == Decimal("13.43")  # 30.88 / 2.3
    assert "holds only against end-2019" in ratio.summary  # type: ignore[attr-defined]


def test_yrd_density_implies_the_numerator_from_population() -> None:
    density = _seed_results()[("yrd-invention-density-2020", "density")]
    assert density.verdict == Verdict.UNVERIFIABLE  # type: ignore[attr-defined]
    # 2488 + 8477 + 6468 + 6105 = 23,538 (10k persons); 30.88 × 23,538 = 726,853.44
    assert density.implied["invention_in_force"] == Decimal("726853")  # type: ignore[attr-defined]
    assert any("= 23,538" in step for step in density.steps)  # type: ignore[attr-defined]


def test_jiangsu_growth_bases_are_implied_and_internally_consistent() -> None:
    claims = _seed_results()
    grants = claims[("jiangsu-2020", "grants-growth")]
    pct = claims[("jiangsu-2020", "pct-growth")]
    density = claims[("jiangsu-2020", "density")]
    assert grants.implied["patent_grants_2019"] == Decimal("314396.3")  # type: ignore[attr-defined]
    assert pct.implied["pct_applications_2019"] == Decimal("6634.9")  # type: ignore[attr-defined]
    assert density.implied["invention_in_force"] == Decimal("306359")  # type: ignore[attr-defined]
    assert "internally consistent" in grants.summary  # type: ignore[attr-defined]
    assert all(
        c.verdict == Verdict.UNVERIFIABLE  # type: ignore[attr-defined]
        for (sid, _), c in claims.items()
        if sid == "jiangsu-2020"
    )


def _one_statement(claims: str, references: str = "") -> str:
    return f"""
{references}
[[statement]]
id = "s"
regions = ["320000"]
year = 2020
{claims}
"""


def test_growth_is_confirmed_or_refuted_by_an_independent_base(tmp_path: Path) -> None:
    claims = """
[[statement.claim]]
id = "g"
kind = "level"
indicator = "patent_grants"
value = 499167
[[statement.claim]]
id = "gg"
kind = "growth"
of = "g"
value = 58.77
"""
    for base, verdict in (("314396", Verdict.CONSISTENT), ("300000", Verdict.INCONSISTENT)):
        refs = f"""
[[reference]]
name = "patent_grants"
region = "320000"
year = 2019
value = {base}
as_of = 2019-12-31
source = "test"
"""
        path = tmp_path / "a.toml"
        path.write_text(_one_statement(claims, refs), encoding="utf-8")
        result = audit(load_audit_file(path))
        assert result.statements[0].claims[1].verdict == verdict


def test_per_10k_with_an_independent_count(tmp_path: Path) -> None:
    refs = """
[[reference]]
name = "population"
region = "320000"
year = 2020
value = 8477
as_of = 2020-12-31
source = "NBS"
[[reference]]
name = "invention_in_force"
region = "320000"
year = 2020
value = 306400
as_of = 2020-12-31
source = "office"
"""
    claims = """
[[statement.claim]]
kind = "per_10k"
indicator = "invention_in_force"
value = 36.14
"""
    path = tmp_path / "a.toml"
    path.write_text(_one_statement(claims, refs), encoding="utf-8")
    # 306,400 / 8,477 = 36.1449… within ±0.005 of 36.14
    assert audit(load_audit_file(path)).statements[0].claims[0].verdict == Verdict.CONSISTENT
    path.write_text(_one_statement(claims, refs.replace("306400", "310000")), encoding="utf-8")
    assert audit(load_audit_file(path)).statements[0].claims[0].verdict == Verdict.INCONSISTENT


def test_population_table_fills_missing_references(shared_data: Path) -> None:
    from ipops.core.regions import load_population_csv

    table = load_population_csv(shared_population_csv())
    file = parse_audit_file(
        {
            "statement": [
                {
                    "id": "js",
                    "regions": ["320000"],
                    "year": 2019,
                    "claim": [{"kind": "per_10k", "indicator": "invention_in_force", "value": "30.00"}],
                }
            ]
        }
    )
    result = audit(with_population(file, table.values, source="NBS"))
    # Jiangsu year-end 2019 population 8,469 (10k); 30.00 × 8,469 = 254,070
    assert result.statements[0].claims[0].implied["invention_in_force"] == Decimal("254070")


def test_malformed_files_name_the_faulty_claim() -> None:
    with pytest.raises(AuditFileError, match="statement s claim 1"):
        parse_audit_file(
            {"statement": [{"id": "s", "regions": ["1"], "year": 2020, "claim": [{"kind": "x"}]}]}
        )
    with pytest.raises(AuditFileError, match="'of' must name"):
        parse_audit_file(
            {
                "statement": [
                    {"id": "s", "regions": ["1"], "year": 2020, "claim": [{"kind": "ratio", "value": "2"}]}
                ]
            }
        )


@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10**6), places=3, allow_nan=False))
def test_a_stated_ratio_is_consistent_with_its_own_implied_reference(stated: Decimal) -> None:
    ratio = stated.quantize(Decimal("0.1"))
    if ratio <= 0:
        return
    numerator = Decimal("30.88")
    reference = numerator / ratio
    file = parse_audit_file(
        {
            "reference": [
                {
                    "name": "r",
                    "region": "CN",
                    "year": 2020,
                    "value": str(reference),
                    "as_of": dt.date(2020, 12, 31),
                }
            ],
            "statement": [
                {
                    "id": "s",
                    "regions": ["320000"],
                    "year": 2020,
                    "claim": [
                        {"id": "d", "kind": "per_10k", "indicator": "x", "value": str(numerator)},
                        {"kind": "ratio", "of": "d", "reference": "r", "value": str(ratio)},
                    ],
                }
            ],
        }
    )
    claim = audit(file).statements[0].claims[1]
    assert claim.kind == ClaimKind.RATIO
    assert claim.verdict == Verdict.CONSISTENT
    assert half_unit(ratio) == Decimal("0.05")


def test_cli_prints_the_arithmetic_and_fails_strictly() -> None:
    runner = CliRunner()
    result = runner.invoke(report_app, ["audit", str(SEED_AUDIT_FILE), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "30.88 / 15.8 = 1.9544 → 1.95×" in result.output
    assert "30.88 / 13.3 = 2.3218 → 2.32×" in result.output
    assert "499,167 / 1.5877 = 314,396.3" in result.output
    assert "9,606 / 1.4478 = 6,634.9" in result.output
    chinese = runner.invoke(report_app, ["audit", str(SEED_AUDIT_FILE)]).output  # Chinese by default
    assert "30.88 / 15.8 = 1.9544 → 1.95 倍 ≠ 2.3 倍" in chinese
    assert "推算 2019 年基数 = 499,167 / (1 + 58.77%) = 499,167 / 1.5877 = 314,396.3" in chinese
    assert "2020 年不一致：相对 2020 年末（15.8）为 1.95 倍；2.3 倍只在相对 2019 年末 时成立" in chinese
    assert runner.invoke(report_app, ["audit", "--strict"]).exit_code == 1
    as_json = runner.invoke(report_app, ["audit", "--json"])
    assert '"period_mismatch": 1' in as_json.output
