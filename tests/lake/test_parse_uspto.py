"""USPTO full texts (ICE v4.x bulk files, PAP, PATDOC): values checked by hand against the shared XML."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ipops.lake.ingest import parse_file
from ipops.lake.parsers.uspto import pap_uspc, uspc_symbol
from ipops.lake.records import ParsedBatch


def rows_of(batch: ParsedBatch, table: str, doc_id: str) -> list[dict[str, object]]:
    return [r for r in getattr(batch, table) if r["doc_id"] == doc_id]


def test_ice_v43_grant_from_weekly_bulk_file(shared_data: Path) -> None:
    batch, quarantine = parse_file(shared_data / "patents/uspto_grant_bulk_ipg/ipg130416.small.xml")
    # 27 <?xml documents: 25 grants and 2 sequence listings (sequence-cwu) that are not patents
    assert len(batch.documents) == 25
    assert [q.reason for q in quarantine] == ["unsupported document type: sequence-cwu"] * 2
    doc = next(d for d in batch.documents if d["doc_id"] == "US-08420588-B2")
    assert doc["kind"] == "B2"
    assert doc["status"] == "grant"
    assert doc["ip_type"] == "invention"
    assert doc["publication_date"] == dt.date(2013, 4, 16) == doc["grant_date"]
    assert doc["application_number"] == "13394746"
    assert doc["application_date"] == dt.date(2010, 9, 1)
    assert doc["filing_year"] == 2010
    assert doc["title"] == "Isosorbide glyceryl ether derivatives and their use in household applications"
    assert doc["claims_count"] == 12
    assert doc["language"] == "en"
    assert doc["is_pct"] is True
    assert doc["pct_application_number"] == "PCT/EP2010/005368"
    assert doc["source_format"] == "uspto-ice-4.3"
    ipc = rows_of(batch, "classifications", "US-08420588-B2")
    assert [c["symbol"] for c in ipc if c["scheme"] == "IPC" and c["is_main"]] == ["C11D 3/20"]
    assert {"C11D 3/22", "C11D 7/26", "C11D 13/10", "B08B 3/04"} <= {str(c["symbol"]) for c in ipc}
    citations = rows_of(batch, "citations", "US-08420588-B2")
    assert len(citations) == 6
    assert citations[0]["cited_number"] == "03041300"  # zero-padded like ICE grant numbers
    assert citations[0]["category"] == "cited by applicant"
    assert citations[2]["cited_number"] == "20020174596"  # "2002/0174596"
    assert sum(1 for c in citations if c["is_npl"]) == 2
    assert rows_of(batch, "priorities", "US-08420588-B2") == [
        {"doc_id": "US-08420588-B2", "office": "EP", "number": "09011586", "date": dt.date(2009, 9, 10)}
    ]
    parties = rows_of(batch, "parties", "US-08420588-B2")
    applicants = [p for p in parties if p["role"] == "applicant"]
    assert (applicants[0]["name"], applicants[0]["country"]) == ("Catherine Breffa", "DE")
    assignee = next(p for p in parties if p["role"] == "assignee")
    assert (assignee["name"], assignee["country"]) == ("Cognis IP Management GmbH", "DE")
    assert len([p for p in parties if p["role"] == "inventor"]) == 4


def test_ice_v40_grant_old_ipc_and_uspc_layouts(shared_data: Path) -> None:
    batch, quarantine = parse_file(shared_data / "patents/uspto_grant_bulk_ipg/ipg050104.small.xml")
    assert quarantine == []
    assert len(batch.documents) == 25
    doc = batch.documents[0]
    assert doc["doc_id"] == "US-06836899-B1"
    assert doc["title"] == "Device for detachably holding an absorbent napkin across the torso"
    assert doc["application_date"] == dt.date(2003, 1, 9)
    assert doc["claims_count"] == 23
    assert doc["is_pct"] is False
    assert doc["source_format"] == "uspto-ice-4.0"
    doc_id = "US-06836899-B1"
    symbols = {(c["scheme"], c["symbol"], c["is_main"]) for c in rows_of(batch, "classifications", doc_id)}
    assert ("IPC", "A45F 5/04", True) in symbols  # edition-7 "A45F  504"
    assert ("USPC", "2/52", True) in symbols  # fixed-width "  2 52"
    assert ("USPC", "24/9", False) in symbols
    citations = rows_of(batch, "citations", doc_id)
    assert len(citations) == 39
    assert citations[0]["cited_number"] == "00675108"
    assert citations[0]["cited_date"] == dt.date(1901, 5, 1)  # "19010500": day 00 -> 1
    assert {c["category"] for c in citations} == {"cited by examiner"}
    parties = rows_of(batch, "parties", doc_id)
    # v4.0 has no inventors element: the applicant-inventor is both applicant and inventor
    assert [(p["role"], p["name"], p["country"]) for p in parties if p["role"] != "agent"] == [
        ("applicant", "Samuel G. Glasmire", "US"),
        ("inventor", "Samuel G. Glasmire", "US"),
    ]


def test_every_weekly_grant_file_parses_without_quarantine_except_sequence_listings(
    shared_data: Path,
) -> None:
    grants = sequence_listings = 0
    for path in sorted((shared_data / "patents/uspto_grant_bulk_ipg").glob("ipg*.xml")):
        batch, quarantine = parse_file(path)
        assert all(q.reason == "unsupported document type: sequence-cwu" for q in quarantine), path
        assert all(d["status"] == "grant" and d["doc_number"] and d["title"] for d in batch.documents)
        grants += len(batch.documents)
        sequence_listings += len(quarantine)
    # 205 <?xml documents: 200 us-patent-grant (grep -c '<us-patent-grant ') and 5 sequence-cwu listings
    assert (grants, sequence_listings) == (200, 5)


def test_application_bulk_file_with_two_documents(shared_data: Path) -> None:
    batch, quarantine = parse_file(shared_data / "patents/uspto_grant_bulk_ipg/ipa130117.one.xml")
    assert quarantine == []
    assert [d["status"] for d in batch.documents] == ["application", "application"]
    assert all(len(str(d["doc_number"])) == 11 for d in batch.documents)


def test_pap_v16_application(shared_data: Path) -> None:
    batch, _ = parse_file(shared_data / "patents/uspto_grant_bulk_ipg/pa040101.two.xml")
    (doc,) = batch.documents
    assert doc["doc_id"] == "US-20040000002-A1"
    assert doc["source_format"] == "uspto-pap-1.6"
    assert doc["title"] == "Garment for preventing muscle strain"
    assert doc["application_number"] == "10189364"
    assert doc["application_date"] == dt.date(2002, 6, 27)
    assert doc["publication_date"] == dt.date(2004, 1, 1)
    symbols = {(c["scheme"], c["symbol"]) for c in batch.classifications}
    assert symbols == {("IPC", "A41B 1/00"), ("USPC", "2/69")}
    assert [(p["role"], p["name"]) for p in batch.parties] == [
        ("inventor", "Scott Hollander"),
        ("assignee", "Hill-Rom Services, Inc."),
    ]


def test_patdoc_v25_grant(shared_data: Path) -> None:
    batch, _ = parse_file(shared_data / "patents/uspto_multiversion_go-uspto/grant/v2-5-B1.xml")
    (doc,) = batch.documents
    assert doc["doc_id"] == "US-06334226-B1"
    assert doc["title"] == "Faucet support member"
    assert doc["application_number"] == "09529968"
    assert doc["application_date"] == dt.date(2000, 4, 24)
    assert doc["grant_date"] == dt.date(2002, 1, 1)
    assert doc["claims_count"] == 31
    assert doc["pct_application_number"] == "PCT/JP98/04545"
    assert doc["is_pct"] is True
    main = [(c["scheme"], c["symbol"]) for c in batch.classifications if c["is_main"]]
    assert main == [("IPC", "E03C 1/04"), ("USPC", "4/675")]
    assert batch.priorities[0] == {
        "doc_id": "US-06334226-B1",
        "office": "JP",
        "number": "9-290033",
        "date": dt.date(1997, 10, 22),
    }
    assignee = next(p for p in batch.parties if p["role"] == "assignee")
    assert (assignee["name"], assignee["country"]) == ("Toto Ltd.", "JP")
    assert batch.citations[0]["cited_number"] == "03669141"


def test_patdoc_design_grant(shared_data: Path) -> None:
    batch, _ = parse_file(shared_data / "patents/uspto_PatentPublicData_samples/sgml/USD435854S1.xml")
    (doc,) = batch.documents
    assert doc["doc_id"] == "US-D0435854-S"
    assert (doc["ip_type"], doc["status"]) == ("design", "grant")
    assert batch.citations[0]["cited_number"] == "D0271298"  # printed "D.271298"


def test_uspc_layouts() -> None:
    assert uspc_symbol("  2 52") == "2/52"
    assert uspc_symbol(" 99421H") == "99/421H"
    assert uspc_symbol("5253328") == "525/332.8"
    assert uspc_symbol("4675") == "4/675"
    assert uspc_symbol(None) is None
    assert pap_uspc("002", "069000") == "2/69"
    assert pap_uspc("705", "026100") == "705/26.1"
