"""CNIPA (new business:/base: schema, old cn-patent-document), JPO gazettes, ST.96 patents, region codes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ipops.lake.ingest import parse_file
from ipops.lake.parsers.china_regions import CITIES, PROVINCES, province_code, region_code_for

FOLDER = "patents/cnipa_jpo_wipo_st36_st96_PatentStandardization"


def test_cnipa_new_schema(shared_data: Path) -> None:
    batch, quarantine = parse_file(shared_data / FOLDER / "examples/cn_new2.xml")
    assert quarantine == []
    (doc,) = batch.documents
    assert doc["doc_id"] == "CN-113783949-A"
    assert (doc["status"], doc["ip_type"], doc["language"]) == ("application", "invention", "zh")
    assert doc["publication_date"] == dt.date(2021, 12, 10)
    assert doc["application_number"] == "202110991218.8"
    assert doc["application_date"] == dt.date(2021, 8, 26)
    assert doc["title"] == "一种基于合约管理的跨链去中心化方法"
    assert doc["claims_count"] == 10
    assert doc["source_format"] == "cnipa-new-2.2.1"
    assert [(c["symbol"], c["is_main"]) for c in batch.classifications][0] == ("H04L 29/08", True)
    applicant = next(p for p in batch.parties if p["role"] == "applicant")
    # 311200 浙江省杭州市萧山区...: Hangzhou (330100), a prefecture-level city of Zhejiang (330000)
    assert (applicant["name"], applicant["country"], applicant["region_code"]) == (
        "浙商银行股份有限公司",
        "CN",
        "330100",
    )
    assert [p["name"] for p in batch.parties if p["role"] == "inventor"] == ["陈嘉俊", "臧铖", "郭东升"]


def test_cnipa_new_schema_pct_national_phase(shared_data: Path) -> None:
    batch, _ = parse_file(shared_data / FOLDER / "examples/cn_new3.xml")
    (doc,) = batch.documents
    assert doc["doc_id"] == "CN-113784721-A"
    assert doc["is_pct"] is True
    assert doc["pct_application_number"] == "PCT/US2021/019468"
    assert doc["claims_count"] == 111
    assert len(batch.priorities) == 8
    assert batch.priorities[0] == {
        "doc_id": "CN-113784721-A",
        "office": "US",
        "number": "62/982,670",
        "date": dt.date(2020, 2, 27),
    }
    applicant = next(p for p in batch.parties if p["role"] == "applicant")
    assert (applicant["country"], applicant["region_code"]) == ("US", None)


def test_cnipa_old_schema(shared_data: Path) -> None:
    batch, quarantine = parse_file(shared_data / FOLDER / "examples/cn_old1.xml")  # starts with a BOM
    assert quarantine == []
    (doc,) = batch.documents
    assert doc["doc_id"] == "CN-104223352-A"
    assert doc["application_number"] == "201410408762.5"
    assert doc["application_date"] == dt.date(2014, 8, 19)
    assert doc["title"] == "一种甘草发酵所得烟用香料及其应用"
    assert doc["claims_count"] == 3
    assert doc["source_format"] == "cnipa-old"
    assert batch.classifications[0]["symbol"] == "A24B 15/18"
    applicant = next(p for p in batch.parties if p["role"] == "applicant")
    assert (applicant["name"], applicant["region_code"]) == ("云南中烟工业有限责任公司", "530100")  # 昆明市
    agent = next(p for p in batch.parties if p["role"] == "agent")
    assert agent["name"] == "昆明协立知识产权代理事务所(普通合伙) 53108"


def test_cnipa_old_schema_priorities_and_pct(shared_data: Path) -> None:
    batch, _ = parse_file(shared_data / FOLDER / "examples/cn_old2.xml")
    (doc,) = batch.documents
    assert doc["pct_application_number"] == "PCT/KR2014/002669"
    assert doc["is_pct"] is True
    assert (batch.priorities[0]["office"], batch.priorities[0]["number"]) == ("KR", "10-2013-0033547")


def test_all_cnipa_documents_parse(shared_data: Path) -> None:
    files = sorted((shared_data / FOLDER).rglob("cn_*.xml")) + sorted(
        (shared_data / FOLDER).rglob("*CN*.XML")
    )
    files += [shared_data / FOLDER / "st36_wipo_examples/cn_old/200880114428_A.xml"]
    docs = [d for f in files for d in parse_file(f)[0].documents]
    assert len(docs) == 9
    assert {d["office"] for d in docs} == {"CN"}


def test_jpo_gazette(shared_data: Path) -> None:
    batch, quarantine = parse_file(shared_data / FOLDER / "examples/jp_example1.xml")
    assert quarantine == []
    (doc,) = batch.documents
    assert doc["doc_id"] == "JP-2021044377-A"
    assert doc["title"] == "ウェーハの加工方法"
    assert doc["application_number"] == "2019165329"
    assert doc["application_date"] == dt.date(2019, 9, 11)
    assert doc["claims_count"] == 6
    assert [(c["symbol"], c["is_main"]) for c in batch.classifications][:2] == [
        ("H01L 21/301", True),
        ("H01L 21/67", False),
    ]
    assert [p["name"] for p in batch.parties if p["role"] == "applicant"] == ["株式会社ディスコ"]


def test_jpo_gazette_pct(shared_data: Path) -> None:
    batch, _ = parse_file(shared_data / FOLDER / "examples/jp_example4.xml")
    assert batch.documents[0]["is_pct"] is True
    assert [p["number"] for p in batch.priorities][:1] == ["10-2018-0000830"]


def test_wipo_st96_patent_publication(shared_data: Path) -> None:
    batch, _ = parse_file(shared_data / FOLDER / "03-96-vii-example-instances/PatentPublication_Example.xml")
    (doc,) = batch.documents
    assert doc["doc_id"] == "US-08936998-B2"
    assert doc["publication_date"] == dt.date(2015, 1, 20)
    assert doc["application_number"] == "13797521"
    assert doc["claims_count"] == 10
    assert doc["pct_application_number"] == "PCT/JP2008/068544"
    assert doc["source_format"] == "wipo-st96-V6_0"
    ipc_main = [c["symbol"] for c in batch.classifications if c["scheme"] == "IPC" and c["is_main"]]
    cpc_main = [c["symbol"] for c in batch.classifications if c["scheme"] == "CPC" and c["is_main"]]
    assert (ipc_main, cpc_main) == (["H01L 21/30"], ["H01L 21/2007"])
    assert batch.priorities[0]["number"] == "2007-290922"
    assert batch.citations[0]["cited_number"] == "06054363"
    assert batch.citations[0]["category"] == "cited by applicant"
    assert (
        next(p["name"] for p in batch.parties if p["role"] == "assignee")
        == "Mitsubishi Heavy Industries, Ltd."
    )


def test_st96_design_application(shared_data: Path) -> None:
    batch, quarantine = parse_file(
        shared_data / FOLDER / "03-96-vii-example-instances/DesignApplication_Example.xml"
    )
    assert quarantine == []
    (doc,) = batch.documents
    assert (doc["doc_id"], doc["ip_type"], doc["status"]) == ("XX-123456-S", "design", "grant")
    assert (doc["title"], doc["application_number"]) == ("Chair", "35503842")
    assert (doc["application_date"], doc["publication_date"]) == (dt.date(2017, 8, 29), dt.date(2019, 1, 29))
    assert doc["claims_count"] == 1
    assert [(c["scheme"], c["symbol"], c["is_main"]) for c in batch.classifications] == [
        ("LOCARNO", "06-01", True)
    ]
    assert [p["name"] for p in batch.parties if p["role"] == "applicant"] == ["HARPER Inc."]
    assert [p["name"] for p in batch.parties if p["role"] == "inventor"][0] == "Francis, Emma"
    assert [c["cited_number"] for c in batch.citations][:2] == ["D5584709", "D5653108"]
    assert len(batch.citations) == 5
    assert batch.priorities[0]["number"] == "DM/096824"
    assert len(batch.legal_events) == 28


def test_st96_geographical_indication(shared_data: Path) -> None:
    batch, quarantine = parse_file(
        shared_data / FOLDER / "03-96-vii-example-instances/GIApplication_Example.xml"
    )
    assert quarantine == []
    (doc,) = batch.documents
    assert (doc["office"], doc["application_number"]) == ("FR", "IG 18-002")
    assert (doc["ip_type"], doc["title"], doc["language"]) == (
        "geographical_indication",
        "Tapisserie d'Aubusson",
        "fr",
    )
    assert doc["publication_date"] == dt.date(2018, 6, 4)
    assert [c["symbol"] for c in batch.classifications if c["scheme"] == "NICE"] == ["24", "27"]
    assert [p["name"] for p in batch.parties if p["role"] == "applicant"] == ["Association LAINAMAC"]
    assert sum(p["role"] == "authorized_user" for p in batch.parties) == 10


def test_region_codes() -> None:
    assert len(PROVINCES) == 34
    assert len(CITIES) == 334
    assert province_code("江苏省南京市玄武区") == "320000"
    assert region_code_for(address="江苏省南京市玄武区") == "320100"
    assert region_code_for(address="江苏南京") == "320000"
    assert region_code_for(address="内蒙古自治区呼和浩特市") == "150100"
    assert region_code_for(address="北京市海淀区") == "110000"
    assert region_code_for(address="100084 海淀区清华园") == "110000"  # from the postcode
    assert region_code_for(province="广东省", city="深圳市") == "440300"
    assert region_code_for(address="美国马萨诸塞州") is None
    assert region_code_for() is None
