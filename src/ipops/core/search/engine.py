"""One named full-text index on tantivy: BM25 ranking, filters, facets, highlights, idempotent adds."""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tantivy

from ipops.core.search.spec import IndexSpec, SearchDocument, SearchHit, SearchPage, SearchRequest
from ipops.core.search.text import (
    ENGLISH_ANALYZER,
    QueryUnit,
    chinese_chars,
    chinese_words,
    english_analyzer,
    has_cjk,
    highlight,
    query_units,
)

ID_FIELD = "_id"
STORED_FIELD = "_stored"
MARKER_FILE = "ipops-index.json"
LAYOUT_VERSION = 2  # how this module lays out a spec's fields; a change rebuilds every index
CHARS_SUFFIX = "__chars"  # Chinese characters one by one (phrase matches of any substring)
ENGLISH_SUFFIX = "__en"  # the original text through the English analyzer (stems)
CHARS_WEIGHT = 0.6  # a match on single characters ranks below the same match on jieba words
WRITER_HEAP_BYTES = 64_000_000


class IndexVersionError(RuntimeError):
    """The index on disk was built for other fields; rebuild it (`ipops search rebuild NAME`)."""


def _schema(spec: IndexSpec) -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field(ID_FIELD, stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_bytes_field(STORED_FIELD, stored=True)
    for name in spec.text_fields:
        # jieba runs in Python (tantivy cannot call it): its words arrive space separated
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
        builder.add_text_field(name + CHARS_SUFFIX, tokenizer_name="whitespace", index_option="position")
        builder.add_text_field(name + ENGLISH_SUFFIX, tokenizer_name=ENGLISH_ANALYZER, index_option="freq")
    for name in spec.keyword_fields:
        builder.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    for name in spec.number_fields:
        builder.add_integer_field(name, indexed=True, fast=True)
    return builder.build()


def _marker(spec: IndexSpec) -> dict[str, Any]:
    return {"name": spec.name, "version": spec.version, "layout": LAYOUT_VERSION}


def _tantivy_document(spec: IndexSpec, document: SearchDocument) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_text(ID_FIELD, document.doc_id)
    texts = {name: value for name, value in document.text.items() if value and name in spec.text_fields}
    stored = {"payload": dict(document.payload), "text": texts}
    doc.add_bytes(STORED_FIELD, json.dumps(stored, ensure_ascii=False, default=str).encode())
    for name, value in texts.items():
        doc.add_text(name + ENGLISH_SUFFIX, value)
        if has_cjk(value):
            doc.add_text(name, chinese_words(value))
            doc.add_text(name + CHARS_SUFFIX, chinese_chars(value))
    for name in spec.keyword_fields:
        for keyword in sorted(set(document.keywords.get(name, ()))):
            if keyword:
                doc.add_text(name, keyword)
    for name in spec.number_fields:
        number = document.numbers.get(name)
        if number is not None:
            doc.add_integer(name, int(number))
    return doc


class SearchIndex:
    """A tantivy index in one folder; readers in any process see each commit, one writer at a time."""

    def __init__(self, spec: IndexSpec, directory: Path, *, create: bool = True) -> None:
        self.spec = spec
        self.directory = Path(directory)
        self.schema = _schema(spec)
        marker = self.directory / MARKER_FILE
        if marker.is_file():
            found = json.loads(marker.read_text(encoding="utf-8"))
            if found != _marker(spec):
                raise IndexVersionError(
                    f"index {spec.name} at {directory} is {found}, expected {_marker(spec)}"
                )
        elif not create:
            raise FileNotFoundError(f"no index {spec.name} at {directory}")
        else:
            self.directory.mkdir(parents=True, exist_ok=True)
        self._index = tantivy.Index(self.schema, path=str(self.directory), reuse=True)
        self._index.register_tokenizer(ENGLISH_ANALYZER, english_analyzer())
        if not marker.is_file():
            marker.write_text(json.dumps(_marker(spec)), encoding="utf-8")
        self._write_lock = threading.Lock()

    # -- writing ------------------------------------------------------------------------------------------

    def add(self, documents: Iterable[SearchDocument]) -> int:
        """Add or replace documents (delete by doc_id, then add) in one commit; returns how many."""
        latest = {document.doc_id: document for document in documents}
        if not latest:
            return 0
        with self._write_lock:
            writer = self._index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
            try:
                for doc_id, document in latest.items():
                    writer.delete_documents_by_term(ID_FIELD, doc_id)
                    writer.add_document(_tantivy_document(self.spec, document))
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()
        self._index.reload()
        return len(latest)

    def load(self, documents: Iterable[SearchDocument], *, heap_bytes: int = 256_000_000) -> int:
        """Stream documents into an empty index: one writer, one commit (a repeated id: the last wins)."""
        seen: set[str] = set()
        with self._write_lock:
            writer = self._index.writer(heap_size=heap_bytes, num_threads=1)
            try:
                for document in documents:
                    if document.doc_id in seen:
                        writer.delete_documents_by_term(ID_FIELD, document.doc_id)
                    seen.add(document.doc_id)
                    writer.add_document(_tantivy_document(self.spec, document))
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()
        self._index.reload()
        return len(seen)

    def delete(self, doc_ids: Iterable[str]) -> None:
        """Remove documents by doc_id (absent ones are ignored)."""
        with self._write_lock:
            writer = self._index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
            try:
                for doc_id in doc_ids:
                    writer.delete_documents_by_term(ID_FIELD, doc_id)
                writer.commit()
            finally:
                writer.wait_merging_threads()
        self._index.reload()

    def count(self) -> int:
        """Documents in the index."""
        return int(self._index.searcher().num_docs)

    # -- searching ----------------------------------------------------------------------------------------

    def _text_clause(self, unit: QueryUnit, fields: dict[str, float]) -> tantivy.Query:
        should: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for name, boost in fields.items():
            word_field = name if unit.chinese else name + ENGLISH_SUFFIX
            word = tantivy.Query.term_query(self.schema, word_field, unit.word)
            should.append((tantivy.Occur.Should, tantivy.Query.boost_query(word, boost)))
            if unit.chars:
                chars_field = name + CHARS_SUFFIX
                chars = (
                    tantivy.Query.term_query(self.schema, chars_field, unit.chars[0])
                    if len(unit.chars) == 1
                    else tantivy.Query.phrase_query(self.schema, chars_field, list(unit.chars))
                )
                should.append((tantivy.Occur.Should, tantivy.Query.boost_query(chars, boost * CHARS_WEIGHT)))
        return tantivy.Query.boolean_query(should)

    def _query(self, request: SearchRequest, units: list[QueryUnit]) -> tantivy.Query:
        must: list[tuple[tantivy.Occur, tantivy.Query]] = []
        boosts = dict(self.spec.text_fields)
        must += [(tantivy.Occur.Must, self._text_clause(unit, boosts)) for unit in units]
        filters: list[tantivy.Query] = []
        for name, words in request.within.items():
            if name not in boosts:
                raise ValueError(f"{name} is not a text field of index {self.spec.name}")
            within = query_units(words)
            if not within:
                filters.append(tantivy.Query.empty_query())
            filters += [self._text_clause(unit, {name: 1.0}) for unit in within]
        for name, value in request.filters.items():
            if name not in self.spec.keyword_fields:
                raise ValueError(f"{name} is not a keyword field of index {self.spec.name}")
            filters.append(tantivy.Query.term_query(self.schema, name, value))
        for name, prefix in request.prefixes.items():
            if name not in self.spec.prefix_fields:
                raise ValueError(f"{name} is not a prefix field of index {self.spec.name}")
            filters.append(tantivy.Query.regex_query(self.schema, name, re.escape(prefix) + ".*"))
        for name, (low, high) in request.ranges.items():
            if name not in self.spec.number_fields:
                raise ValueError(f"{name} is not a number field of index {self.spec.name}")
            if low is not None or high is not None:
                filters.append(
                    tantivy.Query.range_query(self.schema, name, tantivy.FieldType.Integer, low, high)
                )
        # filters narrow the matches without changing the BM25 order
        must += [(tantivy.Occur.Must, tantivy.Query.const_score_query(f, 0.0)) for f in filters]
        if not must:
            return tantivy.Query.all_query()
        return tantivy.Query.boolean_query(must)

    def search(self, request: SearchRequest) -> SearchPage:
        """A page of hits ranked by BM25 (by spec.default_order without text), its total and facets."""
        units = query_units(request.text) if request.text.strip() else []
        searcher = self._index.searcher()
        if request.text.strip() and not units:  # only stop words or punctuation: nothing to look for
            query = tantivy.Query.empty_query()
        else:
            query = self._query(request, units)
        limit = max(request.limit, 1)
        if units or self.spec.default_order is None:
            result = searcher.search(query, limit, count=True, offset=request.offset)
        else:
            result = searcher.search(
                query,
                limit,
                count=True,
                offset=request.offset,
                order_by_field=self.spec.default_order,
                order=tantivy.Order.Desc,
            )
        hits = []
        for score, address in result.hits:
            found = searcher.doc(address)
            stored = json.loads(bytes(found.get_first(STORED_FIELD) or b"{}"))
            highlights: dict[str, str] = {}
            if request.highlight and units:
                for name, value in stored["text"].items():
                    fragment = highlight(value, units)
                    if fragment is not None:
                        highlights[name] = fragment
            hits.append(
                SearchHit(
                    doc_id=str(found.get_first(ID_FIELD)),
                    score=float(score) if units else None,
                    payload=stored["payload"],
                    highlights=highlights,
                )
            )
        return SearchPage(
            total=int(getattr(result, "count", 0) or 0),  # the stubs omit count
            offset=request.offset,
            limit=limit,
            hits=hits,
            facets=self._facets(searcher, query, request),
        )

    def _facets(
        self, searcher: tantivy.Searcher, query: tantivy.Query, request: SearchRequest
    ) -> dict[str, list[tuple[str, int]]]:
        if not request.facets:
            return {}
        unknown = set(request.facets) - set(self.spec.keyword_fields) - set(self.spec.number_fields)
        if unknown:
            raise ValueError(f"cannot count {sorted(unknown)} in index {self.spec.name}")
        aggregations = {f: {"terms": {"field": f, "size": request.facet_size}} for f in request.facets}
        answer = searcher.aggregate(query, aggregations)
        return {
            name: [(str(b["key"]), int(b["doc_count"])) for b in answer.get(name, {}).get("buckets", [])]
            for name in request.facets
        }


def build_index(spec: IndexSpec, directory: Path, documents: Iterable[SearchDocument]) -> int:
    """Build a fresh index from documents beside `directory`, then swap it in; returns the count."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    fresh = directory.parent / f".{directory.name}.build-{uuid.uuid4().hex[:8]}"
    index = SearchIndex(spec, fresh)
    total = index.load(documents)
    del index
    retired = directory.parent / f".{directory.name}.old-{uuid.uuid4().hex[:8]}"
    if directory.exists():
        os.replace(directory, retired)
    os.replace(fresh, directory)  # readers opening the folder from now on see the new index whole
    shutil.rmtree(retired, ignore_errors=True)
    return total
