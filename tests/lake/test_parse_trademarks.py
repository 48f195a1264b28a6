"""Trademarks: USPTO TSDR ST.66 (xml and zip) and ST.96, WIPO GBD national offices, ST.96 example instance."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ipops.lake.ingest import parse_file
from ipops.lake.parsers import parse_document
from ipops.lake.parsers.trademarks import mark_feature

TSDR = "trademarks/uspto_tsdr_plumage"
GBD = "trademarks/wipo_gbd_national_offices"


@pytest.mark.parametrize("name", ["sn76044902.xml", "sn76044902.zip"])
def test_tsdr_st66_python_mark(shared_data: Path, name: str) -> None:
    batch, quarantine = parse_file(shared_data / TSDR / name)  # the zip also holds html/css/png: skipped
    assert quarantine == []
    (mark,) = batch.trademarks
    assert mark["doc_id"] == "US-TM-76044902"
    assert mark["registration_number"] == "2824281"
    assert mark["mark_text"] == "PYTHON"
    assert mark["mark_feature"] == "word"  # "TYPESET WORD(S) /LETTER(S) /NUMBER(S)"
    assert mark["application_date"] == dt.date(2000, 5, 9)  # "2000-05-09-04:00"
    assert mark["registration_date"] == dt.date(2004, 3, 23)
    assert mark["nice_classes"] == [9, 42]
    assert mark["status"] == "702"
    # three applicants: original applicant (10), owner at publication (20), original registrant (30)
    assert (mark["owner_name"], mark["owner_country"]) == ("PYTHON SOFTWARE FOUNDATION", "US")
    assert str(mark["goods"]).startswith("9: Computer programs and downloadable computer programs")
    assert mark["source_format"] == "tm-st66"
    assert len(batch.legal_events) == 31
    assert batch.legal_events[0]["code"] == "C15A"


@pytest.mark.parametrize("name", ["rn2178784-ST-961_D3.xml", "rn2178784-ST-962.2.1.xml"])
def test_tsdr_st96_java_mark(shared_data: Path, name: str) -> None:
    batch, _ = parse_file(shared_data / TSDR / name)
    (mark,) = batch.trademarks
    assert mark["doc_id"] == "US-TM-74631225"
    assert (mark["registration_number"], mark["mark_text"], mark["nice_classes"]) == ("2178784", "JAVA", [9])
    assert mark["registration_date"] == dt.date(1998, 8, 4)
    assert mark["owner_name"] == "Oracle America, Inc."  # sequence 31: subsequent owner after registration
    assert mark["source_format"] == "tm-st96"


def test_st96_trademark_application_example(shared_data: Path) -> None:
    folder = (
        shared_data / "patents/cnipa_jpo_wipo_st36_st96_PatentStandardization/03-96-vii-example-instances"
    )
    batch, _ = parse_file(folder / "TrademarkApplication_Example.xml")
    (mark,) = batch.trademarks
    assert (mark["doc_id"], mark["mark_text"], mark["mark_feature"]) == (
        "US-TM-87035559",
        "LANYI",
        "combined",
    )
    assert (mark["owner_name"], mark["owner_country"]) == ("Shenzhen Fengniao E-Commerce Co.,Ltd", "CN")


def test_gbd_cambodia(shared_data: Path) -> None:
    batch, _ = parse_file(shared_data / GBD / "khtm/tests/khtm.xml")
    (mark,) = batch.trademarks
    assert mark["doc_id"] == "KH-TM-KH/673426/M"
    assert (mark["mark_text"], mark["mark_feature"], mark["nice_classes"]) == ("ZomaJet", "combined", [10])
    assert (mark["application_date"], mark["registration_date"], mark["expiry_date"]) == (
        dt.date(2015, 8, 6),
        dt.date(2016, 6, 10),
        dt.date(2025, 8, 6),
    )
    assert (mark["owner_name"], mark["owner_country"]) == ("Ferring B.V.", "NL")


def test_gbd_tonga_many_classes(shared_data: Path) -> None:
    batch, _ = parse_file(shared_data / GBD / "totm/tests/syntax.xml")
    (mark,) = batch.trademarks
    assert mark["doc_id"] == "TO-TM-2006/1856"
    assert mark["mark_text"] == "VERIZON BUSINESS & device"
    assert mark["nice_classes"] == [9, 16, 35, 36, 37, 38, 41, 42, 45]
    assert mark["owner_name"] == "Verizon Trademark Services LLC"


def test_gbd_indonesia_names_are_not_repeated_per_language(shared_data: Path) -> None:
    batch, _ = parse_file(shared_data / GBD / "idtm/tests/unicode.xml")
    (mark,) = batch.trademarks
    assert mark["owner_name"] == "Shenzhen Benmer Electronic Technology Co., Ltd"
    assert mark["mark_feature"] == "combined"  # "Merek Kata dan Lukisan": word and device


def test_every_gbd_office_yields_a_mark(shared_data: Path) -> None:
    offices: dict[str, int] = {}
    for path in sorted((shared_data / GBD).rglob("*.xml")):
        batch, quarantine = parse_file(path)
        assert quarantine == [], path
        assert len(batch.trademarks) == 1, path
        offices[path.parts[-3]] = offices.get(path.parts[-3], 0) + 1
    assert len(offices) == 16  # the folders present (jo/kw/om/sd hold copies of a Tonga test record)


def test_mark_feature_wording() -> None:
    assert mark_feature("Word") == "word"
    assert mark_feature("Figurative") == "figurative"
    assert mark_feature("COMBINED") == "combined"
    assert mark_feature("Marchi Nazionale (Both Name and Logo)") == "combined"
    assert mark_feature("3") == "combined"  # USPTO drawing code 3: words and design
    assert mark_feature(None) is None


def test_gbd_israel_tmbrand_record(shared_data: Path) -> None:
    batch, quarantine = parse_file(shared_data / GBD / "iltm/tests/noevents.xml")
    assert quarantine == []
    (mark,) = batch.trademarks
    assert (mark["doc_id"], mark["office"], mark["application_number"]) == ("IL-TM-250001", "IL", "250001")
    assert mark["registration_number"] == "250001"  # registered 2014-02-25 under its application number
    assert (mark["mark_text"], mark["mark_feature"]) == ("FAIRPLAY", "word")  # the Hebrew name is empty
    assert (mark["application_date"], mark["registration_date"], mark["expiry_date"]) == (
        dt.date(2012, 8, 24),
        dt.date(2014, 2, 25),
        dt.date(2022, 8, 24),
    )
    assert mark["status"] == "active"
    assert (mark["nice_classes"], mark["goods"]) == ([9], "9: Digital rights management software.")
    assert (mark["owner_name"], mark["owner_country"]) == ("APPLE INC.", None)
    assert mark["source_format"] == "tm-tmbrand"
    assert [(p["role"], p["name"]) for p in batch.parties] == [("owner", "APPLE INC.")]
    assert batch.legal_events == []


TMBRAND_WITH_HISTORY = """<?xml version="1.0"?>
<TMBRAND><DETAILS><OFFICENUMBER>123456</OFFICENUMBER><FILINGDATE>20190102</FILINGDATE>
<BRANDTYPE>Trademark</BRANDTYPE><STATUS>pending</STATUS>
<BRAND><NAME lang="he">פרי</NAME><NAME lang="en">PRI</NAME></BRAND></DETAILS>
<APPLICANTS><APPLICANT><NAMES><NAME lang="he">חברה</NAME>
<NAME lang="en" main="1">ACME LTD</NAME></NAMES><COUNTRY>IL</COUNTRY></APPLICANT></APPLICANTS>
<NICEGROUP><NICECLASS><TYPE>30</TYPE><LIST lang="he">קפה</LIST></NICECLASS></NICEGROUP>
<VIENNAGROUP><VIENNA>05.07.02</VIENNA></VIENNAGROUP>
<EVENTS><EVENT><DATE>20190301</DATE><CODE>PUB</CODE><DESCRIPTION>Published</DESCRIPTION></EVENT></EVENTS>
</TMBRAND>"""


def test_tmbrand_keeps_every_script_owner_events_and_vienna_feature() -> None:
    source = "/data/wipo_gbd_national_offices/iltm/tests/history.xml"  # no register link: office from folder
    result = parse_document(TMBRAND_WITH_HISTORY.encode(), source_file=source)
    (mark,) = result.batch.trademarks
    assert (mark["doc_id"], mark["registration_number"]) == ("IL-TM-123456", None)
    assert mark["mark_text"] == "פרי / PRI"
    assert mark["mark_feature"] == "combined"  # words and a Vienna-classified figurative element
    assert (mark["owner_name"], mark["owner_country"]) == ("ACME LTD", "IL")  # the main-language name
    assert (mark["nice_classes"], mark["goods"]) == ([30], "30: קפה")
    (event,) = result.batch.legal_events
    assert (event["date"], event["code"], event["description"]) == (dt.date(2019, 3, 1), "PUB", "Published")


def test_tmbrand_without_an_office_is_quarantined() -> None:
    data = TMBRAND_WITH_HISTORY.encode()
    result = parse_document(data, source_file="/elsewhere/history.xml")
    assert result.batch.trademarks == []
    assert "OFFICENUMBER or a recognisable office" in result.quarantine[0].reason


@pytest.mark.parametrize(
    ("office_folder", "feature"),
    [("jotm/tests/test.xml", "word"), ("mgtm/tests/test.xml", "combined"), ("brtm/tests/test01.xml", None)],
)
def test_word_mark_specification_fills_the_feature(
    shared_data: Path, office_folder: str, feature: str | None
) -> None:
    # no MarkFeature here: TOKO is words only; chicetnic has words and a logo file; BR has neither
    batch, _ = parse_file(shared_data / GBD / office_folder)
    assert batch.trademarks[0]["mark_feature"] == feature
