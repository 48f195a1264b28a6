"""A small constructed lake whose indicator values are worked out by hand (shared by the lake tests)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ipops.lake.records import ParsedBatch, QuarantineEntry
from ipops.lake.store import LakeStore

D = dt.date


# the names the other lake tests import
Batch = ParsedBatch
Quarantined = QuarantineEntry


def doc(
    doc_id: str,
    *,
    filing_year: int,
    application_date: dt.date,
    publication_date: dt.date,
    grant_date: dt.date | None = None,
    claims: int | None = None,
    family_id: str | None = None,
    title: str = "",
    abstract: str = "",
) -> dict[str, object]:
    """One documents row."""
    office, number, kind = doc_id.split("-")
    return {
        "doc_id": doc_id,
        "office": office,
        "doc_number": number,
        "kind": kind,
        "ip_type": "invention",
        "status": "grant" if grant_date else "application",
        "application_number": f"{office}{number}",
        "application_date": application_date,
        "publication_date": publication_date,
        "grant_date": grant_date,
        "filing_year": filing_year,
        "title": title or f"Title of {doc_id}",
        "abstract": abstract,
        "claims_count": claims,
        "language": "en",
        "family_id": family_id,
        "is_pct": False,
        "source_format": "constructed",
        "source_file": "constructed.xml",
        "recovered": False,
    }


def ipc(doc_id: str, *symbols: str) -> list[dict[str, object]]:
    """IPC rows, the first one main."""
    return [
        {"doc_id": doc_id, "scheme": "IPC", "symbol": s, "is_main": i == 0} for i, s in enumerate(symbols)
    ]


def cites(doc_id: str, *targets: tuple[str | None, str]) -> list[dict[str, object]]:
    """Patent citation rows (cited_office may be None: then the citing office is assumed)."""
    return [
        {"doc_id": doc_id, "seq": i + 1, "is_npl": False, "cited_office": office, "cited_number": number}
        for i, (office, number) in enumerate(targets)
    ]


A = "US-1000001-B1"
B = "US-0900002-B1"
C = "US-0900003-B1"
DD = "US-0900004-B1"
E = "US-1100005-B1"
F = "US-1100006-B1"
G = "US-1100007-B1"
EP_A1 = "EP-2000001-A1"
EP_B1 = "EP-2000001-B1"
CN = "CN-112345678-A"


def constructed_batch() -> Batch:
    """The constructed lake (see the hand calculations in test_indicators.py)."""
    batch = Batch()
    batch.documents = [
        doc(
            A,
            filing_year=2010,
            application_date=D(2010, 1, 1),
            publication_date=D(2012, 1, 1),
            grant_date=D(2012, 1, 1),
            claims=10,
        ),
        doc(
            B,
            filing_year=2006,
            application_date=D(2006, 1, 1),
            publication_date=D(2008, 1, 1),
            grant_date=D(2008, 1, 1),
            claims=5,
        ),
        doc(
            C,
            filing_year=2006,
            application_date=D(2006, 2, 1),
            publication_date=D(2008, 6, 1),
            grant_date=D(2008, 6, 1),
            claims=7,
        ),
        doc(
            DD,
            filing_year=2006,
            application_date=D(2006, 3, 1),
            publication_date=D(2008, 9, 1),
            grant_date=D(2008, 9, 1),
            claims=3,
            family_id="FAM9",
        ),
        doc(
            E,
            filing_year=2010,
            application_date=D(2010, 6, 1),
            publication_date=D(2014, 1, 1),
            grant_date=D(2014, 1, 1),
            claims=20,
        ),
        doc(
            F,
            filing_year=2015,
            application_date=D(2015, 1, 1),
            publication_date=D(2019, 1, 1),
            grant_date=D(2019, 1, 1),
            claims=8,
        ),
        doc(
            G,
            filing_year=2011,
            application_date=D(2011, 1, 1),
            publication_date=D(2013, 1, 1),
            grant_date=D(2013, 1, 1),
            claims=4,
        ),
        doc(
            EP_A1,
            filing_year=2007,
            application_date=D(2007, 1, 1),
            publication_date=D(2008, 7, 1),
            family_id="FAM9",
        ),
        doc(
            EP_B1,
            filing_year=2007,
            application_date=D(2007, 1, 1),
            publication_date=D(2011, 3, 1),
            grant_date=D(2011, 3, 1),
            claims=12,
            family_id="FAM9",
        ),
        doc(
            CN,
            filing_year=2020,
            application_date=D(2020, 8, 1),
            publication_date=D(2021, 2, 1),
            title="一种锂离子电池负极材料及其制备方法",
            abstract="本发明公开了一种硅碳负极材料。",
        ),
    ]
    batch.classifications = [
        *ipc(A, "H01L 21/00", "H01L 23/00", "G06F 3/00"),
        *ipc(B, "H01L 21/02"),
        *ipc(C, "G06F 17/00", "H04L 29/00"),
        *ipc(DD, "A61K 31/00"),
        *ipc(E, "H01L 21/00"),
        *ipc(F, "B65D 1/00", "H01L 33/00"),
        *ipc(G, "G06Q 10/00"),
        *ipc(EP_A1, "A61K 31/00"),
        *ipc(EP_B1, "A61K 31/00"),
        *ipc(CN, "H01M 4/36", "H01M 10/0525"),
        {"doc_id": A, "scheme": "CPC", "symbol": "H01L 21/76898", "is_main": False},
    ]
    batch.citations = [
        *cites(A, ("US", "900002"), ("US", "0900003"), (None, "0900004")),
        {"doc_id": A, "seq": 4, "is_npl": True, "npl_text": "Smith, J. Phys. 1999"},
        *cites(E, ("US", "1000001")),
        *cites(F, ("US", "1000001"), ("EP", "2000001")),
        *cites(G, ("US", "1000001"), ("US", "1000001"), ("US", "1100007"), ("JP", "2001123456")),
    ]
    batch.priorities = [{"doc_id": A, "office": "JP", "number": "2009-123", "date": D(2009, 6, 1)}]
    batch.parties = [
        {"doc_id": A, "role": "applicant", "seq": 1, "name": "Acme Semiconductor Inc.", "country": "US"},
        {"doc_id": E, "role": "applicant", "seq": 1, "name": "Acme Semiconductor Inc.", "country": "US"},
        {"doc_id": F, "role": "applicant", "seq": 1, "name": "Boxco Ltd", "country": "GB"},
        {
            "doc_id": CN,
            "role": "applicant",
            "seq": 1,
            "name": "江苏某某新能源科技有限公司",
            "country": "CN",
            "region_code": "320583",
        },
        {"doc_id": CN, "role": "inventor", "seq": 1, "name": "张三", "country": "CN"},
    ]
    return batch


def build_constructed_lake(root: Path) -> LakeStore:
    """Write the constructed batch into a new lake at root."""
    store = LakeStore(root)
    store.write(constructed_batch(), [Quarantined("bad.xml", 0, "not well-formed", "uspto-ice")])
    store.flush()
    return store
