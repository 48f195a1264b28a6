"""IPC -> WIPO fields, IPC -> industry (Fraunhofer NACE and pluggable CSV tables), Nice classes."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ipops.lake.classify import (
    WIPO_CONCORDANCE_CSV,
    compact_ipc,
    load_fraunhofer_nace,
    load_industry_csv,
    load_wipo_concordance,
    nice_class,
    nice_classes,
    wipo_field,
)


@pytest.mark.parametrize(
    ("symbol", "expected"),
    [
        ("H01L 21/768", "H01L21/768"),
        ("h01l  21/768", "H01L21/768"),
        ("H04N 005/225", "H04N5/225"),
        ("G06F", "G06F"),
        ("C12N 15", "C12N15/"),
        ("H01", "H01"),
    ],
)
def test_compact_ipc(symbol: str, expected: str) -> None:
    assert compact_ipc(symbol) == expected


@pytest.mark.parametrize(
    ("symbol", "field_number", "field_en"),
    [
        ("H01L 21/768", 8, "Semiconductors"),
        # H04N is split by main group: 5/ audio-visual, 1/ telecommunications, 21/ digital communication.
        ("H04N 5/225", 2, "Audio-visual technology"),
        ("H04N 1/00", 3, "Telecommunications"),
        ("H04N 21/234", 4, "Digital communication"),
        # A61K 8/ (cosmetics) is organic fine chemistry, other A61K groups pharmaceuticals.
        ("A61K 8/02", 14, "Organic fine chemistry"),
        ("A61K 31/00", 16, "Pharmaceuticals"),
        ("G16H 50/20", 13, "Medical technology"),
        ("H01M 10/0525", 1, "Electrical machinery, apparatus, energy"),
        ("B82Y 30/00", 22, "Micro-structural and nano-technology"),
        ("G01N 33/53", 11, "Analysis of biological materials"),
        ("G01N 21/00", 10, "Measurement"),
    ],
)
def test_wipo_field_per_real_concordance(symbol: str, field_number: int, field_en: str) -> None:
    field = wipo_field(symbol)
    assert field is not None
    assert (field.number, field.name_en) == (field_number, field_en)


def test_wipo_field_unknown_symbol() -> None:
    assert wipo_field("Z99Z 1/00") is None


def test_bundled_concordance_is_the_shared_file(shared_data: Path) -> None:
    shared = shared_data / "classification" / "wipo_ipc_technology_concordance_35fields.csv"
    assert WIPO_CONCORDANCE_CSV.read_bytes() == shared.read_bytes()


def test_concordance_covers_every_row_and_field() -> None:
    with WIPO_CONCORDANCE_CSV.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    concordance = load_wipo_concordance()
    assert len(rows) == 764
    assert len(concordance.prefixes) == 764
    assert sorted(concordance.fields) == list(range(1, 36))
    semis = concordance.fields[8]
    assert (semis.name_zh, semis.sector_zh, semis.sector_en) == (
        "半导体",
        "电气工程",
        "Electrical engineering",
    )
    table = concordance.to_arrow()
    assert table.num_rows == 764
    assert "H04N5/" in table.column("ipc_prefix").to_pylist()


def test_fraunhofer_nace_shares_from_real_table(shared_data: Path) -> None:
    nace = load_fraunhofer_nace(shared_data / "classification" / "fraunhofer_nace_ipc_concordance")
    shares = nace.shares_of("H01L 21/768")
    # The real table: IPC class H01 is 40.6 % NACE 26 (computer, electronic and optical products).
    assert shares[0].industry_code == "26"
    assert shares[0].industry_name == "Manufacture of computer, electronic and optical products"
    assert shares[0].weight == pytest.approx(0.405871, abs=1e-6)
    assert shares[1].industry_code == "20"
    assert sum(s.weight for s in shares) == pytest.approx(1.0)
    pharma = {s.industry_code: s.weight for s in nace.shares_of("A61K 31/00")}
    assert pharma["21"] == pytest.approx(0.206919, abs=1e-6)
    assert nace.prefix_lengths() == [3]


def test_fraunhofer_dir_from_environment(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "IPOPS_NACE_CONCORDANCE_DIR", str(shared_data / "classification" / "fraunhofer_nace_ipc_concordance")
    )
    assert load_fraunhofer_nace().shares_of("H01L 21/00")[0].industry_code == "26"


def test_pluggable_csv_concordance_longest_prefix(tmp_path: Path) -> None:
    table = tmp_path / "gbt4754_ipc.csv"
    table.write_text(
        "ipc_prefix,industry_code,industry_name,weight\n"
        "H01,C38,电气机械和器材制造业,1\n"
        "H01M,C384,电池制造,1\n"
        "H01M 10/,C3841,锂离子电池制造,0.8\n"
        "H01M 10/,C3849,其他电池制造,0.2\n"
        "G06F,I65,软件和信息技术服务业,\n",
        encoding="utf-8",
    )
    concordance = load_industry_csv(table, name="国民经济行业分类")
    assert concordance.name == "国民经济行业分类"
    assert [(s.industry_code, s.weight) for s in concordance.shares_of("H01M 10/0525")] == [
        ("C3841", 0.8),
        ("C3849", 0.2),
    ]
    assert [s.industry_code for s in concordance.shares_of("H01M 4/36")] == ["C384"]
    assert [s.industry_code for s in concordance.shares_of("H01L 21/00")] == ["C38"]
    assert concordance.shares_of("G06F 3/00")[0].weight == 1.0
    assert concordance.shares_of("A01B 1/00") == []
    # Two distinct matched prefixes split a document evenly.
    assert concordance.distribution(["H01M 10/0525", "G06F 3/00", "H01M 10/052"]) == pytest.approx(
        {"C3841": 0.4, "C3849": 0.1, "I65": 0.5}
    )


def test_csv_concordance_requires_columns(tmp_path: Path) -> None:
    table = tmp_path / "bad.csv"
    table.write_text("ipc,code\nH01,C38\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing column"):
        load_industry_csv(table)


def test_nice_classes_from_nsf_table(shared_data: Path) -> None:
    classes = nice_classes()
    assert [c.number for c in classes] == list(range(1, 46))
    assert sum(c.kind == "goods" for c in classes) == 34
    ninth = nice_class(9)
    assert ninth.heading_en.startswith("Scientific, research, navigation, surveying")
    assert ninth.sector_en == "Scientific research, information, and communication technology"
    assert ninth.label_zh == "第9类 科学仪器"
    assert nice_class(35).label_zh == "第35类 广告销售"
    with (shared_data / "statistics" / "nsf_ncses_ip_tables" / "10583" / "data.csv").open(
        encoding="utf-8"
    ) as f:
        source = {
            int(r["nice_class"]): r["class_description"].strip() for r in csv.DictReader(f) if r["nice_class"]
        }
    assert {c.number: c.heading_en for c in classes} == source
    with pytest.raises(ValueError, match="1-45"):
        nice_class(46)
