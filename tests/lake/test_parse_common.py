"""Parser helpers that need no shared data: symbols, numbers, dates, detection, splitting, XML safety."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from ipops.lake.parsers import parse_bulk_bytes, parse_document
from ipops.lake.parsers.bulk import iter_xml_documents, split_xml_bytes
from ipops.lake.parsers.common import normalise_code, normalise_doc_number, parse_date
from ipops.lake.parsers.detect import guess_non_xml, sniff_format
from ipops.lake.records import ParsedBatch


@pytest.mark.parametrize(
    ("raw", "symbol"),
    [
        ("A45F  504", "A45F 5/04"),  # ICE v4.0 edition-7 fixed width
        ("H01L 21461", "H01L 21/461"),
        ("E03C 104", "E03C 1/04"),  # PATDOC with leading blanks collapsed
        ("G06F017/60", "G06F 17/60"),  # PAP
        ("C12P  19/56        20060101AFI20210804BHEP", "C12P 19/56"),  # EP IPCR text
        (" 7C 07C  29/44   A", "C07C 29/44"),  # EP v1.0 B511
        ("E21B   7/    00            A I", "E21B 7/00"),  # OPS
        ("A24B   15/18    (2006.01)", "A24B 15/18"),  # CNIPA
        ("C12Y 204/01013     20130101 LI20190607BHEP", "C12Y 204/01013"),  # CPC
        ("1402", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_code(raw: str | None, symbol: str | None) -> None:
    assert normalise_code(raw) == symbol


@pytest.mark.parametrize(
    ("office", "number", "kind", "normalised"),
    [
        ("US", "7654321", "B2", "07654321"),
        ("US", "07654321", "B2", "07654321"),
        ("US", "2014102795", "A1", "20140102795"),  # DOCDB pre-grant publication
        ("US", "2002/0174596", "A1", "20020174596"),
        ("US", "D512345", "S", "D0512345"),
        ("US", "RE41234", "E", "RE041234"),
        ("US", "D.271298", None, "D0271298"),
        ("EP", "610335", "B1", "0610335"),
        ("CN", "104223352", "A", "104223352"),
        ("JP", "2021 044377", "A", "2021044377"),
        ("US", "", "A", None),
    ],
)
def test_normalise_doc_number(office: str, number: str, kind: str | None, normalised: str | None) -> None:
    assert normalise_doc_number(office, number, kind) == normalised


def test_parse_date() -> None:
    assert parse_date("20050104") == dt.date(2005, 1, 4)
    assert parse_date("2000-05-09-04:00") == dt.date(2000, 5, 9)
    assert parse_date("19010500") == dt.date(1901, 5, 1)
    assert parse_date("2016-05-06T05:00:00Z") == dt.date(2016, 5, 6)
    assert parse_date("00000000") is None
    assert parse_date("2000-04") is None
    assert parse_date(None) is None


def test_sniff_format() -> None:
    assert (
        sniff_format(b'<?xml version="1.0"?>\n<!DOCTYPE us-patent-grant SYSTEM "x.dtd" [ ]>') == "uspto-ice"
    )
    assert sniff_format(b"\xef\xbb\xbf<?xml version='1.0'?><cn-patent-document/>") == "cnipa-old"
    assert sniff_format(b"<?xml version='1.0'?><!-- c --><ops:world-patent-data xmlns:ops='x'/>") == "epo-ops"
    assert sniff_format(b"<?xml version='1.0'?><whatever/>") == "xml:whatever"
    assert sniff_format(b'{"a": 1}') is None
    assert guess_non_xml("x.xml", b'  {"a": 1}') == "json"
    assert guess_non_xml("US03932709.greenbook", b"PATN\nWKU") == "greenbook"


def test_split_keeps_stylesheet_instructions_and_drops_byte_order_marks() -> None:
    data = (
        b"\xef\xbb\xbf"
        + b'<?xml version="1.0"?><?xml-stylesheet href="a.xsl"?><a/>\n<?xml version="1.0"?><b/>'
    )
    parts = split_xml_bytes(data)
    assert parts == [
        b'<?xml version="1.0"?><?xml-stylesheet href="a.xsl"?><a/>\n',
        b'<?xml version="1.0"?><b/>',
    ]
    assert list(iter_xml_documents(io.BytesIO(data), chunk_bytes=3)) == parts


def test_entities_are_not_expanded() -> None:
    bomb = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">
    <!ENTITY c SYSTEM "file:///etc/passwd">]><us-patent-grant>&b;&c;</us-patent-grant>"""
    result = parse_document(bomb, source_file="bomb.xml")
    assert result.parsed == 0
    assert "root:" not in repr(result)
    assert result.quarantine[0].reason.startswith("unusable document")


def test_parse_bulk_bytes_returns_rows_and_quarantine() -> None:
    grant = b"""<?xml version="1.0"?><us-patent-grant lang="EN" dtd-version="v4.2 2006-08-23">
    <us-bibliographic-data-grant><publication-reference><document-id><country>US</country>
    <doc-number>07000001</doc-number><kind>B1</kind><date>20060221</date></document-id></publication-reference>
    </us-bibliographic-data-grant></us-patent-grant>\n"""
    batch, quarantine = parse_bulk_bytes(
        grant + b'<?xml version="1.0"?><sequence-cwu/>', source_file="ipg.xml"
    )
    assert isinstance(batch, ParsedBatch)
    assert [d["doc_id"] for d in batch.documents] == ["US-07000001-B1"]
    assert batch.documents[0]["source_format"] == "uspto-ice-4.2"
    assert [(q.part, q.reason) for q in quarantine] == [(1, "unsupported document type: sequence-cwu")]


def test_parsed_batch_helpers() -> None:
    batch = ParsedBatch(documents=[{"doc_id": "a"}], assignments=[{"reel_frame": "1"}])
    other = ParsedBatch(trademarks=[{"doc_id": "t"}], citations=[{"doc_id": "a"}])
    batch.extend(other)
    assert batch.count_documents() == 3
    assert batch.row_count() == 4
