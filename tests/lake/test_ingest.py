"""The ingest runner: whole shared-data trees, count invariant, idempotency, zips, gzip, non-XML, failures."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest

from ipops.lake import parsers
from ipops.lake.ingest import IngestProgress, IngestReport, ListSink, ingest_paths, iter_source_files
from ipops.lake.records import ParsedBatch, QuarantineEntry
from ipops.lake.store import LakeStore

GRANT = b"""<?xml version="1.0" encoding="UTF-8"?>
<us-patent-grant lang="EN" dtd-version="v4.5 2014-04-03"><us-bibliographic-data-grant>
<publication-reference><document-id><country>US</country><doc-number>0%d</doc-number><kind>B2</kind>
<date>20150106</date></document-id></publication-reference>
<application-reference appl-type="utility"><document-id><country>US</country><doc-number>13000001</doc-number>
<date>20120101</date></document-id></application-reference>
<invention-title id="t">Widget %d</invention-title></us-bibliographic-data-grant>
<claims id="claims"><claim id="c1" num="00001"><claim-text>A widget.</claim-text></claim></claims>
</us-patent-grant>
"""


def grants(*numbers: int) -> bytes:
    return b"".join(GRANT % (n, n) for n in numbers)


@pytest.fixture(scope="module")
def whole_tree(shared_data: Path) -> tuple[IngestReport, ListSink]:
    sink = ListSink()
    report = ingest_paths([shared_data / "patents", shared_data / "trademarks"], sink=sink)
    return report, sink


def test_whole_shared_tree_balances(whole_tree: tuple[IngestReport, ListSink]) -> None:
    report, sink = whole_tree
    assert report.documents_in == report.documents_parsed + report.quarantined
    assert report.files_seen == 211  # the .gitignore dotfile is skipped
    assert report.documents_in == 692
    assert report.documents_parsed == 630
    assert report.recovered == 4
    assert len(sink.quarantine) == report.quarantined == 62
    assert report.documents_written == len(sink.batch.documents) + len(sink.batch.trademarks)
    # duplicates among documents and trademarks (assignments dedup by reel/frame and are not counted):
    # the TSDR zip repeats sn76044902.xml, four GBD folders hold the Tonga test record, OPS fixtures repeat
    assert report.duplicates_skipped == report.documents_parsed - report.formats["uspto-assignment"] - (
        report.documents_written
    )
    assert report.duplicates_skipped > 5
    assert report.bytes_read > 30_000_000


def test_every_format_yields_documents(whole_tree: tuple[IngestReport, ListSink]) -> None:
    report, _ = whole_tree
    assert report.formats == {
        "uspto-ice": 226,
        "uspto-pap": 6,
        "uspto-patdoc": 6,
        "uspto-assignment": 267,
        "epo-ep-patent-document": 28,
        "epo-ops": 55,
        "cnipa-new": 4,
        "cnipa-old": 5,
        "jpo-st36": 5,
        "wipo-st96-patent": 1,
        "wipo-st96-trademark": 1,
        "wipo-st96-design": 1,
        "wipo-st96-gi": 1,
        "tm-st66": 21,
        "tm-st96": 2,
        "tm-tmbrand": 1,
    }


def test_quarantine_reasons_are_explicit(whole_tree: tuple[IngestReport, ListSink]) -> None:
    _, sink = whole_tree
    reasons = {q.reason for q in sink.quarantine}
    assert "unsupported format: json" in reasons
    assert "unsupported format: greenbook" in reasons
    assert "unsupported document type: sequence-cwu" in reasons
    assert all(q.source_file and q.detected_format for q in sink.quarantine)
    json_files = [q for q in sink.quarantine if q.reason == "unsupported format: json"]
    assert len(json_files) == 8  # 6 .json files and 2 ".xml" files that are JSON


def test_rows_match_the_lake_schema(whole_tree: tuple[IngestReport, ListSink]) -> None:
    from ipops.lake.schema import TABLES

    _, sink = whole_tree
    for table in ParsedBatch.__dataclass_fields__:
        names = set(TABLES[table].names)
        for row in getattr(sink.batch, table):
            assert set(row) == names, (table, set(row) ^ names)


def test_reingest_writes_nothing_new(shared_data: Path, whole_tree: tuple[IngestReport, ListSink]) -> None:
    report, sink = whole_tree
    before = len(sink.batch.documents)
    again = ingest_paths([shared_data / "patents", shared_data / "trademarks"], sink=sink)
    assert again.documents_written == 0
    assert again.duplicates_skipped == report.documents_written + report.duplicates_skipped
    assert len(sink.batch.documents) == before


def test_lake_store_round_trip_is_idempotent(shared_data: Path, tmp_path: Path) -> None:
    source = [shared_data / "patents/epo_eps_ep-patent-document", shared_data / "trademarks"]
    with LakeStore(tmp_path) as store:
        first = ingest_paths(source, sink=store)
    assert first.documents_written == store.documents_written > 0
    with LakeStore(tmp_path) as again:
        second = ingest_paths(source, sink=again)
    assert again.documents_written == 0
    assert second.duplicates_skipped == first.documents_written + first.duplicates_skipped
    assert again.stats().rows["documents"] == 26


def test_bulk_file_zip_gzip_and_non_xml(tmp_path: Path) -> None:
    (tmp_path / "ipg.xml").write_bytes(grants(7000001, 7000002, 7000003))
    (tmp_path / "one.xml.gz").write_bytes(gzip.compress(grants(7000004)))
    with zipfile.ZipFile(tmp_path / "pack.zip", "w") as archive:
        archive.writestr("a/first.xml", grants(7000005, 7000006))
        archive.writestr("a/readme.html", "<html></html>")  # not XML by name: skipped, not counted
        archive.writestr("b/picture.png", b"\x89PNG")
    (tmp_path / "notes.txt").write_text("PATN\nWKU  039373754\n")
    (tmp_path / ".hidden.xml").write_bytes(grants(7000009))
    sink = ListSink()
    seen: list[IngestProgress] = []
    report = ingest_paths([tmp_path], sink=sink, on_progress=seen.append)
    assert report.files_seen == 4
    assert (report.documents_in, report.documents_parsed, report.quarantined) == (7, 6, 1)
    assert sorted(str(d["doc_number"]) for d in sink.batch.documents) == [f"0700000{n}" for n in range(1, 7)]
    assert sink.quarantine[0].reason == "unsupported format: greenbook"
    zipped = [d for d in sink.batch.documents if "pack.zip!a/first.xml" in str(d["source_file"])]
    assert len(zipped) == 2
    assert [p.files_seen for p in seen] == [1, 2, 3, 4]
    assert seen[-1].documents_in == 7


def test_flushes_in_bounded_batches(tmp_path: Path) -> None:
    (tmp_path / "ipg.xml").write_bytes(grants(*range(7100000, 7100025)))

    class CountingSink(ListSink):
        sizes: list[int]

        def write(self, batch: ParsedBatch, quarantine: list[QuarantineEntry]) -> int:  # type: ignore[override]
            self.sizes = [*getattr(self, "sizes", []), batch.count_documents()]
            return super().write(batch, quarantine)

    sink = CountingSink()
    report = ingest_paths([tmp_path], sink=sink, flush_every=10)
    assert report.documents_written == 25
    assert sink.sizes == [10, 10, 5]


def test_duplicates_inside_one_run_are_counted(tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_bytes(grants(7200001, 7200002))
    (tmp_path / "b.xml").write_bytes(grants(7200002))
    report = ingest_paths([tmp_path], sink=ListSink())
    assert (report.documents_parsed, report.documents_written, report.duplicates_skipped) == (3, 2, 1)


def test_a_parser_crash_is_quarantined_not_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(root: object, *, source_file: str, recovered: bool) -> parsers.ParseResult:
        raise ZeroDivisionError("boom " + "x" * 900)

    monkeypatch.setitem(parsers.parsers(), "uspto-ice", explode)
    (tmp_path / "ipg.xml").write_bytes(grants(7300001, 7300002))
    sink = ListSink()
    report = ingest_paths([tmp_path], sink=sink)
    assert (report.documents_in, report.quarantined) == (2, 2)
    assert sink.quarantine[0].reason.startswith("ZeroDivisionError: boom")
    assert len(sink.quarantine[0].reason) <= 500
    assert [q.part for q in sink.quarantine] == [0, 1]


def test_corrupt_gzip_and_empty_files(tmp_path: Path) -> None:
    (tmp_path / "bad.xml.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    (tmp_path / "empty.xml").write_bytes(b"")
    (tmp_path / "broken.xml").write_bytes(b"<?xml version='1.0'?><us-patent-grant><unclosed")
    sink = ListSink()
    report = ingest_paths([tmp_path], sink=sink)
    assert report.documents_in == report.quarantined == 3
    reasons = sorted(q.reason.split(":")[0] for q in sink.quarantine)
    assert reasons == ["unreadable file", "unsupported format", "unusable document (after recover=True)"]


def test_iter_source_files_is_sorted_and_recursive(tmp_path: Path) -> None:
    for name in ("b/2.xml", "a/1.xml", "c.xml", ".git/x.xml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("<a/>")
    assert [p.relative_to(tmp_path).as_posix() for p in iter_source_files([tmp_path])] == [
        "a/1.xml",
        "b/2.xml",
        "c.xml",
    ]


def test_report_check_raises_on_imbalance() -> None:
    with pytest.raises(RuntimeError, match="count mismatch"):
        IngestReport(documents_in=2, documents_parsed=1).check()
