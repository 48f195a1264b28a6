"""Mutated real documents (truncated, flipped bytes, stray "&", dropped closing tags): parsers never raise."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipops.lake.ingest import ListSink, ingest_paths
from ipops.lake.parsers import parse_bulk_bytes, parse_document
from ipops.lake.parsers.bulk import iter_xml_documents, split_xml_bytes

SAMPLES = {
    "uspto-ice": "patents/uspto_grant_bulk_ipg/ipg050104.small.xml",
    "epo": "patents/epo_eps_ep-patent-document/grant/v1-0-B2.xml",
    "cnipa": "patents/cnipa_jpo_wipo_st36_st96_PatentStandardization/examples/cn_new2.xml",
    "ops": "patents/patent_client_fixtures/legacy_tests_fixtures_4328348d/epo/"
    "published-data_publication_docdb_CN.104968889.A_biblio.xml",
    "trademark": "trademarks/wipo_gbd_national_offices/khtm/tests/khtm.xml",
    "assignment": "patents/patent_client_fixtures/uspto/assignment/fixtures/assignment_2.xml",
}
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def documents(shared_data: Path) -> dict[str, bytes]:
    """One real XML document per format (the first document of the bulk file)."""
    return {name: split_xml_bytes((shared_data / path).read_bytes())[0] for name, path in SAMPLES.items()}


def mutate(data: bytes, operation: str, position: float, payload: bytes) -> bytes:
    if not data:
        return payload
    at = int(position * len(data))
    if operation == "truncate":
        return data[:at]
    if operation == "flip":
        return data[:at] + bytes([data[at % len(data)] ^ 0xFF]) + data[at + 1 :]
    if operation == "ampersand":
        return data[:at] + b"&" + data[at:]
    if operation == "insert":
        return data[:at] + payload + data[at:]
    # drop the first closing tag at or after the position
    start = data.find(b"</", at)
    end = data.find(b">", start)
    return data if start < 0 or end < 0 else data[:start] + data[end + 1 :]


mutations = st.tuples(
    st.sampled_from(sorted(SAMPLES)),
    st.lists(
        st.tuples(
            st.sampled_from(["truncate", "flip", "ampersand", "insert", "drop-close"]),
            st.floats(min_value=0, max_value=0.999),
            st.binary(max_size=12),
        ),
        min_size=1,
        max_size=4,
    ),
)


@FUZZ
@given(case=mutations)
def test_mutated_documents_give_rows_or_a_clean_quarantine(
    documents: dict[str, bytes], case: tuple[str, list[tuple[str, float, bytes]]]
) -> None:
    name, operations = case
    data = documents[name]
    for operation, position, payload in operations:
        data = mutate(data, operation, position, payload)
    result = parse_document(data, source_file=f"{name}.xml", part=3)
    assert result.parsed + len(result.quarantine) >= 1
    assert result.batch.count_documents() == result.parsed
    for entry in result.quarantine:
        assert entry.reason
        assert entry.part == 3
        assert len(entry.reason) <= 500
    for row in result.batch.documents:
        assert row["doc_id"] and row["office"]


@FUZZ
@given(
    data=st.binary(max_size=300), prefix=st.sampled_from([b"", b"<?xml version='1.0'?>", b"\xef\xbb\xbf<a>"])
)
def test_arbitrary_bytes_never_raise(data: bytes, prefix: bytes) -> None:
    batch, quarantine = parse_bulk_bytes(prefix + data, source_file="noise.xml")
    assert batch.count_documents() == 0 or batch.documents or batch.trademarks or batch.assignments
    assert all(q.reason for q in quarantine)


@settings(max_examples=40, deadline=None)
@given(
    chunk=st.integers(min_value=1, max_value=4096),
    parts=st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"<?xml", b"")), min_size=1, max_size=5),
)
def test_streaming_split_matches_in_memory_split(chunk: int, parts: list[bytes]) -> None:
    data = b"".join(b'<?xml version="1.0"?><d>' + p + b"</d>\n" for p in parts)
    assert list(iter_xml_documents(io.BytesIO(data), chunk_bytes=chunk)) == split_xml_bytes(data)


@settings(max_examples=15, deadline=None)
@given(cut=st.floats(min_value=0.05, max_value=0.95))
def test_truncated_bulk_file_keeps_the_count_invariant(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory, cut: float
) -> None:
    data = (shared_data / SAMPLES["uspto-ice"]).read_bytes()
    folder = tmp_path_factory.mktemp("cut")
    (folder / "ipg.xml").write_bytes(data[: int(len(data) * cut)])
    report = ingest_paths([folder], sink=ListSink())
    assert report.documents_in == report.documents_parsed + report.quarantined
    assert report.documents_in >= 1
