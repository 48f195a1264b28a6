"""EPO: ep-patent-document full texts (v1.0-v1.5.1, some not well-formed) and OPS biblio/family/legal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ipops.lake.ingest import parse_file
from ipops.lake.parsers.epo import spaced_ipc

EPS = "patents/epo_eps_ep-patent-document"
OPS = "patents/patent_client_fixtures"
LEGACY = f"{OPS}/legacy_tests_fixtures_4328348d/epo"


def test_ep_grant_v12(shared_data: Path) -> None:
    batch, quarantine = parse_file(shared_data / EPS / "grant/v1-2-B1.xml")
    assert quarantine == []
    (doc,) = batch.documents
    assert doc["doc_id"] == "EP-0610335-B1"
    assert (doc["status"], doc["ip_type"], doc["recovered"]) == ("grant", "invention", False)
    assert doc["publication_date"] == dt.date(2008, 1, 2) == doc["grant_date"]
    assert doc["application_number"] == "92922494.7"
    assert doc["application_date"] == dt.date(1992, 10, 16)
    assert doc["title"] == "Methods for designing recombitope peptides"  # the English one of de/en/fr
    assert doc["language"] == "en"
    assert doc["claims_count"] == 14  # claims are repeated in de/en/fr: count one set
    assert doc["is_pct"] is True
    assert doc["pct_application_number"] == "US1992008694"
    assert doc["source_format"] == "epo-ep-patent-document-1.2"
    main = [c["symbol"] for c in batch.classifications if c["is_main"]]
    assert main == ["C12N 15/62"]
    assert len(batch.classifications) == 4
    assert [(p["number"], p["office"], p["date"]) for p in batch.priorities] == [
        ("777859", "US", dt.date(1991, 10, 16)),
        ("807529", "US", dt.date(1991, 12, 13)),
    ]
    assert len(batch.citations) == 11
    first = batch.citations[0]
    assert (first["cited_office"], first["cited_number"], first["cited_kind"]) == ("EP", "0367306", "A")
    assert sum(1 for c in batch.citations if c["is_npl"]) == 8
    inventors = [p for p in batch.parties if p["role"] == "inventor"]
    assert len(inventors) == 7
    assert (inventors[0]["name"], inventors[0]["country"]) == ("ROGERS, Bruce, L.", "US")
    (proprietor,) = [p for p in batch.parties if p["role"] == "assignee"]
    assert (proprietor["name"], proprietor["country"]) == ("Merck Patent GmbH", "DE")


def test_ep_v10_application_old_ipc_layout(shared_data: Path) -> None:
    batch, _ = parse_file(shared_data / EPS / "application/v1-0-A1.xml")
    (doc,) = batch.documents
    assert doc["doc_id"] == "EP-1325900-A1"
    assert doc["status"] == "application"
    assert doc["title"] == "PROCESS FOR PRODUCING FLUOROALKANOL"
    assert doc["is_pct"] is True  # Euro-PCT: B860 holds JP0107711
    assert [(c["symbol"], c["is_main"]) for c in batch.classifications] == [
        ("C07C 29/44", True),
        ("C07C 31/38", False),
    ]
    assert batch.priorities[0]["number"] == "2000273711"


@pytest.mark.parametrize(
    ("name", "doc_id"),
    [
        ("application/v1-2-A1.xml", "EP-1921219-A1"),
        ("application/v1-4-A1.xml", "EP-2055205-A1"),
        ("application/v1-4-A1-1.xml", "EP-0560858-A1"),
        ("application/v1-5-1-A1-2.xml", "EP-3889521-A1"),
    ],
)
def test_not_well_formed_ep_files_are_recovered(shared_data: Path, name: str, doc_id: str) -> None:
    batch, quarantine = parse_file(shared_data / EPS / name)
    assert quarantine == []
    (doc,) = batch.documents
    assert doc["doc_id"] == doc_id
    assert doc["recovered"] is True
    assert doc["title"]


def test_recovered_ep_file_keeps_its_bibliography(shared_data: Path) -> None:
    batch, _ = parse_file(shared_data / EPS / "application/v1-2-A1.xml")  # unescaped "UDAPI & ASOCIADOS"
    (doc,) = batch.documents
    assert (
        doc["title"] == "Sound damping and fire restistant insulating panel and its manufacturing procedure"
    )
    assert doc["application_date"] == dt.date(2006, 11, 8)
    assert doc["claims_count"] == 11
    agent = next(p for p in batch.parties if p["role"] == "agent")
    assert agent["name"] == "Esteban Perez-Serrano, Maria Isabel"


def test_all_ep_full_texts_parse(shared_data: Path) -> None:
    files = sorted((shared_data / EPS).rglob("*.xml"))
    assert len(files) == 26
    docs = [d for f in files for d in parse_file(f)[0].documents]
    assert len(docs) == 26
    assert {d["office"] for d in docs} == {"EP"}
    assert sum(1 for d in docs if d["recovered"]) == 4
    assert all(d["publication_date"] and d["application_number"] for d in docs)


def test_wipo_st36_examples_use_the_ep_parser(shared_data: Path) -> None:
    folder = shared_data / "patents/cnipa_jpo_wipo_st36_st96_PatentStandardization/st36_wipo_examples"
    batch, quarantine = parse_file(folder / "st36bexample/DOC00001.xml")
    assert quarantine == []
    assert batch.documents[0]["doc_id"] == "EP-1599469-B1"
    _, toc = parse_file(folder / "st36bexample/toc.xml")
    assert [q.reason for q in toc] == ["unsupported document type: ST.36 package table of contents"]


def test_ops_biblio_cn_document(shared_data: Path) -> None:
    batch, _ = parse_file(shared_data / LEGACY / "published-data_publication_docdb_CN.104968889.A_biblio.xml")
    (doc,) = batch.documents
    assert doc["doc_id"] == "CN-104968889-A"
    assert doc["family_id"] == "50474376"
    assert doc["publication_date"] == dt.date(2015, 10, 7)
    assert doc["application_number"] == "201380062258"
    assert doc["title"] == "Attitude reference for tieback/overlap processing"
    assert doc["is_pct"] is True
    assert doc["pct_application_number"] == "PCT/US2013/064552"
    assert [c["symbol"] for c in batch.classifications if c["scheme"] == "IPC"] == [
        "E21B 47/0228",
        "E21B 47/024",
    ]
    first = batch.citations[0]
    assert (first["cited_office"], first["cited_number"], first["cited_kind"], first["category"]) == (
        "US",
        "05321893",
        "A",
        "A",
    )
    assert "X" in {c["category"] for c in batch.citations}  # search-report categories
    assert [p["name"] for p in batch.parties if p["role"] == "applicant"] == ["SCIENT DRILLING INT"]


def test_ops_us_publication_number_matches_ice_spelling(shared_data: Path) -> None:
    batch, _ = parse_file(
        shared_data / LEGACY / "published-data_publication_docdb_US.2014102795.A1_biblio.xml"
    )
    assert batch.documents[0]["doc_id"] == "US-20140102795-A1"  # DOCDB "2014102795" -> 11 digits
    batch, _ = parse_file(shared_data / LEGACY / "published-data_publication_docdb_US.9231827.B2_biblio.xml")
    assert batch.documents[0]["doc_id"] == "US-09231827-B2"


def test_ops_family_members_share_the_family_id(shared_data: Path) -> None:
    batch, quarantine = parse_file(shared_data / OPS / "epo/ops/family/fixtures/family_input.xml")
    assert quarantine == []
    assert [d["doc_id"] for d in batch.documents] == [
        "EP-1000000-A1",
        "EP-1000000-B1",
        "AT-232441-T",
        "DE-69905327-D1",
        "NL-1010536-C2",
        "US-06093011-A",
    ]
    assert {d["family_id"] for d in batch.documents} == {"19768124"}
    assert next(d for d in batch.documents if d["office"] == "US")["status"] == "grant"  # pre-2001 kind A


def test_ops_legal_events(shared_data: Path) -> None:
    batch, _ = parse_file(shared_data / OPS / "epo/ops/legal/fixtures/example_3.xml")
    (doc,) = batch.documents
    assert doc["doc_id"] == "US-10465445-B2"
    assert doc["family_id"] == "51258319"
    events = batch.legal_events
    assert len(events) == 14
    assert (events[0]["code"], events[0]["date"], events[0]["description"]) == (
        "AS",
        dt.date(2018, 3, 14),
        "ASSIGNMENT",
    )
    assert len(batch.priorities) == 4


def test_ops_responses_without_bibliography_are_quarantined(shared_data: Path) -> None:
    _, quarantine = parse_file(
        shared_data / LEGACY / "published-data_publication_docdb_CA.2944968.A1_claims.xml"
    )
    assert [q.reason for q in quarantine] == [
        "unsupported document type: OPS full-text (claims/description) response"
    ]
    assert quarantine[0].detected_format == "epo-ops"


def test_spaced_ipc() -> None:
    assert spaced_ipc(" 7C 07C  29/44   A") == "C07C 29/44"
    assert spaced_ipc("C12P  19/56        20060101AFI20210804BHEP") == "C12P 19/56"
    assert spaced_ipc("nothing here") is None
