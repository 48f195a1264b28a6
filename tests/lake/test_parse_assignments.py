"""USPTO patent assignment search results (Solr XML) -> assignments table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lxml import etree

from ipops.lake.ingest import parse_file
from ipops.lake.parsers.uspto_assignments import (
    parse_assignments,
    patent_number,
    publication_number,
    reel_frame,
)

FIXTURES = "patents/patent_client_fixtures"


def test_single_assignment_record(shared_data: Path) -> None:
    batch, quarantine = parse_file(shared_data / FIXTURES / "uspto/assignment/fixtures/assignment_1.xml")
    assert quarantine == []
    (row,) = batch.assignments
    assert row["reel_frame"] == "018247/0405"
    assert row["recorded_date"] == dt.date(2006, 9, 14)
    assert row["execution_date"] == dt.date(2006, 9, 14)
    assert row["conveyance"] == "NUNC PRO TUNC ASSIGNMENT (SEE DOCUMENT FOR DETAILS)."
    assert row["assignors"] == ["REALTIME DATA COMPRESSION SYSTEMS, INC."]
    assert row["assignees"] == ["REALTIME DATA LLC"]
    assert row["doc_numbers"] == [
        "07130913",
        "07321937",
        "06195024",
        "06309424",
        "06601104",
        "20040073746",
        "20060184687",
    ]


def test_all_assignment_fixtures_including_gzip(shared_data: Path) -> None:
    total = 0
    reel_frames: set[object] = set()
    for path in sorted((shared_data / FIXTURES).rglob("*")):
        if "assignment" in str(path) and path.is_file():
            batch, quarantine = parse_file(path)
            assert quarantine == [], path
            total += len(batch.assignments)
            reel_frames |= {row["reel_frame"] for row in batch.assignments}
    assert total == 267  # README: 256 + 11 records
    assert all(isinstance(rf, str) and len(rf) == 11 for rf in reel_frames)


def test_bulk_assignment_xml() -> None:
    xml = b"""<us-patent-assignments><patent-assignments><patent-assignment>
      <assignment-record><reel-no>12345</reel-no><frame-no>67</frame-no>
        <recorded-date><date>20200102</date></recorded-date>
        <conveyance-text>ASSIGNMENT OF ASSIGNORS INTEREST</conveyance-text></assignment-record>
      <patent-assignors><patent-assignor><name>DOE, JOHN</name>
        <execution-date><date>20191231</date></execution-date></patent-assignor></patent-assignors>
      <patent-assignees><patent-assignee><name>ACME CORP</name></patent-assignee></patent-assignees>
      <patent-properties><patent-property>
        <document-id><country>US</country><doc-number>16123456</doc-number><kind>X0</kind></document-id>
        <document-id><country>US</country><doc-number>10987654</doc-number><kind>B2</kind></document-id>
      </patent-property></patent-properties>
    </patent-assignment></patent-assignments></us-patent-assignments>"""
    result = parse_assignments(etree.fromstring(xml), source_file="x.xml", recovered=False)
    (row,) = result.batch.assignments
    assert (row["reel_frame"], row["recorded_date"], row["execution_date"]) == (
        "012345/0067",
        dt.date(2020, 1, 2),
        dt.date(2019, 12, 31),
    )
    assert (row["assignors"], row["assignees"], row["doc_numbers"]) == (
        ["DOE, JOHN"],
        ["ACME CORP"],
        ["10987654"],
    )


def test_number_helpers() -> None:
    assert patent_number("7130913") == "07130913"
    assert patent_number("D512345") == "D0512345"
    assert patent_number("NULL") is None
    assert publication_number("2004/0073746") == "20040073746"
    assert reel_frame("18247", "405") == "018247/0405"
    assert reel_frame(None, "405") is None
